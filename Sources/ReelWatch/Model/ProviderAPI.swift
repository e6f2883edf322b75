/// The provider API a job reference points at; each has its own adapter.
public enum ProviderAPI: String, Sendable, Hashable, Codable, CaseIterable {
    /// HeyGen's v3 video API, `GET /v3/videos/{id}`.
    case v3
    /// HeyGen's v1 video status API, `GET /v1/video_status.get?video_id={id}`.
    case v1
    /// HeyGen's video translation API, `GET /v2/video_translate/{id}`.
    case translate
    /// Hera's motion graphics API, `GET /videos/{id}`.
    case hera

    /// The company whose API this is.
    public var provider: ProviderName {
        switch self {
        case .v3, .v1, .translate: .heygen
        case .hera: .hera
        }
    }

    /// The prefix of a job reference for this API, such as `heygen-v1`.
    public var refPrefix: String {
        switch self {
        case .v3: "heygen"
        case .v1: "heygen-v1"
        case .translate: "heygen-translate"
        case .hera: "hera"
        }
    }
}
