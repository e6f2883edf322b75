import Foundation
import ReelWatch

/// A webhook event the store has received, kept by its provider-given ID so that a redelivery is recognised.
public struct DeliveredEvent: Sendable, Hashable {
    /// The provider's ID of the event (HeyGen's `Heygen-Event-Id`), unique per event.
    public var id: String
    /// The event's type, such as `avatar_video.success`.
    public var type: String
    /// The job the event names; nil for an event about something else.
    public var ref: JobRef?
    /// When it was received.
    public var receivedAt: Date

    /// Creates an event record.
    public init(id: String, type: String, ref: JobRef?, receivedAt: Date) {
        self.id = id
        self.type = type
        self.ref = ref
        self.receivedAt = receivedAt
    }
}
