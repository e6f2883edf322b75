/// A reference to one render job: `PROVIDER:ID`, such as `heygen:abc123` or `hera:vid_1`.
///
/// The ID is opaque: it is kept verbatim and percent-encoded only when it is put in a URL.
public struct JobRef: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The longest ID accepted; provider IDs are far shorter.
    public static let maximumIDLength = 512

    /// The API the job belongs to.
    public var api: ProviderAPI
    /// The provider's ID of the job.
    public var id: String

    /// Creates a reference from its parts, without validation.
    public init(api: ProviderAPI, id: String) {
        self.api = api
        self.id = id
    }

    /// Parses `PROVIDER:ID`, throwing an `invalidReference` error that says what is wrong.
    public init(parsing text: String) throws(ReelWatchError) {
        guard let colon = text.firstIndex(of: ":") else {
            throw Self.invalid(text, "expected PROVIDER:ID, with PROVIDER one of \(Self.prefixList)")
        }
        let prefix = String(text[..<colon])
        let id = String(text[text.index(after: colon)...])
        guard let api = ProviderAPI.allCases.first(where: { $0.refPrefix == prefix.lowercased() }) else {
            let shown = prefix.isEmpty ? "an empty provider" : "unknown provider '\(ReelWatchError.printable(prefix))'"
            throw Self.invalid(text, "\(shown); expected one of \(Self.prefixList)")
        }
        guard !id.isEmpty else {
            throw Self.invalid(text, "the ID after '\(api.refPrefix):' is empty")
        }
        guard id.count <= Self.maximumIDLength else {
            throw Self.invalid(text, "the ID is longer than \(Self.maximumIDLength) characters")
        }
        if id.unicodeScalars.contains(where: { $0.properties.generalCategory == .control || $0 == " " }) {
            throw Self.invalid(text, "the ID contains spaces or control characters")
        }
        if id == "." || id == ".." {
            throw Self.invalid(text, "the ID '\(id)' would be read as a path step, not a job")
        }
        self.init(api: api, id: id)
    }

    /// The provider that renders the job.
    public var provider: ProviderName { api.provider }

    /// The reference as written: `PROVIDER:ID`.
    public var description: String { "\(api.refPrefix):\(id)" }

    /// The reference for a terminal or a log line: `PROVIDER:ID` with control and bidirectional characters (an ID
    /// is the provider's text) escaped, so that it cannot reorder or hide what is printed around it.
    public var printable: String { ReelWatchError.printable(description, limit: Self.maximumIDLength + 40) }

    /// Decodes a reference from its `PROVIDER:ID` string.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do {
            self = try JobRef(parsing: text)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.message)
        }
    }

    /// Encodes the reference as its `PROVIDER:ID` string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    /// Every ref prefix, in registration order, comma-separated (`heygen, heygen-v1, …`): for help texts.
    public static var prefixList: String {
        ProviderAPI.allCases.map(\.refPrefix).joined(separator: ", ")
    }

    private static func invalid(_ text: String, _ reason: String) -> ReelWatchError {
        ReelWatchError(
            code: .invalidReference,
            message: "malformed ref '\(ReelWatchError.printable(text))': \(reason)"
        )
    }
}
