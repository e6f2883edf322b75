import Foundation
import GRDB
import ReelWatch
import Testing

@testable import ReelWatchStore

/// What every `JobStore` keeps for webhooks: the IDs of the events received, and jobs made due by one.
@Suite("JobStore webhooks")
struct WebhookStoreTests {
    static let t0 = JobStoreTests.t0

    @Test(
        "an event ID is new once; its redelivery says so and records nothing", arguments: [StoreKind.sqlite, .memory])
    func deliveryRecordedOnce(kind: StoreKind) async throws {
        let store = try kind.make()
        let event = DeliveredEvent(
            id: "evt_1", type: "avatar_video.success", ref: JobRef(api: .v3, id: "v1"), receivedAt: Self.t0)
        #expect(try await store.recordDelivery(event))
        let reopened = try kind.reopen(store)
        var again = event
        again.receivedAt = Self.t0.addingTimeInterval(60)
        #expect(try await reopened.recordDelivery(again) == false)
        #expect(
            try await reopened.recordDelivery(
                DeliveredEvent(id: "evt_2", type: "batch.finished", ref: nil, receivedAt: Self.t0)))
        #expect(try await reopened.deliveredEventCount() == 2)
    }

    @Test(
        "makeDue: a job still polling is due at once, one that has ended is left as it is, an untracked one is nil",
        arguments: [StoreKind.sqlite, .memory])
    func makeDue(kind: StoreKind) async throws {
        let store = try kind.make()
        let polling = JobRef(api: .v3, id: "polling")
        let ended = JobRef(api: .v3, id: "ended")
        _ = try await store.track(all: [TrackRequest(ref: polling), TrackRequest(ref: ended)], at: Self.t0)
        let later = Self.t0.addingTimeInterval(600)
        try await store.record([
            JobStoreTests.answer(polling, .processing, next: later),
            JobStoreTests.answer(ended, .failed, next: later),
        ])
        let now = Self.t0.addingTimeInterval(30)
        #expect(try await store.dueJobs(at: now, limit: 10).isEmpty)

        let made = try #require(try await store.makeDue(polling, at: now))
        #expect(made.nextPollAt == now)
        #expect(made.phase == .polling)
        #expect(try await store.dueJobs(at: now, limit: 10).map(\.ref) == [polling])
        #expect(try await store.nextDue() == now)

        let left = try #require(try await store.makeDue(ended, at: now))
        #expect(left.phase == .done)
        #expect(left.nextPollAt == later)
        #expect(try await store.makeDue(JobRef(api: .v3, id: "unknown"), at: now) == nil)
    }

    @Test("v5 to v6: the webhook event table is added, the jobs are intact")
    func migratesFromV5() async throws {
        let path = JobStoreTests.path()
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let queue = try DatabaseQueue(path: path)
        try StoreSchema.migrator.migrate(queue, upTo: "v5")
        try await queue.write { db in
            try db.execute(
                sql: """
                    INSERT INTO job (ref, added_at, updated_at, next_poll_at, phase, polls)
                    VALUES ('heygen:old', 1800000000, 1800000000, 1800000100, 'polling', 3)
                    """)
        }
        let store = try SQLiteJobStore(path: path)
        let ref = JobRef(api: .v3, id: "old")
        #expect(try await store.job(ref)?.polls == 3)
        let applied = try await queue.read { db in
            try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations")
        }
        #expect(applied == StoreSchema.migrator.migrations)
        #expect(applied.contains("v6"))
        let event = DeliveredEvent(id: "evt_9", type: "avatar_video.fail", ref: ref, receivedAt: Self.t0)
        #expect(try await store.recordDelivery(event))
        let row = try queue.read { db in
            try Row.fetchOne(db, sql: "SELECT event_id, event_type, ref, received_at FROM webhook_event")
        }
        #expect(row?["event_id"] == "evt_9")
        #expect(row?["event_type"] == "avatar_video.fail")
        #expect(row?["ref"] == "heygen:old")
        #expect(row?["received_at"] == 1_800_000_000.0)
    }
}
