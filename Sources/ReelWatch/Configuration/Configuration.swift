import Foundation

/// Everything reelwatch needs to reach the providers, filled in one place.
///
/// ## Configuration keys
/// - `HEYGEN_API_KEY`: HeyGen API key (secret).
/// - `HERA_API_KEY`: Hera API key (secret).
/// - `REELWATCH_HEYGEN_URL`: HeyGen base URL, default `https://api.heygen.com`.
/// - `REELWATCH_HERA_URL`: Hera base URL, default `https://api.hera.video/v1`.
/// - `REELWATCH_HOME`: where reelwatch keeps its store and downloads.
public struct Configuration: Sendable {
    /// HeyGen's base URL; a path prefix is kept.
    public var heygenBaseURL: BaseURL
    /// Hera's base URL; a path prefix is kept.
    public var heraBaseURL: BaseURL
    /// HeyGen's API key, if configured.
    public var heygenAPIKey: APIKey?
    /// Hera's API key, if configured.
    public var heraAPIKey: APIKey?
    /// The directory for the store and downloads, if configured.
    public var home: String?

    /// The built-in defaults: the public APIs and no keys.
    public static let defaults = Configuration(
        heygenBaseURL: BaseURL("https://api.heygen.com")!,
        heraBaseURL: BaseURL("https://api.hera.video/v1")!
    )

    /// Creates a configuration from explicit values.
    public init(
        heygenBaseURL: BaseURL,
        heraBaseURL: BaseURL,
        heygenAPIKey: APIKey? = nil,
        heraAPIKey: APIKey? = nil,
        home: String? = nil
    ) {
        self.heygenBaseURL = heygenBaseURL
        self.heraBaseURL = heraBaseURL
        self.heygenAPIKey = heygenAPIKey
        self.heraAPIKey = heraAPIKey
        self.home = home
    }

    /// The defaults overridden by whichever keys `environment` sets; a malformed value is an error naming its key.
    public init(environment: [String: String], base: Configuration = .defaults) throws(ReelWatchError) {
        self = base
        for provider in ProviderName.allCases {
            if let text = environment[provider.baseURLVariable], !text.isEmpty {
                guard let url = BaseURL(text) else {
                    if let port = URLComponents(string: text)?.port, CheckedConversion.port(port) == nil {
                        throw ReelWatchError(
                            code: .invalidConfiguration,
                            message: "\(provider.baseURLVariable) names port \(port), outside 1–65535",
                            provider: provider
                        )
                    }
                    throw ReelWatchError(
                        code: .invalidConfiguration,
                        message:
                            "\(provider.baseURLVariable) is not an http(s) URL: '\(ReelWatchError.printable(text))'",
                        provider: provider
                    )
                }
                setBaseURL(url, for: provider)
            }
            if let text = environment[provider.apiKeyVariable], !text.isEmpty {
                guard let key = APIKey(text) else {
                    throw ReelWatchError(
                        code: .invalidConfiguration,
                        message: "\(provider.apiKeyVariable) holds control characters; set it to the key alone",
                        provider: provider
                    )
                }
                setAPIKey(key, for: provider)
            }
        }
        if let home = environment["REELWATCH_HOME"], !home.isEmpty {
            self.home = home
        }
    }

    /// The base URL of `provider`.
    public func baseURL(for provider: ProviderName) -> BaseURL {
        switch provider {
        case .heygen: heygenBaseURL
        case .hera: heraBaseURL
        }
    }

    /// The API key of `provider`, if configured.
    public func apiKey(for provider: ProviderName) -> APIKey? {
        switch provider {
        case .heygen: heygenAPIKey
        case .hera: heraAPIKey
        }
    }

    /// Sets the base URL of `provider`.
    public mutating func setBaseURL(_ url: BaseURL, for provider: ProviderName) {
        switch provider {
        case .heygen: heygenBaseURL = url
        case .hera: heraBaseURL = url
        }
    }

    /// Sets the API key of `provider`.
    public mutating func setAPIKey(_ key: APIKey?, for provider: ProviderName) {
        switch provider {
        case .heygen: heygenAPIKey = key
        case .hera: heraAPIKey = key
        }
    }
}
