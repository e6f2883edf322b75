import HTTPTypes

/// HeyGen's batches of translations: `GET {heygen}/v3/video-translations/batches/{batch_id}?limit=&token=`, paged; each item that
/// became a job is followed as a `heygen-translate:` job of its own.
public struct HeyGenTranslateBatchProvider: MemberListingProvider {
    /// Creates the adapter.
    public init() {}

    /// Always `.translateBatch`.
    public var api: ProviderAPI { .translateBatch }
    /// HeyGen.
    public var provider: ProviderName { .heygen }
    /// `heygen-translate-batch` (refs `heygen-translate-batch:BATCH_ID`).
    public var refPrefix: String { "heygen-translate-batch" }
    /// `/v3/video-translations/batches/{batch_id}`.
    public var statusRoute: String { "/v3/video-translations/batches/{batch_id}" }
    /// The members' render times: a batch is over when its slowest member is.
    public var renderTimeModel: RenderTimeModel { memberAPI.adapter.renderTimeModel }
    /// `heygen-translate:` jobs.
    public var memberAPI: ProviderAPI { .translate }

    /// `GET /v3/video-translations/batches/{batch_id}?limit=N[&token=T]`.
    public func memberPageRequest(id: String, token: String?, baseURL: BaseURL) -> HTTPRequest {
        HeyGenRenderList.request(
            path: "/v3/video-translations/batches/\(BaseURL.encode(id))", token: token, limit: memberPageLimit,
            folderID: nil,
            baseURL: baseURL)
    }

    /// HeyGen's 400 "request limit" is a rate limit.
    public func isTransient(status: Int, body: JSONValue?) -> Bool {
        HeyGenEnvelope.isRequestLimit(status: status, body: body)
    }

    /// Reads HeyGen's batch answer (MemberPage); an item's `video_id` names a `heygen-translate:` job.
    public func memberPage(from body: JSONValue, ref: JobRef, httpStatus: Int) throws(ReelWatchError) -> MemberPage {
        try MemberPage(heygenBatch: body, memberAPI: memberAPI, ref: ref, httpStatus: httpStatus)
    }
}

extension ProviderAPI {
    /// HeyGen's batches of translations, `GET /v3/video-translations/batches/{batch_id}`.
    public static let translateBatch = ProviderAPI(declaring: "translate-batch")
}
