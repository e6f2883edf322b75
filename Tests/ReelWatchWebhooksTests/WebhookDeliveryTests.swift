import Foundation
import ReelWatch
import ReelWatchWebhooks
import Testing

/// Reading HeyGen's webhook bodies: the listed event types, unknown ones, and hostile input.
@Suite("WebhookDelivery")
struct WebhookDeliveryTests {
    static func parse(_ text: String) throws(ReelWatchError) -> WebhookDelivery {
        try WebhookDelivery(parsing: Array(text.utf8))
    }

    static func refusal(_ text: String) -> String? {
        do {
            _ = try parse(text)
            return nil
        } catch {
            #expect(error.code == .invalidWebhook)
            return error.message
        }
    }

    @Test(
        "every listed type names its job; unknown fields are fine",
        arguments: [
            (
                #"{"event_type":"avatar_video.success","event_data":{"video_id":"v1","url":"https://x/y.mp4","callback_id":"c","new_field":[1]}}"#,
                "heygen:v1"
            ),
            (
                #"{"event_type":"avatar_video.fail","event_data":{"video_id":"v2","msg":"too long","callback_id":null}}"#,
                "heygen:v2"
            ),
            (#"{"event_type":"avatar_video_gif.success","event_data":{"video_id":"g1","url":"u"}}"#, "heygen:g1"),
            (#"{"event_type":"avatar_video_gif.fail","event_data":{"video_id":"g2","msg":"m"}}"#, "heygen:g2"),
            (
                #"{"event_type":"video_translate.success","event_data":{"video_translate_id":"t1","url":"u","callback_id":"c","output_language":"fr"}}"#,
                "heygen-translate:t1"
            ),
            (
                #"{"event_type":"video_translate.fail","event_data":{"video_translate_id":"t2","message":"no speech","output_language":"de"}}"#,
                "heygen-translate:t2"
            ),
        ])
    func knownTypes(body: String, ref: String) throws {
        let delivery = try Self.parse(body)
        #expect(delivery.isKnownType)
        #expect(delivery.ref == (try JobRef(parsing: ref)))
        #expect(WebhookDelivery.knownTypes[delivery.eventType] != nil)
    }

    @Test("an unknown type is read and names no job, whatever its data")
    func unknownType() throws {
        let delivery = try Self.parse(#"{"event_type":"photo_avatar.success","event_data":{"video_id":"x"},"more":1}"#)
        #expect(delivery == WebhookDelivery(eventType: "photo_avatar.success", ref: nil))
        #expect(!delivery.isKnownType)
        #expect(try Self.parse(#"{"event_type":"batch.finished"}"#).ref == nil)
    }

    @Test("hostile bodies are clear errors, never a trap")
    func hostile() {
        #expect(Self.refusal("{") == "webhook delivery: the body is not JSON")
        #expect(Self.refusal("") == "webhook delivery: the body is not JSON")
        #expect(Self.refusal("[1,2]") == "webhook delivery: the body is not a JSON object")
        #expect(Self.refusal("1e400") == "webhook delivery: the body is not JSON")
        #expect(Self.refusal(#""avatar_video.success""#) == "webhook delivery: the body is not a JSON object")
        #expect(Self.refusal(#"{"event_type":42}"#) == "webhook delivery: the body has no event_type string")
        #expect(Self.refusal(#"{"event_type":""}"#) == "webhook delivery: event_type is empty")
        #expect(
            Self.refusal(#"{"event_type":"avatar_video.success"}"#)
                == "webhook delivery: avatar_video.success has no event_data object")
        #expect(
            Self.refusal(#"{"event_type":"avatar_video.success","event_data":[]}"#)
                == "webhook delivery: avatar_video.success has no event_data object")
        #expect(
            Self.refusal(#"{"event_type":"avatar_video.success","event_data":{"video_id":1e300}}"#)
                == "webhook delivery: avatar_video.success has no video_id string")
        #expect(
            Self.refusal(#"{"event_type":"video_translate.fail","event_data":{"video_id":"v"}}"#)
                == "webhook delivery: video_translate.fail has no video_translate_id string")
        let refused = ["", "..", "a b", "a\\u0000b", String(repeating: "x", count: JobRef.maximumIDLength + 1)]
        for id in refused {
            let message = Self.refusal(#"{"event_type":"avatar_video.success","event_data":{"video_id":"\#(id)"}}"#)
            #expect(message?.hasPrefix("webhook delivery: avatar_video.success names no valid job: ") == true, "\(id)")
        }
        let nested = String(repeating: "[", count: 100_000)
        #expect(
            Self.refusal(#"{"event_type":"x","event_data":\#(nested)}"#) == "webhook delivery: the body is not JSON")
        #expect(Self.refusal(#"{"event_type":"a\u001bb"}"#)?.contains("\u{1b}") == false)
    }

    @Test("the event ID: the header, checked; without one, the body's digest")
    func eventID() throws {
        let body = Array("{}".utf8)
        #expect(try WebhookDelivery.eventID(header: "evt_123", body: body) == "evt_123")
        let digest = try WebhookDelivery.eventID(header: nil, body: body)
        #expect(digest == "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a")
        for bad in ["", "a b", "a\u{0}", String(repeating: "e", count: 201)] {
            #expect(throws: ReelWatchError.self) { try WebhookDelivery.eventID(header: bad, body: body) }
        }
    }

    @Test("the timestamp: within five minutes either way; missing, malformed or further off is refused")
    func timestamp() throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        try WebhookTimestamp.check("1800000000", now: now)
        try WebhookTimestamp.check("1799999700", now: now)
        try WebhookTimestamp.check("1800000300", now: now)
        for bad in [nil, "", "1799999699", "1800000301", "-1800000000", "1.8e9", " 1800000000", "99999999999999999999"]
        {
            do {
                try WebhookTimestamp.check(bad, now: now)
                Issue.record("accepted \(bad ?? "nil")")
            } catch {
                #expect(error.code == .webhookRejected)
            }
        }
    }
}
