import Foundation
import HTTPTypes
import ReelWatch

/// The simulator's webhook endpoints, in the order they were registered, and how a new URL is checked.
struct WebhookEndpointRegistry: Sendable {
    /// The endpoints, oldest first.
    var endpoints: [SimulatedWebhookEndpoint] = []
    /// Checks a URL before it is registered: true when it answers `OPTIONS` with 2xx.
    var check: @Sendable (String) async -> Bool = WebhookEndpointRegistry.optionsCheck

    /// The index of endpoint `id`.
    func index(of id: String) -> Int? { endpoints.firstIndex { $0.id == id } }

    /// The event types HeyGen delivers, with what they mean.
    static let eventTypes: [(String, String)] = [
        ("avatar_video.success", "An avatar video finished rendering."),
        ("avatar_video.fail", "An avatar video failed to render."),
        ("avatar_video_gif.success", "An avatar video GIF finished rendering."),
        ("avatar_video_gif.fail", "An avatar video GIF failed to render."),
        ("video_translate.success", "A video translation finished."),
        ("video_translate.fail", "A video translation failed."),
        ("proofread_creation.success", "A translation proofread was created."),
        ("proofread_creation.fail", "A translation proofread failed."),
        ("video_agent.success", "A Video Agent session finished its video."),
        ("video_agent.fail", "A Video Agent session failed."),
        ("avatar_video_caption.success", "An avatar video's captions finished rendering."),
        ("avatar_video_caption.fail", "An avatar video's captions failed to render."),
        ("instant_avatar.success", "An instant avatar was created."),
        ("instant_avatar.fail", "An instant avatar failed."),
        ("photo_avatar_generation.success", "A photo avatar was generated."),
        ("photo_avatar_generation.fail", "A photo avatar failed to generate."),
        ("photo_avatar_train.success", "A photo avatar group was trained."),
        ("photo_avatar_train.fail", "A photo avatar group failed to train."),
        ("photo_avatar_add_motion.success", "Motion was added to a photo avatar."),
        ("photo_avatar_add_motion.fail", "Motion could not be added to a photo avatar."),
        ("live_avatar.success", "A live avatar was created."),
        ("live_avatar.fail", "A live avatar failed."),
        ("personalized_video", "A personalized video changed."),
    ]

    /// `prefix` and `count` random lowercase hex digits.
    static func random(_ prefix: String, hexDigits count: Int) -> String {
        prefix + (0..<count).map { _ in String(UInt8.random(in: 0...15), radix: 16) }.joined()
    }

    /// Sends `url` an `OPTIONS` request, as HeyGen does before it registers an endpoint: true for a 2xx answer
    /// within a second.
    @Sendable static func optionsCheck(_ url: String) async -> Bool {
        guard let components = URLComponents(string: url), let (scheme, authority) = BaseURL.origin(of: components)
        else { return false }
        var path = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
        if let query = components.percentEncodedQuery { path += "?" + query }
        let request = HTTPRequest(method: .options, scheme: scheme, authority: authority, path: path)
        guard let (head, _) = try? await AsyncHTTPClientTransport().send(request, timeout: .seconds(1)) else {
            return false
        }
        return (200..<300).contains(head.status.code)
    }
}
