import HTTPTypes

/// An adapter for one of HeyGen's batch routes, `GET {heygen}/v3/{collection}/batches/{batch_id}?limit=&token=`:
/// paged, each item that became a job followed as a job of ``MemberListingProvider/memberAPI``. The three batch
/// adapters differ only in their collection, member API and ref prefix.
public protocol HeyGenBatchListing: HeyGenProvider, MemberListingProvider {
    /// The route's collection: `videos`, `lipsyncs` or `video-translations`.
    var collection: String { get }
}

extension HeyGenBatchListing {
    /// `/v3/{collection}/batches/{batch_id}`.
    public var statusRoute: String { "/v3/\(collection)/batches/{batch_id}" }

    /// The members' render times: a batch is over when its slowest member is.
    public var renderTimeModel: RenderTimeModel { memberAPI.adapter.renderTimeModel }

    /// The first page of the batch's answer.
    public func statusRequest(id: String, baseURL: BaseURL) -> HTTPRequest {
        memberPageRequest(id: id, token: nil, baseURL: baseURL)
    }

    /// `GET /v3/{collection}/batches/{batch_id}?limit=N[&token=T]`.
    public func memberPageRequest(id: String, token: String?, baseURL: BaseURL) -> HTTPRequest {
        HeyGenRenderList.request(
            path: "/v3/\(collection)/batches/\(BaseURL.encode(id))", token: token, limit: memberPageLimit,
            folderID: nil, baseURL: baseURL)
    }

    /// Reads HeyGen's batch answer (``MemberPage``); an item's `video_id` names a job of the member API.
    public func memberPage(from body: JSONValue, ref: JobRef, httpStatus: Int) throws(ReelWatchError) -> MemberPage {
        try MemberPage(heygenBatch: body, memberAPI: memberAPI, ref: ref, httpStatus: httpStatus)
    }
}
