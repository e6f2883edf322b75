import ReelWatch
import ReelWatchWebhooks

extension WebhookReceiver {
    /// Handles one event of HeyGen's list of webhook events, as reconciliation finds it: recorded once by its ID
    /// and acted on as a signed delivery is — the list comes from the provider's API under the account's key — so
    /// an event whose delivery was lost still makes its job due (or tracks it, with `--track-webhooks`), and one
    /// delivered before is a duplicate.
    public func receiveListed(_ event: ListedWebhookEvent) async -> WebhookOutcome {
        let delivery: WebhookDelivery
        do throws(ReelWatchError) {
            delivery = try WebhookDelivery(document: event.deliveryBody)
        } catch {
            return .malformed
        }
        return await record(delivery, eventID: event.id, at: wallClockNow(), mayTrack: true)
    }
}
