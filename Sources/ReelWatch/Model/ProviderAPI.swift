/// The provider API a job reference points at; each has its own adapter, registered in
/// ``ProviderRegistry/adapters``.
///
/// A name, not a closed list: adding an API is its adapter file (which declares its `ProviderAPI` constant) and
/// one line in the registry. Only registered names can be made from text (`init?(rawValue:)`, decoding).
public struct ProviderAPI: RawRepresentable, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    /// The API's name as the store, `--json` output and file links say it: `v3`, `translate`, `hera`, …
    public let rawValue: String

    /// The registered API named `rawValue`; nil for any other name.
    public init?(rawValue: String) {
        guard ProviderRegistry.adapters[rawValue] != nil else { return nil }
        self.rawValue = rawValue
    }

    /// The API named `name`, for an adapter's own constant (the registry lists it).
    init(declaring name: String) {
        rawValue = name
    }

    /// Every registered API, in registration order.
    public static var allCases: [ProviderAPI] { ProviderRegistry.apis }

    /// The name.
    public var description: String { rawValue }

    /// Decodes a registered API's name; any other name is corrupt data.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let name = try container.decode(String.self)
        guard let api = ProviderAPI(rawValue: name) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "unknown API '\(name)'")
        }
        self = api
    }

    /// Encodes the name.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    /// The company whose API this is (its adapter says).
    public var provider: ProviderName { adapter.provider }

    /// The prefix of a job reference for this API, such as `heygen-v1` (its adapter says).
    public var refPrefix: String { adapter.refPrefix }

    /// The API to move to when this one is legacy: `heygen-v1` → `heygen`, `heygen-translate-v2` →
    /// `heygen-translate`; nil for a current API (its adapter says).
    public var successor: ProviderAPI? { adapter.successor }
}
