import Foundation
import HTTPTypes
import ReelWatch
import ReelWatchSimulator
import ReelWatchTestSupport
import ReelWatchTesting
import Testing

/// HeyGen's bulk status endpoint, against the simulator and on scripted answers.
@Suite("Bulk status")
struct BulkStatusTests {
    @Test("up to 100 IDs a request; every status word mapped; unknown IDs are not_found; reserved characters kept")
    func overHTTP() async throws {
        var jobs = (0..<150).map {
            SimulatedJob(ref: JobRef(api: .v3, id: "v\($0)"), queueTime: .zero, renderTime: .seconds(600))
        }
        jobs.append(SimulatorHarness.done(.v3, "done 1"))
        var failed = SimulatorHarness.done(.v3, "bad")
        failed.outcome = SimulatedJob.documentedFailure(for: .v3)
        jobs.append(failed)
        let ids = jobs.map(\.ref.id) + ["ghost"]
        try await SimulatorHarness.run(jobs) { simulator, endpoint in
            let statuses = try await SimulatorHarness.client(endpoint).bulkStatuses(ofV3: ids)
            #expect(await simulator.bulkRequestCount == 2)
            #expect(statuses.count == ids.count)
            #expect(statuses["v0"]?.state == .processing)
            #expect(statuses["done 1"]?.state == .succeeded)
            #expect(statuses["done 1"]?.providerStatus.rawValue == "completed")
            #expect(statuses["bad"]?.state == .failed)
            #expect(statuses["bad"]?.failure?.code != nil)
            #expect(statuses["ghost"]?.isNotFound == true)
        }
    }

    @Test("next_token pages are followed; a body without a data list is an invalid answer")
    func pagesAndBadBodies() async throws {
        let page1 = #"{"data":[{"video_id":"a","status":"queued"}],"has_more":true,"next_token":"t2"}"#
        let page2 = #"{"data":[{"video_id":"b","status":"processing"}],"has_more":false,"next_token":null}"#
        let transport = ScriptedTransport([.json(page1), .json(page2)])
        let client = StatusClient(
            configuration: Configuration(
                heygenBaseURL: BaseURL("http://heygen.test")!, heraBaseURL: BaseURL("http://hera.test")!,
                heygenAPIKey: APIKey("k")),
            transport: transport,
            clock: ManualClock(),
            wallClock: { SimulatorHarness.epoch },
            logger: SimulatorHarness.quiet
        )
        let statuses = try await client.bulkStatuses(ofV3: ["a", "b"])
        #expect(statuses["a"]?.state == .queued)
        #expect(statuses["b"]?.state == .processing)
        let paths = transport.requests.map { $0.path ?? "" }
        #expect(paths == ["/v3/videos/statuses?video_ids=a,b", "/v3/videos/statuses?video_ids=a,b&next_token=t2"])

        let bad = StatusClient(
            configuration: Configuration(
                heygenBaseURL: BaseURL("http://heygen.test")!, heraBaseURL: BaseURL("http://hera.test")!,
                heygenAPIKey: APIKey("k")),
            transport: ScriptedTransport([.json(#"{"data": {"video_id": "a"}}"#)]),
            clock: ManualClock(),
            wallClock: { SimulatorHarness.epoch },
            logger: SimulatorHarness.quiet
        )
        await #expect(throws: ReelWatchError.self) { try await bad.bulkStatuses(ofV3: ["a"]) }
    }
}
