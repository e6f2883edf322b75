/// The error a provider put in a response body, in whichever of the common shapes it used.
///
/// Reads `{"error": {"code", "message", "detail"}}`, `{"error": "text"}` and `{"code", "message"}`.
public struct ProviderErrorBody: Sendable, Hashable {
    /// The provider's error code, as text.
    public var code: String?
    /// The provider's message.
    public var message: String?
    /// A longer explanation.
    public var detail: String?

    /// Reads an error value: an object with `code`/`message`/`detail`, or a plain string; nil for null or empty.
    public init?(errorValue value: JSONValue?) {
        guard let value, !value.isNull else { return nil }
        if value.objectValue != nil {
            code = value.first("code", "error_code", "type")?.text
            message = value.first("message", "msg", "error")?.text
            detail = value.first("detail", "details", "description")?.text
        } else if let text = value.text {
            message = text
        } else {
            return nil
        }
        if code == nil, message == nil, detail == nil { return nil }
    }

    /// The error as a failure reason.
    public var failure: JobFailure? { JobFailure(code: code, message: message, detail: detail) }

    /// A one-line summary: `code: message`.
    public var summary: String {
        [code, message ?? detail].compactMap { $0 }.joined(separator: ": ")
    }

    /// The error this body means for `ref`: not found, a rejected key, or an answer that is not a status.
    public func error(for ref: JobRef, httpStatus: Int) -> ReelWatchError {
        let words = [code, message, detail].compactMap { $0?.lowercased() }.joined(separator: " ")
        let name = ref.provider.displayName
        let shown = ReelWatchError.printable(summary, limit: 160)
        if words.contains("not_found") || words.contains("not found") || words.contains("does not exist")
            || words.contains("doesn't exist")
        {
            return ReelWatchError(
                code: .jobNotFound,
                message: "\(name) has no such job (\(shown))",
                ref: ref,
                httpStatus: httpStatus
            )
        }
        if words.contains("unauthorized") || words.contains("api key") || words.contains("api_key")
            || words.contains("authenticat") || words.contains("forbidden")
        {
            return ReelWatchError.rejectedKey(ref: ref, httpStatus: httpStatus, detail: shown)
        }
        return ReelWatchError(
            code: .invalidResponse,
            message: "\(name) answered an error instead of a status (HTTP \(httpStatus)): \(shown)",
            ref: ref,
            httpStatus: httpStatus
        )
    }
}

extension ReelWatchError {
    /// The error for a provider that refused the configured API key.
    public static func rejectedKey(ref: JobRef, httpStatus: Int, detail: String? = nil) -> ReelWatchError {
        let provider = ref.provider
        let said = detail.map { ": \($0)" } ?? ""
        return ReelWatchError(
            code: .authenticationFailed,
            message: "\(provider.displayName) rejected the API key (HTTP \(httpStatus))\(said)",
            ref: ref,
            httpStatus: httpStatus
        )
    }

    /// The error for a job whose provider has no API key configured.
    public static func missingKey(ref: JobRef) -> ReelWatchError {
        let provider = ref.provider
        return ReelWatchError(
            code: .missingAPIKey,
            message: "no \(provider.displayName) API key: set \(provider.apiKeyVariable)",
            ref: ref
        )
    }

    /// The error for a 2xx answer that does not hold a usable status.
    public static func invalidStatus(ref: JobRef, httpStatus: Int, _ reason: String) -> ReelWatchError {
        ReelWatchError(
            code: .invalidResponse,
            message:
                "\(ref.provider.displayName) answered something that is not a valid status (HTTP \(httpStatus)): \(reason)",
            ref: ref,
            httpStatus: httpStatus
        )
    }
}
