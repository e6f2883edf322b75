/// Why a render failed, gathered from whichever fields the provider used.
public struct JobFailure: Sendable, Hashable, Codable {
    /// The provider's error code, such as `40119` or `script_too_long`.
    public var code: String?
    /// The short reason.
    public var message: String?
    /// The longer explanation, when the provider gives one.
    public var detail: String?

    /// Creates a failure; returns nil when every part is nil.
    public init?(code: String?, message: String?, detail: String? = nil) {
        guard code != nil || message != nil || detail != nil else { return nil }
        self.code = code
        self.message = message
        self.detail = detail
    }

    /// What a failure without a reason says in its place.
    static let noReasonGiven = "no reason given"

    /// The most useful one-line reason: the detail, else the message, else the code.
    public var summary: String {
        let reason = detail ?? message ?? Self.noReasonGiven
        if let code, code != reason { return "\(reason) (\(code))" }
        return reason
    }

    /// Encodes every key, absent values as `null`.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(code, forKey: .code)
        try c.encode(message, forKey: .message)
        try c.encode(detail, forKey: .detail)
    }
}
