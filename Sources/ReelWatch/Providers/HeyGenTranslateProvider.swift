import HTTPTypes

/// HeyGen's current video translation API: `GET {heygen}/v3/video-translations/{id}`, with bulk status.
public struct HeyGenTranslateProvider: HeyGenProvider, BulkStatusProvider {
    /// Creates the adapter.
    public init() {}

    /// Always `.translate`.
    public var api: ProviderAPI { .translate }
    /// `heygen-translate` (refs `heygen-translate:ID`).
    public var refPrefix: String { "heygen-translate" }
    /// `/v3/video-translations/{id}`.
    public var statusRoute: String { "/v3/video-translations/{id}" }
    /// The keys that name the job in a status answer.
    public var identityKeys: [String] { ["id", "video_translation_id", "video_translate_id"] }
    /// The render times of HeyGen's translations.
    public var renderTimeModel: RenderTimeModel { .heygenTranslation }
    /// `video_translate.*` events.
    public var webhookEventKinds: [String] { ["video_translate"] }
    /// `video_translate_id`.
    public var webhookIDKeys: [String] { ["video_translate_id"] }

    /// 100 IDs a request, as for videos.
    public var bulkLimit: Int { 100 }

    /// The asset kinds, the fields that carry their links and the format a link without an extension has.
    static let assetFields: [(kind: AssetKind, key: String, format: String?)] = [
        (.video, "video_url", nil),
        (.audio, "audio_url", nil),
        (.captions, "srt_caption_url", "srt"),
        (.captions, "vtt_caption_url", "vtt"),
    ]

    /// Reads `{"data": {"id", "status", "video_url", "audio_url", "srt_caption_url", "vtt_caption_url",
    /// "failure_message", …}}` or throws the `{"error": {...}}` sent instead.
    public func snapshot(from body: JSONValue, ref: JobRef, httpStatus: Int) throws(ReelWatchError) -> JobSnapshot {
        let (envelope, status) = try statusAnswer(body, ref: ref, httpStatus: httpStatus)
        var assets: [Asset] = []
        for field in Self.assetFields {
            guard let url = envelope.data[field.key]?.text else { continue }
            var asset = Asset(linkTo: url, kind: field.kind)
            if asset.format == nil { asset.format = field.format }
            assets.append(asset)
        }
        return envelope.snapshot(ref: ref, status: status, assets: assets)
    }

    /// `GET /v3/video-translations/statuses?video_translation_ids=ID1,ID2,…` (and `&next_token=…` for a further
    /// page).
    public func bulkStatusRequest(ids: [String], token: String?, baseURL: BaseURL) -> HTTPRequest {
        heygenBulkRequest(
            path: "/v3/video-translations/statuses", idParameter: "video_translation_ids", ids: ids, token: token,
            baseURL: baseURL)
    }

    /// `GET /v3/video-translations/statuses?batch_ids=B1,B2,…` (and `&next_token=…`): every member of those batches.
    public func batchStatusRequest(batchIDs: [String], token: String?, baseURL: BaseURL) -> HTTPRequest? {
        heygenBulkRequest(
            path: "/v3/video-translations/statuses", idParameter: "batch_ids", ids: batchIDs, token: token,
            baseURL: baseURL)
    }

    /// Reads the videos' bulk answer shape, whose entries name the translation in `video_id` (or
    /// `video_translation_id`, `id`).
    public func bulkStatusPage(
        from body: JSONValue, ref: JobRef, httpStatus: Int
    ) throws(ReelWatchError)
        -> BulkStatusPage
    {
        try BulkStatusPage(
            heygen: body, idKeys: ["video_id", "video_translation_id", "id"], ref: ref, httpStatus: httpStatus)
    }
}

extension ProviderAPI {
    /// HeyGen's current video translation API, `GET /v3/video-translations/{id}`.
    public static let translate = ProviderAPI(declaring: "translate")
}
