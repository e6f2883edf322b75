import HTTPTypes

/// HeyGen's lipsyncs (a video dubbed onto new audio): `GET {heygen}/v3/lipsyncs/{id}`, with bulk status and the
/// account's list.
public struct HeyGenLipsyncProvider: HeyGenProvider, BulkStatusProvider, RenderListProvider {
    /// Creates the adapter.
    public init() {}

    /// Always `.lipsync`.
    public var api: ProviderAPI { .lipsync }
    /// `heygen-lipsync` (refs `heygen-lipsync:ID`).
    public var refPrefix: String { "heygen-lipsync" }
    /// `/v3/lipsyncs/{id}`.
    public var statusRoute: String { "/v3/lipsyncs/{id}" }
    /// The keys that name the job in a status answer.
    public var identityKeys: [String] { ["id", "lipsync_id"] }
    /// The render times of HeyGen's translations: HeyGen documents no time for a lipsync, and a lipsync is the
    /// lip-sync pass a translation also runs over a whole video (without its transcription and speech), so the
    /// translation prior is the nearest documented one; finished lipsyncs then teach the model their own times.
    public var renderTimeModel: RenderTimeModel { .heygenTranslation }
    /// No webhook event type: a lipsync takes a per-request `callback_url`, whose body HeyGen does not document; the
    /// job is read from `lipsync_id`, else `id`, else `video_id`.
    public var callbackIDKeys: [String] { ["lipsync_id", "id", "video_id"] }

    /// 100 IDs a request, as for videos.
    public var bulkLimit: Int { 100 }

    /// `lipsyncs`, the word `track sync --kinds` knows this list by.
    public var listKind: String { "lipsyncs" }

    /// Lipsyncs are listed without folders.
    public var listsByFolder: Bool { false }

    /// Reads `{"data": {"id", "status", "video_url", "caption_url", "failure_message", "duration", "created_at",
    /// "title", "callback_id"}}` or throws the `{"error": {...}}` sent instead. `video_url` is the video and
    /// `caption_url` its SRT captions (`srt` when the link's path has no extension).
    public func snapshot(from body: JSONValue, ref: JobRef, httpStatus: Int) throws(ReelWatchError) -> JobSnapshot {
        let (envelope, status) = try statusAnswer(body, ref: ref, httpStatus: httpStatus)
        var assets: [Asset] = []
        if let url = envelope.data["video_url"]?.text {
            assets.append(Asset(linkTo: url, kind: .video))
        }
        if let url = envelope.data["caption_url"]?.text {
            var captions = Asset(linkTo: url, kind: .captions)
            if captions.format == nil { captions.format = "srt" }
            assets.append(captions)
        }
        return envelope.snapshot(ref: ref, status: status, assets: assets)
    }

    /// `GET /v3/lipsyncs/statuses?lipsync_ids=ID1,ID2,…` (and `&next_token=…` for a further page).
    public func bulkStatusRequest(ids: [String], token: String?, baseURL: BaseURL) -> HTTPRequest {
        heygenBulkRequest(
            path: "/v3/lipsyncs/statuses", idParameter: "lipsync_ids", ids: ids, token: token, baseURL: baseURL)
    }

    /// `GET /v3/lipsyncs/statuses?batch_ids=B1,B2,…` (and `&next_token=…`): every member of those batches.
    public func batchStatusRequest(batchIDs: [String], token: String?, baseURL: BaseURL) -> HTTPRequest? {
        heygenBulkRequest(
            path: "/v3/lipsyncs/statuses", idParameter: "batch_ids", ids: batchIDs, token: token, baseURL: baseURL)
    }

    /// Reads the videos' bulk answer shape; HeyGen documents no ID key of its own for a lipsync entry, so the
    /// videos' `video_id` is read, then `lipsync_id` (the key its create answer uses) and `id`.
    public func bulkStatusPage(
        from body: JSONValue, ref: JobRef, httpStatus: Int
    ) throws(ReelWatchError)
        -> BulkStatusPage
    {
        try BulkStatusPage(heygen: body, idKeys: ["video_id", "lipsync_id", "id"], ref: ref, httpStatus: httpStatus)
    }

    /// `GET /v3/lipsyncs?limit=N[&token=T]`; lipsyncs have no folders, so `folderID` is not sent.
    public func listRequest(token: String?, limit: Int, folderID: String?, baseURL: BaseURL) -> HTTPRequest {
        HeyGenRenderList.request(path: "/v3/lipsyncs", token: token, limit: limit, folderID: nil, baseURL: baseURL)
    }

    /// Reads `{"data": [{"id", "status", "created_at", "title", …}], "has_more", "next_token"}`.
    public func listPage(from body: JSONValue, httpStatus: Int) throws(ReelWatchError) -> RenderListPage {
        try HeyGenRenderList.page(body, api: api, httpStatus: httpStatus)
    }
}

extension ProviderAPI {
    /// HeyGen's lipsyncs, `GET /v3/lipsyncs/{id}`.
    public static let lipsync = ProviderAPI(declaring: "lipsync")
}
