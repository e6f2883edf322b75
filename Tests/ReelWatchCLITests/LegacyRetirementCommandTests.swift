import Foundation
import ReelWatch
import ReelWatchSimulator
import Testing

/// HeyGen retired its v1 and v2 routes on 2026-11-01: a `heygen-v1:` or `heygen-translate-v2:` ref whose route
/// answers 410 or 404 is followed on its successor with the same ID, through the real binary and the simulator.
@Suite("retired legacy routes")
struct LegacyRetirementCommandTests {
    /// The legacy APIs and each retirement mode.
    static let cases: [(ProviderAPI, SimulatedRetirement)] = [ProviderAPI.v1, .translateV2].flatMap { api in
        SimulatedRetirement.allCases.map { (api, $0) }
    }

    /// The one warning a retired route of `api` gets.
    static func warning(_ api: ProviderAPI, status: Int) -> String {
        let successor = api.successor?.refPrefix ?? "?"
        return "HeyGen retired the endpoint behind \(api.refPrefix): refs (HTTP \(status)); "
            + "reelwatch follows those jobs as \(successor): refs (the same IDs) from now on"
    }

    /// Whether `run` printed that one warning and nothing else on stderr (a line of text, or of JSON with `--json`).
    static func warnedOnce(_ run: CLI.Run, _ api: ProviderAPI, _ retirement: SimulatedRetirement) -> Bool {
        let warning = Self.warning(api, status: httpStatus(retirement))
        guard run.stderrLines.count == 1, let line = run.stderrLines.first else { return false }
        return line.hasPrefix("reelwatch: warning: " + warning)
            || line.hasPrefix("{\"warning\":")
                && line.contains("\"message\":\"\(warning)\"")
    }

    static func httpStatus(_ retirement: SimulatedRetirement) -> Int {
        switch retirement {
        case .retired: 410
        case .retired404: 404
        }
    }

    static func objects(_ run: CLI.Run) throws -> [[String: Any]] {
        try run.stdoutLines.map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    @Test(
        "status and wait of a legacy ref on a retired route end with the successor's answer and one warning",
        arguments: cases)
    func statusAndWait(api: ProviderAPI, retirement: SimulatedRetirement) async throws {
        let successor = try #require(api.successor)
        let jobs = [CLI.done(api, "a"), CLI.done(api, "b")]
        try await CLI.withSimulator(jobs) { simulator, environment in
            await simulator.retireLegacyRoutes(retirement)
            let status = try await CLI.run(
                ["status", "\(api.refPrefix):a", "\(api.refPrefix):b", "--json"], environment: environment)
            #expect(status.status == 0, "\(status.stderr)")
            let snapshots = try Self.objects(status)
            #expect(snapshots.map { $0["ref"] as? String } == ["\(successor.refPrefix):a", "\(successor.refPrefix):b"])
            #expect(snapshots.map { $0["state"] as? String } == ["succeeded", "succeeded"])
            #expect(Self.warnedOnce(status, api, retirement), "\(status.stderr)")
            // Each asked once on the retired route, then once on the successor.
            #expect(await simulator.statusRequestCount(for: JobRef(api: api, id: "a")) == 1)
            #expect(await simulator.statusRequestCount(for: JobRef(api: successor, id: "a")) == 1)

            let wait = try await CLI.run(["wait", "\(api.refPrefix):a", "--json"], environment: environment)
            #expect(wait.status == 0, "\(wait.stderr)")
            #expect(try Self.objects(wait).last?["ref"] as? String == "\(successor.refPrefix):a")
            #expect(Self.warnedOnce(wait, api, retirement), "\(wait.stderr)")
        }
    }

    @Test("a ref neither the retired route nor its successor knows: exit 3, naming both routes", arguments: cases)
    func neitherKnows(api: ProviderAPI, retirement: SimulatedRetirement) async throws {
        try await CLI.withSimulator([]) { simulator, environment in
            await simulator.retireLegacyRoutes(retirement)
            for command in [["status"], ["wait"]] {
                let run = try await CLI.run(command + ["\(api.refPrefix):nope"], environment: environment)
                #expect(run.status == 3, "\(run.stderr)")
                #expect(run.stderrLines.count == 1, "\(run.stderr)")
                let legacyRoute = api == .v1 ? "/v1/video_status.get" : "/v2/video_translate/{id}"
                let successorRoute = api == .v1 ? "/v3/videos/{id}" : "/v3/video-translations/{id}"
                #expect(run.stderr.contains("\(legacyRoute)"), "\(run.stderr)")
                #expect(run.stderr.contains("answered HTTP \(Self.httpStatus(retirement))"), "\(run.stderr)")
                #expect(run.stderr.contains("\(successorRoute) answered HTTP 404"), "\(run.stderr)")
            }
        }
    }

    @Test(
        "track: a job followed on the legacy route, then retired, ends on disk under the new ref; the old ref finds it",
        arguments: cases)
    func trackRenames(api: ProviderAPI, retirement: SimulatedRetirement) async throws {
        let successor = try #require(api.successor)
        let (old, new) = ("\(api.refPrefix):x", "\(successor.refPrefix):x")
        let job = SimulatedJob(
            ref: JobRef(api: api, id: "x"), queueTime: .zero, renderTime: .seconds(3600), videoSize: 40_000)
        try await CLI.withSimulator([job]) { simulator, base in
            let home = NSTemporaryDirectory() + "reelwatch-home-" + UUID().uuidString
            let downloads = home + "/files"
            var environment = base
            environment["REELWATCH_HOME"] = home
            let added = try await CLI.run(["track", "add", old, "--download", downloads], environment: environment)
            #expect(added.status == 0, "\(added.stderr)")
            // Still on the legacy route: the store records it processing under the old ref, and the wait that gives up
            // leaves it due at once. (6 s: on two loaded cores the deadline can cut a first poll that takes seconds.)
            let wait = try await CLI.run(
                ["wait", old, "--timeout", "6s", "--min-delay", "50ms", "--max-delay", "200ms"],
                environment: environment)
            #expect(wait.status == 4, "\(wait.stderr)")

            await simulator.retireLegacyRoutes(retirement)
            await simulator.advance(by: .seconds(7200))
            let check = try await CLI.run(["track", "check"], environment: environment)
            #expect(check.status == 0, "\(check.stderr)")
            #expect(check.stdout.contains("\(new)  processing -> succeeded"), "\(check.stdout)")
            #expect(Self.warnedOnce(check, api, retirement), "\(check.stderr)")
            let files = try FileManager.default.contentsOfDirectory(atPath: downloads)
            #expect(files.count >= 1, "\(files)")

            let listed = try Self.objects(try await CLI.run(["track", "list", "--json"], environment: environment))
            #expect(listed.map { $0["ref"] as? String } == [new])
            let shown = try await CLI.run(["track", "show", old], environment: environment)
            #expect(shown.status == 0, "\(shown.stderr)")
            #expect(shown.stdoutLines.first?.contains(new) == true, "\(shown.stdout)")
            // The history from before the rename is kept.
            let history = shown.stdoutLines.filter { $0.hasPrefix("  history ") }
            #expect(history.count == 2, "\(shown.stdout)")
            #expect(history.first?.contains("  processing") == true, "\(shown.stdout)")
            #expect(history.last?.contains("  succeeded") == true, "\(shown.stdout)")
            let json = try Self.objects(try await CLI.run(["track", "show", old, "--json"], environment: environment))
            #expect(json.first?["ref"] as? String == new)
            #expect((json.first?["files"] as? [[String: Any]])?.map { $0["status"] as? String } ?? [] == ["done"])

            let removed = try await CLI.run(["track", "remove", old], environment: environment)
            #expect(removed.status == 0, "\(removed.stderr)")
            let after = try await CLI.run(["track", "list", "--json"], environment: environment)
            #expect(after.stdout.isEmpty, "\(after.stdout)")
        }
    }

    /// Whether the test is done with a simulator process.
    actor Done {
        var value = false
        func set() { value = true }
    }

    @Test("simulate --legacy retired|retired-404: the binary's v1 route is gone and status follows the demo job on v3")
    func simulateSwitch() async throws {
        for mode in SimulatedRetirement.allCases {
            let process = SimulateServeTests.SimulatorProcess()
            let done = Done()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    try await SimulateServeTests.simulate(
                        ["--port", "0", "--legacy", mode.rawValue], into: process, stop: { await done.value })
                }
                defer { group.cancelAll() }
                var environment: [String: String]?
                for _ in 0..<1500 where environment == nil {
                    environment = await process.environment
                    if environment == nil { try await Task.sleep(for: .milliseconds(20)) }
                }
                let run = try await CLI.run(
                    ["status", "heygen-v1:demo-v1-queued", "--json"], environment: try #require(environment))
                await done.set()
                try await group.waitForAll()
                #expect(run.status == 0, "\(run.stderr)")
                #expect(try Self.objects(run).first?["ref"] as? String == "heygen:demo-v1-queued")
                #expect(Self.warnedOnce(run, .v1, mode), "\(run.stderr)")
            }
        }
        let refused = try await CLI.run(["simulate", "--legacy", "gone"])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("--legacy must be retired or retired-404"), "\(refused.stderr)")
    }
}
