import HTTPTypes

/// HeyGen's batches of videos: `GET {heygen}/v3/videos/batches/{batch_id}?limit=&token=`, paged; each item that
/// became a job is followed as a `heygen:` job of its own.
public struct HeyGenBatchProvider: MemberListingProvider {
    /// Creates the adapter.
    public init() {}

    /// Always `.batch`.
    public var api: ProviderAPI { .batch }
    /// HeyGen.
    public var provider: ProviderName { .heygen }
    /// `heygen-batch` (refs `heygen-batch:BATCH_ID`).
    public var refPrefix: String { "heygen-batch" }
    /// `/v3/videos/batches/{batch_id}`.
    public var statusRoute: String { "/v3/videos/batches/{batch_id}" }
    /// The members' render times: a batch is over when its slowest member is.
    public var renderTimeModel: RenderTimeModel { memberAPI.adapter.renderTimeModel }
    /// `heygen:` jobs.
    public var memberAPI: ProviderAPI { .v3 }

    /// `GET /v3/videos/batches/{batch_id}?limit=N[&token=T]`.
    public func memberPageRequest(id: String, token: String?, baseURL: BaseURL) -> HTTPRequest {
        HeyGenRenderList.request(
            path: "/v3/videos/batches/\(BaseURL.encode(id))", token: token, limit: memberPageLimit, folderID: nil,
            baseURL: baseURL)
    }

    /// HeyGen's 400 "request limit" is a rate limit.
    public func isTransient(status: Int, body: JSONValue?) -> Bool {
        HeyGenEnvelope.isRequestLimit(status: status, body: body)
    }

    /// Reads HeyGen's batch answer (MemberPage); an item's `video_id` names a `heygen:` job.
    public func memberPage(from body: JSONValue, ref: JobRef, httpStatus: Int) throws(ReelWatchError) -> MemberPage {
        try MemberPage(heygenBatch: body, memberAPI: memberAPI, ref: ref, httpStatus: httpStatus)
    }
}

extension ProviderAPI {
    /// HeyGen's batches of videos, `GET /v3/videos/batches/{batch_id}`.
    public static let batch = ProviderAPI(declaring: "batch")
}
