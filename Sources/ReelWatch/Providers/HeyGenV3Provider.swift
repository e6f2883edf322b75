import Foundation
import HTTPTypes

/// HeyGen's v3 video API: `GET {heygen}/v3/videos/{id}`.
public struct HeyGenV3Provider: HeyGenProvider, BulkStatusProvider {
    /// Creates the adapter.
    public init() {}

    /// Always `.v3`.
    public var api: ProviderAPI { .v3 }
    /// `heygen` (refs `heygen:ID`).
    public var refPrefix: String { "heygen" }
    /// `/v3/videos/{id}`.
    public var statusRoute: String { "/v3/videos/{id}" }
    /// The render times of HeyGen's avatar videos.
    public var renderTimeModel: RenderTimeModel { .heygenAvatar }
    /// `avatar_video.*` events.
    public var webhookEventKinds: [String] { ["avatar_video"] }
    /// `avatar_video_gif.*` and `avatar_video_caption.*` events: a video's GIF, captions and captioned video may come
    /// after the video.
    public var webhookFileEventKinds: [String] { ["avatar_video_gif", "avatar_video_caption"] }

    /// 100 IDs a request.
    public var bulkLimit: Int { 100 }

    /// Reads `{"data": {...}}` or throws the `{"error": {...}}` sent instead.
    public func snapshot(from body: JSONValue, ref: JobRef, httpStatus: Int) throws(ReelWatchError) -> JobSnapshot {
        try HeyGenVideoFields.snapshot(body, ref: ref, httpStatus: httpStatus)
    }

    /// `GET /v3/videos/statuses?video_ids=ID1,ID2,…` (and `&next_token=…` for a further page).
    public func bulkStatusRequest(ids: [String], token: String?, baseURL: BaseURL) -> HTTPRequest {
        heygenBulkRequest(
            path: "/v3/videos/statuses", idParameter: "video_ids", ids: ids, token: token, baseURL: baseURL)
    }

    /// `GET /v3/videos/statuses?batch_ids=B1,B2,…` (and `&next_token=…`): every member of those batches.
    public func batchStatusRequest(batchIDs: [String], token: String?, baseURL: BaseURL) -> HTTPRequest? {
        heygenBulkRequest(
            path: "/v3/videos/statuses", idParameter: "batch_ids", ids: batchIDs, token: token, baseURL: baseURL)
    }

    /// Reads `{"data": [{"video_id", "status", "error", …}], "has_more", "next_token"}`; `not_found` entries
    /// have no state. Errors are reported against `ref`.
    public func bulkStatusPage(
        from body: JSONValue, ref: JobRef, httpStatus: Int
    ) throws(ReelWatchError)
        -> BulkStatusPage
    {
        try BulkStatusPage(heygen: body, idKeys: ["video_id", "id"], ref: ref, httpStatus: httpStatus)
    }
}

extension ProviderAPI {
    /// HeyGen's v3 video API, `GET /v3/videos/{id}`.
    public static let v3 = ProviderAPI(declaring: "v3")
}
