import Foundation

/// A webhook endpoint registered with HeyGen: where it delivers, which events, and — only in the answer to a
/// registration — its signing secret.
public struct WebhookEndpoint: Sendable, Hashable {
    /// The longest endpoint ID accepted (it is put in request paths and saved).
    public static let maximumIDLength = 200
    /// The longest endpoint URL accepted.
    public static let maximumURLLength = 2048
    /// The longest event type accepted.
    public static let maximumEventLength = 100

    /// HeyGen's ID of the endpoint, such as `ep_…`.
    public var id: String
    /// Where HeyGen delivers, as HeyGen reported it (nil when it did not say).
    public var url: String?
    /// HeyGen's word for the endpoint's state, such as `enabled`.
    public var status: String?
    /// The event types delivered; nil for all.
    public var events: [String]?
    /// When the endpoint was created.
    public var createdAt: Date?
    /// The signing secret: present only in the answer to a registration.
    public var secret: WebhookSecret?

    /// Creates an endpoint from its parts.
    public init(
        id: String, url: String?, status: String? = nil, events: [String]? = nil, createdAt: Date? = nil,
        secret: WebhookSecret? = nil
    ) {
        self.id = id
        self.url = url
        self.status = status
        self.events = events
        self.createdAt = createdAt
        self.secret = secret
    }

    /// Throws `invalid_config` unless `id` is fit to put in a request path and a file: 1–200 characters, no `/`,
    /// `\`, `?`, `#`, `%`, `..`, spaces or control characters.
    public static func validateID(_ id: String) throws(ReelWatchError) {
        if let reason = problem(withID: id) {
            throw ReelWatchError(
                code: .invalidConfiguration,
                message: "'\(ReelWatchError.printable(id, limit: 60))' is not a webhook endpoint ID: \(reason)")
        }
    }

    /// What is wrong with `id` as an endpoint ID; nil when nothing is.
    public static func problem(withID id: String) -> String? {
        if id.isEmpty { return "it is empty" }
        if id.count > maximumIDLength { return "it is longer than \(maximumIDLength) characters" }
        if id.contains("..") { return "it contains '..'" }
        let forbidden = "/\\?#%".unicodeScalars
        if id.unicodeScalars.contains(where: {
            $0.properties.generalCategory == .control || $0.properties.isWhitespace || forbidden.contains($0)
        }) {
            return "it contains '/', '\\', '?', '#', '%', spaces or control characters"
        }
        return nil
    }

    /// Throws `invalid_config` unless `url` is an absolute `http`/`https` URL with a host, without user
    /// information or a fragment, at most 2048 characters, with no spaces or control characters.
    public static func validateURL(_ url: String) throws(ReelWatchError) {
        func invalid(_ reason: String) -> ReelWatchError {
            ReelWatchError(
                code: .invalidConfiguration,
                message: "'\(ReelWatchError.printable(url, limit: 100))' is not a webhook URL: \(reason)")
        }
        guard url.utf8.count <= maximumURLLength else {
            throw invalid("it is longer than \(maximumURLLength) bytes")
        }
        guard !url.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F || !$0.isASCII }) else {
            throw invalid("it contains spaces, control or non-ASCII characters")
        }
        guard let components = URLComponents(string: url), BaseURL.origin(of: components) != nil else {
            throw invalid("use an http(s) URL with a host, e.g. https://hooks.example.com/webhooks/heygen")
        }
        guard components.user == nil, components.password == nil else {
            throw invalid("it must not hold a user name or password")
        }
        guard components.fragment == nil else { throw invalid("it must not have a #fragment") }
    }

    /// Throws `invalid_config` unless every event type is 1–100 characters without commas, spaces or control
    /// characters, and there is at least one.
    public static func validateEvents(_ events: [String]) throws(ReelWatchError) {
        guard !events.isEmpty else {
            throw ReelWatchError(code: .invalidConfiguration, message: "no webhook event type is given")
        }
        for event in events where problem(withEvent: event) != nil {
            throw ReelWatchError(
                code: .invalidConfiguration,
                message: "'\(ReelWatchError.printable(event, limit: 60))' is not a webhook event type: "
                    + (problem(withEvent: event) ?? ""))
        }
    }

    /// What is wrong with `event` as an event type; nil when nothing is.
    static func problem(withEvent event: String) -> String? {
        if event.isEmpty { return "it is empty" }
        if event.count > maximumEventLength { return "it is longer than \(maximumEventLength) characters" }
        if event.unicodeScalars.contains(where: {
            $0.properties.generalCategory == .control || $0.properties.isWhitespace || $0 == ","
        }) {
            return "it contains commas, spaces or control characters"
        }
        return nil
    }
}
