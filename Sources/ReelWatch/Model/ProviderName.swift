/// The company that renders a job.
public enum ProviderName: String, Sendable, Hashable, Codable, CaseIterable {
    /// HeyGen (avatar videos and translations).
    case heygen
    /// Hera (motion graphics).
    case hera

    /// The name people know the provider by, for messages.
    public var displayName: String {
        switch self {
        case .heygen: "HeyGen"
        case .hera: "Hera"
        }
    }

    /// The environment variable that holds this provider's API key.
    public var apiKeyVariable: String {
        switch self {
        case .heygen: "HEYGEN_API_KEY"
        case .hera: "HERA_API_KEY"
        }
    }

    /// The environment variable that overrides this provider's base URL.
    public var baseURLVariable: String {
        switch self {
        case .heygen: "REELWATCH_HEYGEN_URL"
        case .hera: "REELWATCH_HERA_URL"
        }
    }
}
