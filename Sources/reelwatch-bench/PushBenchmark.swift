import ArgumentParser
import Foundation
import Logging
import ReelWatch
import ReelWatchSimulator
import ReelWatchStore

/// `reelwatch-bench push`: webhooks against polling — the status calls per render and the lag from a render's end
/// to its file on disk — then `wrk` posting signed and forged deliveries to `reelwatch serve`.
struct PushBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "push",
        abstract: "reelwatch serve with webhooks beside reelwatch run polling, then wrk against serve.",
        discussion: """
            Needs the reelwatch binary built in the same configuration, next to reelwatch-bench, and wrk (Debian's \
            package):
              swift build -c release --product reelwatch && swift run -c release reelwatch-bench push

            Load: wrk posts deliveries signed with the server's secret, each with a new event ID (every one must \
            be accepted and recorded), then as many forged ones (every one must be refused with 401, nothing \
            recorded).
            """
    )

    @Option(help: "Renders for each of the two runs.")
    var jobs = 10_000

    /// 20x: 10,000 renders end within about a minute, about 200 a second at the peak. Faster, the load of
    /// the events (not the push path) decides the lag: at 60x, 600 a second at the peak put the p95 of delivered
    /// events between 1.3 and 3.3 s over three runs.
    @Option(help: "Simulated seconds per real second (20: a 10-minute render takes 30 s).")
    var timeScale = 20.0

    @Option(help: "The fraction of deliveries dropped (caught by reconciliation or the safety net).")
    var drop = 0.10

    @Option(help: "The fraction of deliveries sent twice.")
    var duplicate = 0.05

    @Option(help: "How long each wrk run lasts.", transform: DurationArgument.parse)
    var loadDuration: Duration = .seconds(10)

    @Option(help: "wrk's connections.")
    var connections = 32

    @Flag(help: "The small form for CI: 1,000 renders, wrk for 5 s.")
    var small = false

    @Option(help: "The seed for render times, failures and delivery faults.")
    var seed: UInt64 = 2026

    @Option(help: "Where to keep the stores and files (removed afterwards).")
    var directory = NSTemporaryDirectory() + "reelwatch-bench-push"

    func validate() throws {
        guard (1...1_000_000).contains(jobs) else { throw ValidationError("--jobs must be 1 to 1000000") }
        guard timeScale >= 1, timeScale <= 10_000 else { throw ValidationError("--time-scale must be 1 to 10000") }
        guard (0...1).contains(drop), (0...1).contains(duplicate) else {
            throw ValidationError("--drop and --duplicate must be 0 to 1")
        }
        guard loadDuration >= .seconds(1) else { throw ValidationError("--load-duration must be at least 1s") }
        guard (1...1000).contains(connections) else { throw ValidationError("--connections must be 1 to 1000") }
    }

    static let secret = "whsec_bench_0123456789abcdef"
    /// Each render's one file: 16 KiB.
    static let videoBytes = 16 << 10

    func run() async throws {
        let tools = try BenchTools.locate()
        guard FileManager.default.isExecutableFile(atPath: WebhookLoad.wrk) else {
            throw ValidationError("this benchmark needs \(WebhookLoad.wrk) (Debian's wrk package)")
        }
        var benchmark = self
        if small {
            benchmark.jobs = min(jobs, 1000)
            benchmark.loadDuration = min(loadDuration, .seconds(5))
        }
        let quiet = Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() })
        try? FileManager.default.removeItem(atPath: directory)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        print(
            "\(benchmark.jobs) v3 renders per run (queued up to 1 min, rendering 5 to 20 min, 2 % failing), time "
                + "x\(timeScale), each run against its own simulator")
        var runs: [PushRun.Figures] = []
        for (name, faults) in [
            ("run: polling only", nil),
            ("serve: webhooks", WebhookFaults(drop: drop, duplicate: duplicate, seed: seed) as WebhookFaults?),
        ] {
            let tag = faults == nil ? "poll" : "push"
            let refs = (0..<benchmark.jobs).map { JobRef(api: .v3, id: "\(tag)-\($0)") }
            let run = PushRun(
                name: tag, refs: refs, jobs: simulatedJobs(refs), timeScale: timeScale, directory: directory,
                push: faults)
            var figures = try await run.run(tools: tools, logger: quiet)
            figures.name = name
            print("\(name): done in \(String(format: "%.1f", figures.seconds)) s")
            runs.append(figures)
        }
        report(runs)
        let simulator = Simulator(timeScale: timeScale, keepsLog: false)
        let loaded = benchmark
        try await SimulatorServer(simulator: simulator, logger: quiet).withRunning { endpoint in
            try await loaded.load(environment: endpoint.environment(apiKey: simulator.apiKey), tools: tools)
        }
    }

    /// The simulated renders for `refs`: queued up to a minute, rendering 5 to 20 minutes, 2 % failing.
    func simulatedJobs(_ refs: [JobRef]) -> [SimulatedJob] {
        var random = SeededRandom(seed: seed)
        return refs.map { ref in
            let queue = Duration.milliseconds(Int64(random.unit() * 60_000))
            let render = Duration.milliseconds(Int64((300 + random.unit() * 900) * 1000))
            let outcome: SimulatedJob.Outcome =
                random.unit() < 0.02
                ? .failure(code: "RENDER_ERROR", message: "avatar could not be rendered", detail: nil) : .success
            return SimulatedJob(
                ref: ref, queueTime: queue, renderTime: render, outcome: outcome, videoSize: Self.videoBytes)
        }
    }

    /// The two runs side by side, and the verdicts on the webhook run.
    func report(_ runs: [PushRun.Figures]) {
        func quantile(_ values: [Double], _ q: Double) -> Double {
            guard !values.isEmpty else { return 0 }
            let sorted = values.sorted()
            return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * q).rounded()))]
        }
        print("")
        print("run                  jobs  finished  status calls/job  lag p50    p95      max     downloaded twice")
        for run in runs {
            print(
                run.name.padding(toLength: 19, withPad: " ", startingAt: 0)
                    + String(
                        format: " %6d  %8d  %16.3f  %6.2f s  %6.2f s  %6.1f s  %11d", run.jobs, run.finished,
                        run.callsPerJob, quantile(run.lags, 0.5), quantile(run.lags, 0.95), run.lags.max() ?? 0,
                        run.downloadedTwice))
        }
        for run in runs {
            let counts = run.counts
            let usage = run.usage.map {
                String(format: "; peak RSS %.1f MiB, CPU %.1f s", Double($0.peakKiB) / 1024, $0.cpuSeconds)
            }
            print(
                "\(run.name): \(counts.statusRequests) single status requests, \(counts.bulkRequests) bulk "
                    + "(\(counts.bulkIDs) IDs), \(counts.fileRequests) file requests"
                    + (run.webhookNote.isEmpty ? "" : "; \(run.webhookNote)") + (usage ?? ""))
        }
        print("")
        print("lag: from a render's end to its file on disk, in seconds at real speed (the polling run's schedule runs")
        print("\(Int(timeScale))x compressed, so its lags are scaled back; a delivered webhook's path is real time).")
        guard let push = runs.last, runs.count == 2 else { return }
        let verdicts = [
            (
                push.callsPerJob <= 1.1,
                String(
                    format: "%.3f status calls per render with webhooks, detail fetch included (target <= 1.1)",
                    push.callsPerJob)
            ),
            (
                quantile(push.deliveredLags, 0.95) < 2,
                String(format: "p95 lag %.2f s for delivered events (target < 2 s)", quantile(push.deliveredLags, 0.95))
            ),
            (
                push.recorded == push.events && push.finished == push.jobs && push.reconciledWithin != nil,
                "every event in the store (\(push.recorded) of \(push.events); \(push.reconciled) not delivered, caught "
                    + "by serve's reconciliation"
                    + (push.reconciledWithin.map { String(format: ", the last %.1f s after the last file", $0) } ?? "")
                    + "), every render finished: \(push.finished)/\(push.jobs)"
            ),
            (
                push.downloadedTwice == 0,
                "no render downloaded twice (\(push.downloadedTwice) files' bytes sent more than once)"
            ),
        ]
        for (pass, text) in verdicts { print("\(pass ? "PASS" : "FAIL")  \(text)") }
    }

    /// wrk against a fresh `reelwatch serve`: signed deliveries, then forged ones.
    func load(environment: [String: String], tools: BenchTools) async throws {
        let home = "\(directory)/load"
        let serve = try ServeProcess.start(
            tools: tools, home: home, arguments: ["--reconcile-every", "0"],
            environment: environment.merging(["REELWATCH_WEBHOOK_SECRET": Self.secret]) { $1 })
        defer { serve.stop() }
        let store = try SQLiteJobStore(path: "\(home)/reelwatch.sqlite")
        var load = WebhookLoad(port: serve.port, secret: Self.secret, directory: home)
        load.connections = connections
        load.duration = loadDuration
        // Enough distinct events for well over the target rate; each wrk thread sends its own share.
        let count = Int(loadDuration.components.seconds) * 12_000
        let before = try await store.deliveredEventCount()
        let signed = try load.run(count: count, forged: false, prefix: "evt_load_")
        let recorded = try await store.deliveredEventCount() - before
        let forged = try load.run(count: 20_000, forged: true, prefix: "evt_forged_")
        let afterForged = try await store.deliveredEventCount() - before
        let serveUsage = serve.stop()

        print("")
        print("wrk -t2 -c\(connections) -d\(loadDuration.components.seconds)s against reelwatch serve (SQLite store)")
        print("deliveries      requests  accepted/s  refused  socket errors  p50 ms  p99 ms  recorded")
        for (name, figures, stored) in [("signed", signed, recorded), ("forged", forged, afterForged - recorded)] {
            print(
                name.padding(toLength: 14, withPad: " ", startingAt: 0)
                    + String(
                        format: "  %8d  %10.0f  %7d  %13d  %6.2f  %6.2f  %8d", figures.requests,
                        figures.acceptedPerSecond, figures.refused, figures.socketErrors, figures.p50Milliseconds,
                        figures.p99Milliseconds, stored))
        }
        if let serveUsage {
            print(
                String(
                    format: "serve: peak RSS %.1f MiB, CPU %.1f s", Double(serveUsage.peakKiB) / 1024,
                    serveUsage.cpuSeconds))
        }
        print("")
        let verdicts = [
            (
                signed.acceptedPerSecond >= 3000,
                String(format: "%.0f accepted deliveries/s (target >= 3000)", signed.acceptedPerSecond)
            ),
            (signed.p99Milliseconds < 50, String(format: "p99 %.2f ms (target < 50 ms)", signed.p99Milliseconds)),
            (
                // wrk stops counting at its deadline; requests still in flight then are answered and recorded too.
                signed.refused == 0 && recorded >= signed.accepted && recorded <= count,
                "every accepted event ID recorded: \(recorded) recorded for \(signed.accepted) accepted "
                    + "(the rest in flight when wrk stopped counting), \(signed.refused) refused"
            ),
            (
                forged.refused == forged.requests && afterForged == recorded,
                "forged: \(forged.refused) of \(forged.requests) refused, \(afterForged - recorded) recorded"
            ),
        ]
        for (pass, text) in verdicts { print("\(pass ? "PASS" : "FAIL")  \(text)") }
    }
}
