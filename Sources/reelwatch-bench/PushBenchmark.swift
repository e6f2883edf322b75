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

    @Option(help: "How long each wrk run lasts.", transform: DurationArgument.parse)
    var loadDuration: Duration = .seconds(10)

    @Option(help: "wrk's connections.")
    var connections = 32

    @Option(help: "Where to keep the stores and files (removed afterwards).")
    var directory = NSTemporaryDirectory() + "reelwatch-bench-push"

    func validate() throws {
        guard loadDuration >= .seconds(1) else { throw ValidationError("--load-duration must be at least 1s") }
        guard (1...1000).contains(connections) else { throw ValidationError("--connections must be 1 to 1000") }
    }

    static let secret = "whsec_bench_0123456789abcdef"

    func run() async throws {
        let tools = try BenchTools.locate()
        guard FileManager.default.isExecutableFile(atPath: WebhookLoad.wrk) else {
            throw ValidationError("this benchmark needs \(WebhookLoad.wrk) (Debian's wrk package)")
        }
        let quiet = Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() })
        let simulator = Simulator(timeScale: 1, keepsLog: false)
        try? FileManager.default.removeItem(atPath: directory)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let benchmark = self
        try await SimulatorServer(simulator: simulator, logger: quiet).withRunning { endpoint in
            let environment = endpoint.environment(apiKey: simulator.apiKey)
            try await benchmark.load(environment: environment, tools: tools)
        }
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
