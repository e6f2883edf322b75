/// The provider API a job reference points at; each has its own adapter.
public enum ProviderAPI: String, Sendable, Hashable, Codable, CaseIterable {
    /// HeyGen's v3 video API, `GET /v3/videos/{id}`.
    case v3
    /// HeyGen's v1 video status API, `GET /v1/video_status.get?video_id={id}`.
    case v1
    /// HeyGen's current video translation API, `GET /v3/video-translations/{id}`.
    case translate
    /// HeyGen's legacy video translation API, `GET /v2/video_translate/{id}`, for older translation IDs.
    case translateV2 = "translate-v2"
    /// Hera's motion graphics API, `GET /videos/{id}`.
    case hera

    /// The company whose API this is (its adapter says).
    public var provider: ProviderName { adapter.provider }

    /// The prefix of a job reference for this API, such as `heygen-v1` (its adapter says).
    public var refPrefix: String { adapter.refPrefix }

    /// The API to move to when this one is legacy: `heygen-v1` → `heygen`, `heygen-translate-v2` →
    /// `heygen-translate`; nil for a current API (its adapter says).
    public var successor: ProviderAPI? { adapter.successor }
}
