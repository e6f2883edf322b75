import Foundation

/// An API key: usable in a request header, never printed.
///
/// Its `description` and `debugDescription` are redacted, so a key cannot leak through string
/// interpolation, logging or `dump`.
public struct APIKey: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The secret itself; read it only to put it in a request header.
    public let secret: String

    /// Wraps a key, trimming surrounding whitespace; nil when it is empty or holds control characters.
    public init?(_ secret: String) {
        let trimmed = secret.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty,
            !trimmed.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else { return nil }
        self.secret = trimmed
    }

    /// Always `<redacted>`.
    public var description: String { "<redacted>" }
    /// Always `APIKey(<redacted>)`.
    public var debugDescription: String { "APIKey(<redacted>)" }
}
