import Crypto
import ReelWatch

/// What a signed HeyGen webhook body says: `{"event_type": "...", "event_data": {...}}`, read leniently (unknown
/// fields and unknown event types are fine) and strictly only on what names the job.
///
/// A delivery is a hint, never the truth: reelwatch reads only the job it names, and asks the provider for the
/// rest. No URL or state from the body is used.
public struct WebhookDelivery: Sendable, Hashable {
    /// The longest event type or event ID accepted; HeyGen's are far shorter.
    public static let maximumNameLength = 200

    /// The events that announce the end of each API's jobs — the success and failure event of its first kind
    /// (``ReelWatch/Provider/webhookEventKinds``), in registration order: what an endpoint must receive for
    /// ``coveredAPIs(subscribedTo:)`` to count the API, and what `webhook register` subscribes to by default.
    public static let endEvents: [String] = ProviderAPI.allCases.flatMap { api in
        api.adapter.webhookEventKinds.first.map { ["\($0).success", "\($0).fail"] } ?? []
    }

    /// The event types that name a job reelwatch follows, and the API of that job, as each adapter declares them
    /// (``ReelWatch/Provider/webhookEventKinds`` and ``ReelWatch/Provider/webhookFileEventKinds``): `avatar_video*`
    /// name a v3 video (`heygen:`), `video_translate*` a translation (`heygen-translate:`), `video_agent*` a Video
    /// Agent session, `proofread_creation*` a proofread (`heygen-proofread:`). Any other type (an avatar, a live
    /// avatar, a personalized video, one HeyGen added since) names no job reelwatch follows.
    public static let knownTypes: [String: ProviderAPI] = Dictionary(
        ProviderAPI.allCases.flatMap { api in
            (api.adapter.webhookEventKinds + api.adapter.webhookFileEventKinds).flatMap { kind in
                [("\(kind).success", api), ("\(kind).fail", api)]
            }
        },
        uniquingKeysWith: { first, _ in first })

    /// The event types that announce more files of a job that may have ended already
    /// (``ReelWatch/Provider/webhookFileEventKinds``: `avatar_video_gif.*`, `avatar_video_caption.*`).
    public static let fileTypes: Set<String> = Set(
        ProviderAPI.allCases.flatMap { api in
            api.adapter.webhookFileEventKinds.flatMap { ["\($0).success", "\($0).fail"] }
        })

    /// The event's type, such as `avatar_video.success`.
    public var eventType: String
    /// The job the event names; nil for a type reelwatch does not know.
    public var ref: JobRef?

    /// Whether reelwatch knows the event's type (then ``ref`` names its job).
    public var isKnownType: Bool { ref != nil }

    /// Whether the event announces more files of its job, which may have ended already (a v3 video's GIF or
    /// captions): a job that succeeded is then polled again for them.
    public var announcesFiles: Bool { ref != nil && Self.fileTypes.contains(eventType) }

    /// Creates a delivery from its parts.
    public init(eventType: String, ref: JobRef?) {
        self.eventType = eventType
        self.ref = ref
    }

    /// Reads a webhook body; throws `invalid_webhook` saying what is wrong when it is not JSON, not an object,
    /// has no readable `event_type`, or is of a known type without a valid job ID (a string that makes a
    /// reference, see ``JobRef/init(parsing:)``).
    public init(parsing body: [UInt8]) throws(ReelWatchError) {
        let document: JSONValue
        do {
            document = try JSONValue.parse(body)
        } catch {
            throw Self.invalid("the body is not JSON")
        }
        try self.init(document: document)
    }

    /// Reads a webhook body already parsed (or an event of HeyGen's list of events, as
    /// ``ReelWatch/ListedWebhookEvent/deliveryBody``); throws `invalid_webhook` as ``init(parsing:)`` does.
    public init(document: JSONValue) throws(ReelWatchError) {
        guard document.objectValue != nil else { throw Self.invalid("the body is not a JSON object") }
        guard case .string(let eventType)? = document["event_type"] else {
            throw Self.invalid("the body has no event_type string")
        }
        let type = try Self.name(eventType, "event_type")
        guard let api = Self.knownTypes[type] else {
            self.init(eventType: type, ref: nil)
            return
        }
        let keys = api.adapter.webhookIDKeys
        guard let data = document["event_data"], data.objectValue != nil else {
            throw Self.invalid("\(type) has no event_data object")
        }
        guard let key = keys.first(where: { data[$0] != nil }) ?? keys.first, case .string(let id)? = data[key] else {
            throw Self.invalid("\(type) has no \(keys.joined(separator: " or ")) string")
        }
        do {
            self.init(eventType: type, ref: try JobRef(parsing: "\(api.refPrefix):\(id)"))
        } catch {
            throw Self.invalid("\(type) names no valid job: \(error.message)")
        }
    }

    /// The event's ID: the `Heygen-Event-Id` header when there is one (refused when it is empty, longer than
    /// ``maximumNameLength`` or holds spaces or control characters), else `sha256:` and the body's digest, so that
    /// a redelivery of the same body is still recognised.
    public static func eventID(header: String?, body: [UInt8]) throws(ReelWatchError) -> String {
        guard let header else {
            return "sha256:" + SHA256.hash(data: body).map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
        }
        return try name(header, "Heygen-Event-Id")
    }

    /// `text` when it is fit to keep and log as a name: not empty, not too long, no spaces or control characters.
    private static func name(_ text: String, _ what: String) throws(ReelWatchError) -> String {
        guard !text.isEmpty else { throw invalid("\(what) is empty") }
        guard text.count <= maximumNameLength else {
            throw invalid("\(what) is longer than \(maximumNameLength) characters")
        }
        guard !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control || $0 == " " })
        else {
            throw invalid("\(what) '\(ReelWatchError.printable(text))' holds spaces or control characters")
        }
        return text
    }

    private static func invalid(_ reason: String) -> ReelWatchError {
        ReelWatchError(code: .invalidWebhook, message: "webhook delivery: \(reason)")
    }
}

extension WebhookDelivery {
    /// The APIs whose jobs an endpoint subscribed to `events` hears the end of — both the success and the failure
    /// event of the job's first kind (nil or empty: every event). Only ``knownTypes``' APIs: events name v3 videos,
    /// translations and proofreads, so jobs tracked under a legacy prefix are never made due by one.
    public static func coveredAPIs(subscribedTo events: [String]?) -> Set<ProviderAPI> {
        let all = Set(knownTypes.values)
        guard let events, !events.isEmpty else { return all }
        let subscribed = Set(events)
        return all.filter { api in
            guard let kind = api.adapter.webhookEventKinds.first else { return false }
            return subscribed.contains("\(kind).success") && subscribed.contains("\(kind).fail")
        }
    }
}

extension WebhookDelivery {
    /// The type a per-render callback is recorded under when its body has no fit `event_type`.
    public static let callbackType = "callback"

    /// Reads the body of a per-render `callback_url` delivery, whose shape HeyGen does not document: one shaped as a
    /// signed delivery of a known type is read as one; otherwise the jobs it may name, in registration order — for
    /// each API that takes a callback (``ReelWatch/Provider/callbackIDKeys``: a lipsync's `lipsync_id`, a clipping
    /// job's `clip_id`, else `id` or `video_id`), the first of its keys holding a string at the top level, in
    /// `event_data` or in `data`. The type is the body's `event_type` when it has a fit one, else
    /// ``callbackType``. Throws `invalid_webhook` when the body is not a JSON object or names no job.
    public static func callback(parsing body: [UInt8]) throws(ReelWatchError) -> (eventType: String, refs: [JobRef]) {
        let document: JSONValue
        do {
            document = try JSONValue.parse(body)
        } catch {
            throw invalid("the callback body is not JSON")
        }
        guard document.objectValue != nil else { throw invalid("the callback body is not a JSON object") }
        var eventType = callbackType
        if case .string(let type)? = document["event_type"], let fit = try? name(type, "event_type") {
            if knownTypes[fit] != nil {
                let delivery = try WebhookDelivery(document: document)
                return (delivery.eventType, delivery.ref.map { [$0] } ?? [])
            }
            eventType = fit
        }
        let containers = [document, document["event_data"], document["data"]].compactMap { $0 }
            .filter { $0.objectValue != nil }
        var refs: [JobRef] = []
        var keys: [String] = []
        for api in ProviderAPI.allCases where !api.adapter.callbackIDKeys.isEmpty {
            let apiKeys = api.adapter.callbackIDKeys
            keys += apiKeys.filter { !keys.contains($0) }
            let id = containers.lazy.compactMap { data in
                apiKeys.lazy.compactMap { key -> String? in
                    guard case .string(let id)? = data[key] else { return nil }
                    return id
                }.first
            }.first
            if let id, let ref = try? JobRef(parsing: "\(api.refPrefix):\(id)") { refs.append(ref) }
        }
        guard !refs.isEmpty else {
            throw invalid("the callback names no job: no \(keys.joined(separator: ", ")) string")
        }
        return (eventType, refs)
    }
}
