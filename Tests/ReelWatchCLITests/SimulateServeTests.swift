import AsyncHTTPClient
import Foundation
import GRDB
import NIOCore
import NIOHTTP1
import ReelWatch
import ReelWatchSimulator
import Subprocess
import SystemPackage
import Testing

/// `reelwatch simulate --webhook-url` and `reelwatch serve` as two processes, the simulator's signed webhooks
/// going to serve over loopback HTTP: the whole push path between the built binaries.
// Two minutes: serve is given a minute to get every event recorded and every job done (`CLI.run`'s patience), so
// that a run that does not get there reports what it saw rather than being cut off by the limit.
@Suite("simulate to serve", .timeLimit(.minutes(2)))
struct SimulateServeTests {
    /// The webhook secret both processes are given.
    static let secret = "whsec_e2e_7f3a91"
    /// Simulated seconds per real second: the demo renders end at 0, 9, 12, 14 and 15 simulated minutes, so the last
    /// one ends about 7.5 s after the simulator starts, long after serve is up.
    static let timeScale = 120
    /// The faults of the run: every delivery sent twice, a quarter dropped and a quarter badly signed, decided from
    /// the seed per event (see ``plans``).
    static let faults = WebhookFaults(drop: 0.25, duplicate: 1, badSignature: 0.25, seed: 8)

    /// The HeyGen demo jobs in the order their events are made (end time, then the order they were added):
    /// event sequence number `n` is about `heygenDemoJobs[n]` (a batch's members are added, and end, as jobs of their
    /// own). Hera sends no webhooks, and a lipsync only to its own `callback_url`.
    static let demoJobsAsAdded: [SimulatedJob] = DemoJobs.all.flatMap { job in job.members + [job] }
    static let heygenDemoJobs: [SimulatedJob] = demoJobsAsAdded.enumerated()
        .filter { Simulator.sendsWebhooks($0.element.ref.api) }
        .sorted {
            ($0.element.queueTime + $0.element.renderTime, $0.offset) < (
                $1.element.queueTime + $1.element.renderTime, $1.offset
            )
        }
        .map(\.element)

    /// A running `reelwatch simulate`: the environment its stdout exported, then its whole output once it exits.
    actor SimulatorProcess {
        var environment: [String: String]?
        var lines: [String] = []
        var run: CLI.Run?

        func add(_ line: String) {
            lines.append(line)
            guard environment == nil, line == "jobs:" else { return }
            var exported: [String: String] = [:]
            for line in lines where line.hasPrefix("export ") {
                let pair = line.dropFirst("export ".count).split(separator: "=", maxSplits: 1)
                if pair.count == 2 { exported[String(pair[0])] = String(pair[1]) }
            }
            environment = exported
        }

        func finish(_ run: CLI.Run) { self.run = run }
    }

    /// Runs `reelwatch simulate ARGS` until `stop` holds (checked every 20 ms), then sends it SIGINT; its stdout
    /// lines go to `process` as they come.
    static func simulate(
        _ arguments: [String], into process: SimulatorProcess, stop: @escaping @Sendable () async -> Bool
    ) async throws {
        let configuration = Subprocess.Configuration(
            executable: .path(CLI.executable),
            arguments: Arguments(["simulate"] + arguments),
            environment: .custom([
                "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
                "HOME": NSTemporaryDirectory(),
            ])
        )
        let result = try await Subprocess.run(
            configuration, input: .none, output: .sequence, error: .string(limit: 1 << 24)
        ) { execution in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for try await line in execution.standardOutput.strings() { await process.add(line) }
                }
                group.addTask {
                    for _ in 0..<3000 {
                        if await stop() { break }
                        try await Task.sleep(for: .milliseconds(20))
                    }
                    try execution.send(signal: .interrupt)
                }
                try await group.waitForAll()
            }
        }
        let status: Int32 =
            switch result.terminationStatus {
            case .exited(let code): code
            case .signaled(let signal): 128 + signal
            }
        await process.finish(
            CLI.Run(
                status: status, stdout: await process.lines.joined(separator: "\n"),
                stderr: result.standardError))
    }

    /// The simulator's list of webhook events, oldest first: (event ID, event type, the ID the event names).
    static func listedEvents(_ environment: [String: String]) async throws -> [(id: String, type: String, job: String)]
    {
        let base = try #require(environment["REELWATCH_HEYGEN_URL"])
        var request = HTTPClientRequest(url: base + "/v3/webhooks/events?limit=100")
        request.headers.add(name: "x-api-key", value: try #require(environment["HEYGEN_API_KEY"]))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
        let body = try await response.body.collect(upTo: 1 << 20)
        let list = try JSONValue.parse(Array(buffer: body))
        let entries = try #require(list["data"]?.arrayValue)
        return entries.reversed().compactMap { entry in
            guard let id = entry["event_id"]?.text, let type = entry["event_type"]?.text,
                let data = entry["event_data"]
            else { return nil }
            return (
                id, type,
                data["video_id"]?.text ?? data["video_translate_id"]?.text ?? data["proofread_id"]?.text
                    ?? data["session_id"]?.text ?? ""
            )
        }
    }

    /// What the store holds: event IDs, and each job's ref and phase.
    static func stored(_ home: String) throws -> (events: [String], phases: [String: String]) {
        let path = home + "/reelwatch.sqlite"
        guard FileManager.default.fileExists(atPath: path) else { return ([], [:]) }
        var configuration = GRDB.Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        return try queue.read { db in
            let events = try String.fetchAll(db, sql: "SELECT event_id FROM webhook_event")
            let rows = try Row.fetchAll(db, sql: "SELECT ref, phase FROM job")
            return (events, Dictionary(uniqueKeysWithValues: rows.map { ($0["ref"] as String, $0["phase"] as String) }))
        }
    }

    @Test(
        "signed deliveries, each sent twice, from the simulator process to the serve process: every HeyGen demo render ends up tracked in the right state with its file; each event recorded once; the dropped and the badly signed caught by reconciliation; no secret printed; both exit 130 on SIGINT"
    )
    func pushEndToEnd() async throws {
        // The faults the seed draws for the ten events: the three renders that end at once are delivered, the
        // 9-minute video's event and the 15-minute proofread's are dropped, the 14-minute translation's and the batch's
        // second cut's are badly signed.
        let plans = (0..<Self.heygenDemoJobs.count).map { Self.faults.plan(forEvent: $0) }
        try #require(plans.count == 10)
        try #require(plans.allSatisfy { $0.dropped || $0.duplicated })
        let dropped = Self.heygenDemoJobs.indices.filter { plans[$0].dropped }.map { Self.heygenDemoJobs[$0].ref }
        let badlySigned = Self.heygenDemoJobs.indices.filter { plans[$0].badSignature }.map {
            Self.heygenDemoJobs[$0].ref
        }
        try #require(
            dropped == [JobRef(api: .v3, id: "demo-avatar-rendering"), JobRef(api: .proofread, id: "demo-proofread")])
        try #require(
            badlySigned == [
                JobRef(api: .translate, id: "demo-translation-running"), JobRef(api: .v3, id: "demo-batch-cut-2"),
            ])

        let port = try ServeCommandTests.freePort()
        let home = TrackCommandTests.home()
        let downloads = home + "/files"
        let simulator = SimulatorProcess()
        let served = ServedRun()
        let faults = Self.faults
        async let simulated: Void = Self.simulate(
            [
                "--port", "0", "--time-scale", "\(Self.timeScale)",
                "--webhook-url", "http://127.0.0.1:\(port)/webhooks/heygen", "--webhook-secret", Self.secret,
                "--webhook-duplicate", "\(faults.duplicate)", "--webhook-drop", "\(faults.drop)",
                "--webhook-bad-signature", "\(faults.badSignature)", "--webhook-seed", "\(faults.seed)",
            ],
            into: simulator, stop: { await served.run != nil })

        var exported: [String: String]?
        for _ in 0..<1000 where exported == nil {
            exported = await simulator.environment
            if exported == nil { try await Task.sleep(for: .milliseconds(10)) }
        }
        let simulatorEnvironment = try #require(exported)
        #expect(simulatorEnvironment["REELWATCH_HEYGEN_URL"]?.hasPrefix("http://127.0.0.1:") == true)
        var environment = simulatorEnvironment
        environment["REELWATCH_HOME"] = home
        environment["REELWATCH_WEBHOOK_SECRET"] = Self.secret
        let events = EventList()
        let run = try await CLI.run(
            ["serve", "--port", "\(port)", "--track-webhooks", "--download", downloads, "--reconcile-every", "1s"],
            environment: environment,
            interruptWhen: {
                // Every event made (the last render ended), each recorded, and every job it tracked worked to the end.
                let listed = try? await Self.listedEvents(simulatorEnvironment)
                let store = try? Self.stored(home)
                await events.saw(
                    "\(listed?.count ?? -1) events listed, \(store?.events.count ?? -1) recorded, phases "
                        + "\(store?.phases.sorted { $0.key < $1.key } ?? [])")
                guard let listed, listed.count == Self.heygenDemoJobs.count, let store,
                    Set(store.events) == Set(listed.map(\.id)),
                    store.phases.count == Self.heygenDemoJobs.count, store.phases.values.allSatisfy({ $0 == "done" })
                else { return false }
                await events.set(listed)
                return true
            },
            // A serve that does not stop on SIGINT is killed (exit 137) with its stderr kept, rather than the suite's
            // time limit cutting the test with nothing to show (seen once in nine loaded runs, cause not found).
            killAfter: .seconds(95))
        await served.finish(run)
        try await simulated
        let simulate = try #require(await simulator.run)

        #expect(run.status == 130, "\(run.stderr)")
        #expect(simulate.status == 130, "\(simulate.stderr)")
        #expect(run.stderrLines.last?.hasPrefix("reelwatch: interrupted by SIGINT: serve stopped") == true)
        for output in [run.stdout, run.stderr, simulate.stdout, simulate.stderr] {
            #expect(!output.contains(Self.secret))
        }
        #expect(!run.stdout.contains("sim-key") && !run.stderr.contains("sim-key"))

        // Each event recorded exactly once, though every delivery was sent twice.
        let listed = await events.listed
        let lastSeen = await events.lastSeen
        try #require(
            listed.count == Self.heygenDemoJobs.count, "last seen: \(lastSeen)\nserve: \(run.stderr.suffix(2000))")
        let store = try Self.stored(home)
        #expect(store.events.count == Self.heygenDemoJobs.count)
        #expect(Set(store.events) == Set(listed.map(\.id)))
        // The badly signed deliveries were refused (401, no state changed): the first refusal is a warning, the
        // copy within the minute only at debug level (a flood of refusals does not flood the log).
        #expect(run.stderr.components(separatedBy: "webhook refused").count - 1 == 1)

        let list = try await CLI.run(["track", "list", "--json"], environment: environment)
        #expect(list.status == 0, "\(list.stderr)")
        let jobs = Dictionary(
            uniqueKeysWithValues: try list.stdoutLines.map { line in
                let object = try JSONValue.parse(Array(line.utf8))
                return (try #require(object["ref"]?.text), object)
            })
        // Every event names a job, tracked from it (or from reconciliation, when its delivery was lost): HeyGen's
        // videos as `heygen:`, its translations as `heygen-translate:`, its proofreads as `heygen-proofread:`.
        for (index, job) in Self.heygenDemoJobs.enumerated() {
            let api: ProviderAPI = job.ref.api == .v1 ? .v3 : job.ref.api
            let ref = JobRef(api: api, id: job.ref.id)
            let tracked = jobs["\(ref)"] ?? [:]
            #expect(jobs["\(ref)"] != nil, "\(ref) not tracked")
            #expect(tracked["meta"]?["source"]?.text == "webhook")
            #expect(listed[index].job == job.ref.id)
            #expect(listed[index].type.hasSuffix(job.outcome == .success ? ".success" : ".fail"))
            // The simulator keeps a legacy v1 render under its v1 route only, so `heygen:` does not find it there;
            // the other renders end in the state the simulator gave them, successes with their video on disk.
            guard job.ref.api != .v1 else { continue }
            #expect(tracked["state"]?.text == (job.outcome == .success ? "succeeded" : "failed"), "\(ref)")
            let files = tracked["files"]?.arrayValue ?? []
            #expect(files.isEmpty == (job.outcome != .success), "\(ref)")
            for file in files {
                #expect(file["status"]?.text == "done", "\(ref)")
                let path = file["path"]?.text ?? ""
                #expect(FileManager.default.fileExists(atPath: path), "\(path)")
            }
        }
        // The dropped event and the badly signed one were recorded all the same: only reconciliation could.
        for ref in dropped + badlySigned {
            let index = try #require(Self.heygenDemoJobs.firstIndex { $0.ref == ref })
            #expect(store.events.contains(listed[index].id), "\(ref)")
            #expect(jobs["\(ref)"]?["state"]?.text == "succeeded", "\(ref)")
        }
    }
}

/// The serve process's run, once it is over (the simulator is stopped then).
private actor ServedRun {
    var run: CLI.Run?
    func finish(_ run: CLI.Run) { self.run = run }
}

/// The simulator's events as last listed.
private actor EventList {
    var listed: [(id: String, type: String, job: String)] = []
    /// What the last check saw, for a run that never got there.
    var lastSeen = ""
    func set(_ listed: [(id: String, type: String, job: String)]) { self.listed = listed }
    func saw(_ text: String) { lastSeen = text }
}
