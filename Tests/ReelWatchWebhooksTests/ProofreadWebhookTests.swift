import Foundation
import ReelWatch
import ReelWatchWebhooks
import Testing

/// `proofread_creation.success` / `.fail` name a proofread (`heygen-proofread:`). HeyGen does not document the
/// `event_data` key: `proofread_id` is read, else `id`.
@Suite("Proofread webhooks")
struct ProofreadWebhookTests {
    static func parse(_ text: String) throws(ReelWatchError) -> WebhookDelivery {
        try WebhookDelivery(parsing: Array(text.utf8))
    }

    @Test(
        "both events name the proofread by proofread_id or id",
        arguments: [
            (#"{"event_type":"proofread_creation.success","event_data":{"proofread_id":"p1","x":[1]}}"#, "p1"),
            (#"{"event_type":"proofread_creation.fail","event_data":{"id":"p2","message":"no speech"}}"#, "p2"),
            (#"{"event_type":"proofread_creation.success","event_data":{"proofread_id":"p3","id":"other"}}"#, "p3"),
        ])
    func named(body: String, id: String) throws {
        let delivery = try Self.parse(body)
        #expect(delivery.isKnownType)
        #expect(delivery.ref == JobRef(api: .proofread, id: id))
        #expect(WebhookDelivery.knownTypes[delivery.eventType] == .proofread)
    }

    @Test("an event without a usable ID is a clear error")
    func refused() {
        for (body, reason) in [
            (
                #"{"event_type":"proofread_creation.success","event_data":{"video_id":"v"}}"#,
                "proofread_creation.success has no proofread_id or id string"
            ),
            (
                #"{"event_type":"proofread_creation.fail","event_data":{"proofread_id":7}}"#,
                "proofread_creation.fail has no proofread_id or id string"
            ),
            (#"{"event_type":"proofread_creation.fail"}"#, "proofread_creation.fail has no event_data object"),
        ] {
            #expect(throws: ReelWatchError.self) { try Self.parse(body) }
            do {
                _ = try Self.parse(body)
            } catch {
                #expect(error.code == .invalidWebhook)
                #expect(error.message == "webhook delivery: " + reason)
            }
        }
    }

    @Test("the known types are the adapters' events; background removals have none")
    func known() {
        #expect(WebhookDelivery.knownTypes["proofread_creation.success"] == .proofread)
        #expect(WebhookDelivery.knownTypes["proofread_creation.fail"] == .proofread)
        #expect(!WebhookDelivery.knownTypes.values.contains(.backgroundRemoval))
        #expect(WebhookDelivery.knownTypes["avatar_video_gif.fail"] == .v3)
        #expect(WebhookDelivery.knownTypes["video_translate.success"] == .translate)
    }
}
