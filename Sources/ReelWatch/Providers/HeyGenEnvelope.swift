/// The outer shape every HeyGen answer shares: `data`, and an error in `error` or in `code`/`message`.
///
/// HeyGen sends `code` as a number or a string (100 means success), `error` as null, a string or an
/// object, and sometimes a bare `{"error": {...}}` with HTTP 200.
struct HeyGenEnvelope {
    /// The `data` object.
    let data: JSONValue
    /// The top-level error, when one was sent.
    let error: ProviderErrorBody?

    /// The code HeyGen uses for success.
    static let successCode = "100"

    /// Reads the envelope, throwing the error it carries when it has no `data` object.
    init(_ body: JSONValue, ref: JobRef, httpStatus: Int) throws(ReelWatchError) {
        guard body.objectValue != nil else {
            throw .invalidStatus(ref: ref, httpStatus: httpStatus, "the body is not a JSON object")
        }
        error = ProviderErrorBody(errorValue: body["error"])
        let code = body["code"]?.text
        if let data = body["data"], data.objectValue != nil {
            self.data = data
            return
        }
        if let error {
            throw error.error(for: ref, httpStatus: httpStatus)
        }
        if let code, code != Self.successCode {
            let detail = ProviderErrorBody(
                errorValue: .object(["code": .string(code), "message": body["message"] ?? .null]))
            throw detail.map { $0.error(for: ref, httpStatus: httpStatus) }
                ?? .invalidStatus(ref: ref, httpStatus: httpStatus, "code \(code) without data")
        }
        throw .invalidStatus(ref: ref, httpStatus: httpStatus, "no 'data' object in the answer")
    }

    /// The status word in `data.status`, required.
    func status(ref: JobRef, httpStatus: Int) throws(ReelWatchError) -> ProviderStatus {
        guard let word = data["status"]?.text else {
            throw .invalidStatus(ref: ref, httpStatus: httpStatus, "no 'status' in the answer's data")
        }
        return ProviderStatus(rawValue: word)
    }

    /// Checks that the answer is about the job asked for, when it names one.
    func checkIdentity(_ keys: [String], ref: JobRef, httpStatus: Int) throws(ReelWatchError) {
        for key in keys {
            if let value = data[key], let id = value.text, !value.couldName(ref.id) {
                throw .invalidStatus(
                    ref: ref,
                    httpStatus: httpStatus,
                    "it describes job '\(ReelWatchError.printable(id))', not the one asked for"
                )
            }
        }
    }

    /// Why a failed job failed, from whichever of `failure_code`/`failure_message`, `data.error` (an object or a
    /// string) and `data.message` HeyGen used, else from the top-level error.
    func failure() -> JobFailure? {
        let nested = ProviderErrorBody(errorValue: data["error"])
        return JobFailure(
            code: data["failure_code"]?.text ?? nested?.code,
            message: data["failure_message"]?.text ?? nested?.message ?? data["message"]?.text,
            detail: nested?.detail
        ) ?? error?.failure
    }

    /// The snapshot of `ref` in `status`, with the fields all HeyGen APIs name alike read from `data`.
    func snapshot(ref: JobRef, status: ProviderStatus, assets: [Asset]) -> JobSnapshot {
        let state = JobState(providerStatus: status)
        return JobSnapshot(
            ref: ref,
            state: state,
            providerStatus: status,
            title: data["title"]?.text,
            durationSeconds: data["duration"]?.seconds,
            createdAt: data["created_at"]?.date,
            completedAt: data["completed_at"]?.date,
            callbackID: data["callback_id"]?.text,
            outputLanguage: data["output_language"]?.text,
            pageURL: data.first("video_page_url", "page_url")?.text,
            failure: state.isFailure ? failure() : nil,
            assets: assets
        )
    }

    /// Whether `status` and `body` are HeyGen's "request limit" answer, a rate limit sent as HTTP 400.
    static func isRequestLimit(status: Int, body: JSONValue?) -> Bool {
        guard status == 400, let body else { return false }
        let error = ProviderErrorBody(errorValue: body["error"])
        let words = [error?.code, error?.message, body["message"]?.text, body["code"]?.text]
            .compactMap { $0?.lowercased() }.joined(separator: " ")
        return words.contains("limit") || words.contains("rate")
    }
}
