import Foundation
import Logging
import ReelWatchSimulator
import ReelWatchTestSupport
import ReelWatchTesting
import Testing

@testable import ReelWatch

/// Legacy notices on every API, end to end: the simulator announces an endpoint's end with a `Deprecation` or
/// `Sunset` header on its status, bulk-status or list answers, and the client over loopback HTTP warns once per API,
/// naming the ref prefix to move to, without failing any call.
@Suite("Legacy notices on every API")
struct LegacyNoticeTests {
    static let deprecation = SimulatedDeprecation.deprecation(since: 1_767_225_600)
    static let sunset = SimulatedDeprecation.sunset("Wed, 31 Dec 2026 23:59:59 GMT")

    /// A client of `endpoint` whose log lands in `log`.
    static func client(_ endpoint: SimulatorServer.Endpoint, _ log: RecordedLog) -> StatusClient {
        StatusClient(
            configuration: endpoint.configuration(apiKey: "sim-key"), clock: ManualClock(),
            wallClock: { SimulatorHarness.epoch }, logger: Logger(label: "test") { _ in log.handler })
    }

    /// The warnings `log` holds.
    static func warnings(_ log: RecordedLog) -> [String] {
        log.entries.filter { $0.level == .warning }.map(\.message)
    }

    /// The warning for an API with nothing to move to.
    static func keepsUsing(_ prefix: String, _ provider: String, _ notice: String) -> String {
        "\(provider) says the endpoint behind \(prefix): refs is legacy (\"\(notice)\"); reelwatch keeps using it; "
            + "a newer release will follow \(provider)'s replacement"
    }

    @Test("heygen: status answers with a Deprecation header (a 404 too): one warning, reelwatch keeps using it")
    func heygenStatus() async throws {
        let jobs = [SimulatorHarness.done(.v3, "a"), SimulatorHarness.done(.v3, "b")]
        let log = RecordedLog()
        try await SimulatorHarness.run(jobs) { simulator, endpoint in
            await simulator.announce(Self.deprecation, for: .v3)
            let client = Self.client(endpoint, log)
            // The notice on an error answer is seen too; the error stays what it is.
            await #expect(throws: ReelWatchError.self) { try await client.snapshot(of: JobRef(api: .v3, id: "nope")) }
            for job in jobs {
                let snapshot = try await client.snapshot(of: job.ref)
                #expect(snapshot.state == .succeeded)
            }
            #expect(await simulator.statusRequestCount(for: jobs[1].ref) == 1)
        }
        #expect(Self.warnings(log) == [Self.keepsUsing("heygen", "HeyGen", "Deprecation: @1767225600")])
    }

    @Test("hera: status answers with a Sunset header: one warning, reelwatch keeps using it")
    func heraStatus() async throws {
        let jobs = [SimulatorHarness.done(.hera, "h1"), SimulatorHarness.done(.hera, "h2")]
        let log = RecordedLog()
        try await SimulatorHarness.run(jobs) { simulator, endpoint in
            await simulator.announce(Self.sunset, for: .hera)
            let client = Self.client(endpoint, log)
            for job in jobs {
                let snapshot = try await client.snapshot(of: job.ref)
                #expect(snapshot.state == .succeeded)
            }
        }
        #expect(Self.warnings(log) == [Self.keepsUsing("hera", "Hera", "Sunset: Wed, 31 Dec 2026 23:59:59 GMT")])
    }

    @Test("heygen-v1: a Deprecation header names the prefix to move to, heygen:")
    func heygenV1Status() async throws {
        let job = SimulatorHarness.done(.v1, "old")
        let log = RecordedLog()
        try await SimulatorHarness.run([job]) { simulator, endpoint in
            await simulator.announce(Self.deprecation, for: .v1)
            let client = Self.client(endpoint, log)
            for _ in 0..<2 {
                let snapshot = try await client.snapshot(of: job.ref)
                #expect(snapshot.state == .succeeded)
            }
        }
        #expect(
            Self.warnings(log) == [
                "HeyGen says the endpoint behind heygen-v1: refs is legacy (\"Deprecation: @1767225600\"); move to "
                    + "heygen: refs (heygen-v1: still works for now)"
            ])
    }

    @Test("bulk status: the notice on a bulk answer (no single status asked) warns once")
    func bulkStatus() async throws {
        let jobs = [SimulatorHarness.done(.translate, "t1"), SimulatorHarness.done(.translate, "t2")]
        let log = RecordedLog()
        try await SimulatorHarness.run(jobs) { simulator, endpoint in
            await simulator.announce(Self.deprecation, for: .translate)
            let client = Self.client(endpoint, log)
            for _ in 0..<2 {
                let statuses = try await client.bulkStatuses(of: jobs.map(\.ref))
                #expect(statuses.count == 2)
            }
            #expect(await simulator.bulkRequestCount == 2)
            #expect(await simulator.counts.statusRequests == 0)
        }
        #expect(
            Self.warnings(log) == [Self.keepsUsing("heygen-translate", "HeyGen", "Deprecation: @1767225600")])
    }

    @Test("list: the notice on a list answer (no status asked) warns once")
    func listPage() async throws {
        let jobs = [SimulatorHarness.done(.v3, "l1"), SimulatorHarness.done(.v3, "l2")]
        let log = RecordedLog()
        try await SimulatorHarness.run(jobs) { simulator, endpoint in
            await simulator.announce(Self.sunset, for: .v3)
            let client = Self.client(endpoint, log)
            let first = try await client.renderListPage(of: .v3, limit: 1)
            let second = try await client.renderListPage(of: .v3, token: first.nextToken, limit: 1)
            #expect(first.renders.count + second.renders.count == 2)
            #expect(await simulator.counts.listRequests == 2)
            #expect(await simulator.counts.statusRequests == 0)
        }
        #expect(Self.warnings(log) == [Self.keepsUsing("heygen", "HeyGen", "Sunset: Wed, 31 Dec 2026 23:59:59 GMT")])
    }
}
