import Foundation
import ReelWatch

/// A webhook event the simulator made when a HeyGen render ended, as HeyGen makes one: what its deliveries carry
/// and what its list of events shows.
public struct SimulatedWebhookEvent: Sendable, Hashable {
    /// The event's ID (`evt_` and 24 hex digits), sent as `Heygen-Event-Id`.
    public var id: String
    /// The event's type, such as `avatar_video.success`.
    public var type: String
    /// The event's data, the body's `event_data`.
    public var data: JSONValue
    /// The job the event is about.
    public var ref: JobRef
    /// When the render ended, in the simulator's wall-clock time (whole seconds).
    public var createdAt: Date
    /// The event's place among all the simulator made, from 0.
    public var sequence: Int

    /// Creates an event.
    public init(id: String, type: String, data: JSONValue, ref: JobRef, createdAt: Date, sequence: Int) {
        self.id = id
        self.type = type
        self.data = data
        self.ref = ref
        self.createdAt = createdAt
        self.sequence = sequence
    }

    /// The delivery body: `{"event_type", "event_data"}`.
    public var body: JSONValue {
        ["event_type": .string(type), "event_data": data]
    }

    /// The entry of HeyGen's list of events: `{"event_id", "event_type", "event_data", "created_at"}`.
    public var listEntry: JSONValue {
        [
            "event_id": .string(id), "event_type": .string(type), "event_data": data,
            "created_at": .number(createdAt.timeIntervalSince1970.rounded(.down)),
        ]
    }

    /// The ID of the event with sequence number `sequence` in a simulator seeded with `seed`: 16 hex digits drawn
    /// from both, then the sequence number in 8, so that IDs never repeat within a run.
    static func id(sequence: Int, seed: UInt64) -> String {
        var random = SplitMix64(seed: seed ^ UInt64(truncatingIfNeeded: sequence))
        let drawn = String(random.next(), radix: 16)
        let counter = String(UInt32(truncatingIfNeeded: sequence), radix: 16)
        return "evt_" + String(repeating: "0", count: 16 - drawn.count) + drawn
            + String(repeating: "0", count: 8 - counter.count) + counter
    }
}
