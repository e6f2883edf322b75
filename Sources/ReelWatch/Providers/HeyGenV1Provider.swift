import HTTPTypes

/// HeyGen's v1 video status API: `GET {heygen}/v1/video_status.get?video_id={id}`.
public struct HeyGenV1Provider: Provider {
    /// Creates the adapter.
    public init() {}

    /// Always `.v1`.
    public var api: ProviderAPI { .v1 }
    /// HeyGen.
    public var provider: ProviderName { .heygen }
    /// `heygen-v1` (refs `heygen-v1:ID`).
    public var refPrefix: String { "heygen-v1" }
    /// `/v1/video_status.get?video_id={id}`.
    public var statusRoute: String { "/v1/video_status.get?video_id={id}" }
    /// The render times of HeyGen's avatar videos.
    public var renderTimeModel: RenderTimeModel { .heygenAvatar }
    /// Retired on 2026-11-01: its jobs are followed on `/v3/videos/{id}`.
    public var successor: ProviderAPI? { .v3 }

    /// `GET /v1/video_status.get?video_id={id}`.
    public func statusRequest(id: String, baseURL: BaseURL) -> HTTPRequest {
        baseURL.request(path: "/v1/video_status.get?video_id=\(BaseURL.encode(id))")
    }

    /// HeyGen's 400 "request limit" is a rate limit.
    public func isTransient(status: Int, body: JSONValue?) -> Bool {
        HeyGenEnvelope.isRequestLimit(status: status, body: body)
    }

    /// Reads both editions: `{"code": 100, "data": {"id", "error": {...}}}` and `{"error": null, "data": {"video_id", "error": "text"}}`.
    public func snapshot(from body: JSONValue, ref: JobRef, httpStatus: Int) throws(ReelWatchError) -> JobSnapshot {
        try HeyGenVideoFields.snapshot(body, ref: ref, httpStatus: httpStatus)
    }
}

extension ProviderAPI {
    /// HeyGen's v1 video status API, `GET /v1/video_status.get?video_id={id}` (retired 2026-11-01).
    public static let v1 = ProviderAPI(declaring: "v1")
}
