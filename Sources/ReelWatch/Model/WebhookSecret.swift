/// A webhook endpoint's signing secret (`whsec_…`): kept to check signatures and saved to the secret file, never
/// printed.
///
/// Its `description` and `debugDescription` are redacted, so a secret cannot leak through string interpolation,
/// logging or `dump`.
public struct WebhookSecret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The longest secret accepted; HeyGen's are far shorter.
    public static let maximumLength = 200
    /// The shortest secret accepted.
    public static let minimumLength = 8

    /// The secret itself; read it only to check a signature or to save it.
    public let value: String

    /// Wraps a secret; nil unless it is 8–200 visible ASCII characters other than `,` (the separator of
    /// `REELWATCH_WEBHOOK_SECRET`) and `"`/`\`.
    public init?(_ value: String) {
        let bytes = value.utf8
        guard (Self.minimumLength...Self.maximumLength).contains(bytes.count),
            bytes.allSatisfy({
                $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: ",") && $0 != UInt8(ascii: "\"")
                    && $0 != UInt8(ascii: "\\")
            })
        else { return nil }
        self.value = value
    }

    /// Always `<redacted>`.
    public var description: String { "<redacted>" }
    /// Always `WebhookSecret(<redacted>)`.
    public var debugDescription: String { "WebhookSecret(<redacted>)" }
}
