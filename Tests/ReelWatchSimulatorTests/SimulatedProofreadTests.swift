import Foundation
import ReelWatch
import ReelWatchSimulator
import ReelWatchTestSupport
import ReelWatchWebhooks
import Testing

/// The simulator's proofreads and background removals: their webhook events (or none), read back as reelwatch reads
/// HeyGen's.
@Suite("Simulated proofreads and background removals")
struct SimulatedProofreadTests {
    @Test("a proofread's end sends proofread_creation.success or .fail naming it; a background removal sends none")
    func events() async throws {
        let simulator = Simulator(timeScale: 0, epoch: SimulatorHarness.epoch)
        await simulator.add([
            SimulatedJob(ref: JobRef(api: .proofread, id: "p-ok"), queueTime: .zero, renderTime: .seconds(10)),
            SimulatedJob(
                ref: JobRef(api: .proofread, id: "p-bad"), queueTime: .zero, renderTime: .seconds(20),
                outcome: SimulatedJob.documentedFailure(for: .proofread)),
            SimulatedJob(ref: JobRef(api: .backgroundRemoval, id: "b"), queueTime: .zero, renderTime: .seconds(5)),
        ])
        await simulator.advance(by: .seconds(30))
        let events = await simulator.takeEndedEvents(fileBase: "http://127.0.0.1:1")
        #expect(events.map(\.type) == ["proofread_creation.success", "proofread_creation.fail"])
        #expect(events.map { $0.data["proofread_id"]?.text } == ["p-ok", "p-bad"])
        let refs = try events.map { event throws(ReelWatchError) in try WebhookDelivery(document: event.body).ref }
        #expect(refs == [JobRef(api: .proofread, id: "p-ok"), JobRef(api: .proofread, id: "p-bad")])
    }
}
