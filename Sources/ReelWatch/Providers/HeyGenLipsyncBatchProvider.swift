import HTTPTypes

/// HeyGen's batches of lipsyncs: `GET {heygen}/v3/lipsyncs/batches/{batch_id}?limit=&token=`, paged; each item that
/// became a job is followed as a `heygen-lipsync:` job of its own.
public struct HeyGenLipsyncBatchProvider: MemberListingProvider {
    /// Creates the adapter.
    public init() {}

    /// Always `.lipsyncBatch`.
    public var api: ProviderAPI { .lipsyncBatch }
    /// HeyGen.
    public var provider: ProviderName { .heygen }
    /// `heygen-lipsync-batch` (refs `heygen-lipsync-batch:BATCH_ID`).
    public var refPrefix: String { "heygen-lipsync-batch" }
    /// `/v3/lipsyncs/batches/{batch_id}`.
    public var statusRoute: String { "/v3/lipsyncs/batches/{batch_id}" }
    /// The members' render times: a batch is over when its slowest member is.
    public var renderTimeModel: RenderTimeModel { memberAPI.adapter.renderTimeModel }
    /// `heygen-lipsync:` jobs.
    public var memberAPI: ProviderAPI { .lipsync }

    /// `GET /v3/lipsyncs/batches/{batch_id}?limit=N[&token=T]`.
    public func memberPageRequest(id: String, token: String?, baseURL: BaseURL) -> HTTPRequest {
        HeyGenRenderList.request(
            path: "/v3/lipsyncs/batches/\(BaseURL.encode(id))", token: token, limit: memberPageLimit, folderID: nil,
            baseURL: baseURL)
    }

    /// HeyGen's 400 "request limit" is a rate limit.
    public func isTransient(status: Int, body: JSONValue?) -> Bool {
        HeyGenEnvelope.isRequestLimit(status: status, body: body)
    }

    /// Reads HeyGen's batch answer (MemberPage); an item's `video_id` names a `heygen-lipsync:` job.
    public func memberPage(from body: JSONValue, ref: JobRef, httpStatus: Int) throws(ReelWatchError) -> MemberPage {
        try MemberPage(heygenBatch: body, memberAPI: memberAPI, ref: ref, httpStatus: httpStatus)
    }
}

extension ProviderAPI {
    /// HeyGen's batches of lipsyncs, `GET /v3/lipsyncs/batches/{batch_id}`.
    public static let lipsyncBatch = ProviderAPI(declaring: "lipsync-batch")
}
