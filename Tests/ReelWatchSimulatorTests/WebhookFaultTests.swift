import Foundation
import ReelWatch
import ReelWatchSimulator
import ReelWatchTestSupport
import ReelWatchTesting
import ReelWatchWebhooks
import Testing

/// The seeded webhook faults over real loopback HTTP: drops, duplicates, corrupted signatures, reordering and
/// delays, the same for the same seed.
@Suite("Simulator webhook faults")
struct WebhookFaultTests {
    typealias Base = WebhookDispatcherTests

    /// `count` v3 jobs ending one simulated second apart, all ended.
    static func ended(_ count: Int, faults: WebhookFaults, port: Int) async -> Simulator {
        let simulator = await Base.simulator((1...count).map { Base.job(.v3, "v\($0)", end: $0 * 10) })
        await simulator.injectWebhookFaults(faults)
        await simulator.addWebhookDestination(Base.signed(port))
        await simulator.advance(by: .seconds(count * 10))
        return simulator
    }

    @Test("the plan of an event depends only on the seed and the event's place")
    func plansAreSeeded() {
        let faults = WebhookFaults(drop: 0.3, duplicate: 0.3, reorder: 0.3, badSignature: 0.3, seed: 42)
        let plans = (0..<200).map(faults.plan(forEvent:))
        #expect(
            plans
                == (0..<200).map(
                    WebhookFaults(drop: 0.3, duplicate: 0.3, reorder: 0.3, badSignature: 0.3, seed: 42).plan(forEvent:))
        )
        #expect(
            plans
                != (0..<200).map(
                    WebhookFaults(drop: 0.3, duplicate: 0.3, reorder: 0.3, badSignature: 0.3, seed: 43).plan(forEvent:))
        )
        let dropped = plans.count(where: \.dropped)
        #expect((40...80).contains(dropped), "about 30 % of 200: \(dropped)")
        #expect(plans.allSatisfy { !$0.dropped || (!$0.duplicated && !$0.badSignature && !$0.reordered) })
        #expect(WebhookFaults(drop: 1).plan(forEvent: 5).dropped)
        #expect(WebhookFaults(drop: 7, duplicate: -1).drop == 1)
        #expect(WebhookFaults(duplicate: -1).duplicate == 0)
        #expect((0..<50).map(WebhookFaults().plan(forEvent:)).allSatisfy { $0 == WebhookFaults.Plan() })
    }

    @Test("drop, duplicate and bad signature with a fixed seed: the expected counts, dropped events still listed")
    func dropDuplicateBadSignature() async throws {
        try await WebhookReceiverStub.withRunning(secret: Base.secret) { stub, port in
            let faults = WebhookFaults(drop: 0.25, duplicate: 0.25, badSignature: 0.2, seed: 2026)
            let simulator = await Self.ended(40, faults: faults, port: port)
            // A long timeout: under the whole suite a stub's answer once took more than HeyGen's 10 s, and a copy
            // sent again after a timeout is not what this test counts.
            let records = await Base.dispatcher(simulator, deliveryTimeout: .seconds(60)).deliverDue()
            #expect(records.count == 40)
            let counts = await simulator.counts
            #expect(counts.webhooksDropped == 10)
            #expect(counts.webhooksDuplicated == 5)
            #expect(counts.webhooksWithBadSignature == 8)
            #expect(counts.webhooksDelivered == 40 - 10 - 8)
            #expect(counts.webhooksFailed == 8)
            #expect(counts.webhookDeliveries == 40)

            let events = await simulator.webhookEvents
            let received = await stub.received
            // Each copy sent once: a bad signature is answered 401 and not retried.
            #expect(received.count == 40 - 10 + 5)
            #expect(counts.webhookRequests == received.count)
            for record in records {
                let copies = received.filter { $0.eventID == record.eventID }
                let plan = faults.plan(forEvent: try #require(events.firstIndex { $0.id == record.eventID }))
                #expect(record.plan == plan)
                #expect(copies.count == (plan.dropped ? 0 : plan.duplicated ? 2 : 1))
                #expect(record.attempts == copies.count)
                #expect(Set(copies.map(\.body)).count <= 1, "a duplicate carries the same body")
                if !plan.dropped { #expect(record.lastStatus == (plan.badSignature ? 401 : 200)) }
                #expect(record.delivered == (!plan.dropped && !plan.badSignature))
            }
            #expect(Set(received.compactMap(\.eventID)).count == 40 - 10)
        }
    }

    @Test("a reordered event is held back to the next round and sent after the events that came after it")
    func reorder() async throws {
        try await WebhookReceiverStub.withRunning { stub, port in
            let faults = WebhookFaults(reorder: 0.4, seed: 11)
            let simulator = await Self.ended(10, faults: faults, port: port)
            let dispatcher = Base.dispatcher(simulator)
            let first = await dispatcher.deliverDue()
            let held = (0..<10).filter { faults.plan(forEvent: $0).reordered }
            #expect(held == [1, 2, 5, 8, 9])
            #expect(first.count == 10 - held.count)
            let events = await simulator.webhookEvents
            #expect(Set(await stub.eventIDs) == Set(events.indices.filter { !held.contains($0) }.map { events[$0].id }))

            // The next round: a newer event, and the ones held back.
            await simulator.add(Base.job(.v3, "late", end: 0))
            #expect(!faults.plan(forEvent: 10).reordered)
            let second = await dispatcher.deliverDue()
            #expect(second.count == held.count + 1)
            let ids = await stub.eventIDs
            let lateID = try #require(await simulator.webhookEvents.last?.id)
            #expect(Set(ids.dropFirst(first.count)) == Set(held.map { events[$0].id } + [lateID]))
            _ = await dispatcher.deliverDue()
            #expect(Set(await stub.eventIDs).count == 11)
            #expect(await simulator.counts.webhooksReordered == held.count)
            #expect(await simulator.counts.webhooksDelivered == 11)
        }
    }

    @Test("a delay fault waits on the dispatcher's clock before sending")
    func delay() async throws {
        try await WebhookReceiverStub.withRunning { stub, port in
            let faults = WebhookFaults(delay: .seconds(30) ... .seconds(30))
            let simulator = await Self.ended(1, faults: faults, port: port)
            let clock = ManualClock()
            let dispatcher = Base.dispatcher(simulator, clock: clock)
            async let records = dispatcher.deliverDue()
            let deadlines = await clock.sleepers(1)
            #expect(deadlines == [ManualClock.Instant(offset: .seconds(30))])
            #expect(await stub.received.isEmpty)
            clock.advance(by: .seconds(30))
            let delivered = await records
            #expect(delivered.map(\.plan.delay) == [.seconds(30)])
            #expect(delivered.map(\.delivered) == [true])
            #expect(await stub.received.count == 1)
        }
    }
}
