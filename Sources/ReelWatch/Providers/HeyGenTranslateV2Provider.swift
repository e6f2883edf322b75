import HTTPTypes

/// HeyGen's legacy video translation API: `GET {heygen}/v2/video_translate/{id}` (refs `heygen-translate-v2:`).
public struct HeyGenTranslateV2Provider: Provider {
    /// Creates the adapter.
    public init() {}

    /// Always `.translateV2`.
    public var api: ProviderAPI { .translateV2 }
    /// HeyGen.
    public var provider: ProviderName { .heygen }
    /// `heygen-translate-v2` (refs `heygen-translate-v2:ID`).
    public var refPrefix: String { "heygen-translate-v2" }
    /// `/v2/video_translate/{id}`.
    public var statusRoute: String { "/v2/video_translate/{id}" }
    /// The render times of HeyGen's translations.
    public var renderTimeModel: RenderTimeModel { .heygenTranslation }
    /// Retired on 2026-11-01: its jobs are followed on `/v3/video-translations/{id}`.
    public var successor: ProviderAPI? { .translate }

    /// `GET /v2/video_translate/{id}`.
    public func statusRequest(id: String, baseURL: BaseURL) -> HTTPRequest {
        baseURL.request(path: "/v2/video_translate/\(BaseURL.encode(id))")
    }

    /// HeyGen's 400 "request limit" is a rate limit.
    public func isTransient(status: Int, body: JSONValue?) -> Bool {
        HeyGenEnvelope.isRequestLimit(status: status, body: body)
    }

    /// Reads `{"error": null, "data": {"video_translate_id", "status", "url", "message", ...}}`.
    public func snapshot(from body: JSONValue, ref: JobRef, httpStatus: Int) throws(ReelWatchError) -> JobSnapshot {
        let envelope = try HeyGenEnvelope(body, ref: ref, httpStatus: httpStatus)
        try envelope.checkIdentity(["video_translate_id", "id"], ref: ref, httpStatus: httpStatus)
        let data = envelope.data
        let status = try envelope.status(ref: ref, httpStatus: httpStatus)
        var assets: [Asset] = []
        if let url = data.first("url", "video_url")?.text {
            assets.append(Asset(linkTo: url, kind: .video))
        }
        if let url = data.first("caption_url", "subtitle_url")?.text {
            assets.append(Asset(linkTo: url, kind: .captions))
        }
        return envelope.snapshot(ref: ref, status: status, assets: assets)
    }
}

extension ProviderAPI {
    /// HeyGen's legacy video translation API, `GET /v2/video_translate/{id}` (retired 2026-11-01).
    public static let translateV2 = ProviderAPI(declaring: "translate-v2")
}
