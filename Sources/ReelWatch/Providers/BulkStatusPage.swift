/// One page of HeyGen's bulk status answer.
public struct BulkStatusPage: Sendable, Hashable {
    /// The entries on this page.
    public var entries: [BulkStatus]
    /// The token for the next page, when there is one.
    public var nextToken: String?

    /// Creates a page.
    public init(entries: [BulkStatus], nextToken: String?) {
        self.entries = entries
        self.nextToken = nextToken
    }
}

extension BulkStatusPage {
    /// Reads HeyGen's bulk answer `{"data": [{"video_id", "status", "error", …}], "has_more", "next_token"}` (the
    /// same for videos and translations); `not_found` entries have no state. Errors are reported against `ref`.
    init(heygen body: JSONValue, idKeys: [String], ref: JobRef, httpStatus: Int) throws(ReelWatchError) {
        if let error = ProviderErrorBody(errorValue: body["error"]), body["data"]?.arrayValue == nil {
            throw error.error(for: ref, httpStatus: httpStatus)
        }
        guard let items = body["data"]?.arrayValue else {
            throw .invalidStatus(ref: ref, httpStatus: httpStatus, "no data list in the bulk status answer")
        }
        var entries: [BulkStatus] = []
        for item in items {
            guard let id = idKeys.lazy.compactMap({ item[$0]?.text }).first, let word = item["status"]?.text else {
                continue
            }
            let status = ProviderStatus(rawValue: word)
            let notFound = word.lowercased().replacingOccurrences(ofASCII: "-", with: "_") == "not_found"
            let state = notFound ? nil : JobState(providerStatus: status)
            entries.append(
                BulkStatus(
                    id: id,
                    providerStatus: status,
                    state: state,
                    failure: state?.isFailure == true ? ProviderErrorBody(errorValue: item["error"])?.failure : nil
                )
            )
        }
        let next = (body["has_more"]?.bool ?? false) ? body["next_token"]?.text : nil
        self.init(entries: entries, nextToken: next)
    }
}
