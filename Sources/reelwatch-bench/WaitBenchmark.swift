import ArgumentParser
import Foundation
import Logging
import ReelWatch
import ReelWatchDaemon
import ReelWatchSimulator
import ReelWatchStore
import Synchronization

/// `reelwatch-bench wait`: `wait` over many HeyGen v3 jobs in compressed time, with bulk status and with one
/// status request per job per poll, side by side in the same run.
struct WaitBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wait",
        abstract: "Wait for many v3 jobs with bulk status, beside per-job polling, in compressed time.",
        discussion: """
            Runs what `reelwatch wait` runs — a Tracker over a MemoryJobStore following the jobs \
            (.follow(FollowPlan(refs:timeout:))), no downloads — against the simulator on loopback, twice on \
            fresh jobs with the same render times (drawn from RenderTimeModel.heygenAvatar with --seed): with \
            bulk status (the default), then with TrackerOptions(useBulkStatus: false). The simulator and the \
            client share one CompressedClock, so simulated seconds are the same on both sides.
            """
    )

    @Option(help: "Jobs per phase.")
    var jobs = 1000

    @Flag(help: "The CI size: 200 jobs.")
    var small = false

    @Option(help: "Simulated seconds per real second.")
    var timeScale = 100.0

    @Option(help: "Status requests per simulated second (wait's --rate-limit).")
    var rateLimit = RateLimiter.defaultRate

    @Option(help: "How long each job is followed (wait's --timeout).", transform: DurationArgument.parse)
    var timeout: Duration = .seconds(30 * 60)

    @Option(help: "The seed for render times and poll jitter.")
    var seed: UInt64 = 2026

    func validate() throws {
        guard (1...100_000).contains(jobs) else { throw ValidationError("--jobs must be 1 to 100000") }
        guard timeScale >= 1, timeScale <= 10_000 else { throw ValidationError("--time-scale must be 1 to 10000") }
        guard rateLimit > 0, rateLimit <= 100_000 else { throw ValidationError("--rate-limit must be 1 to 100000") }
        guard timeout > .zero else { throw ValidationError("--timeout must be more than zero") }
    }

    /// What one phase measured.
    struct Figures {
        var name: String
        var jobs: Int
        /// Jobs the wait saw finish (the rest timed out or ended in error).
        var seen: Int
        var counts: SimulatorCounts
        /// Simulated seconds from each render's end to the wait's report of it, sorted.
        var lags: [Double]
        var wallSeconds: Double
        /// VmHWM after the phase, in KiB.
        var peakKiB: Int
        /// Simulated seconds the phase took.
        var simulatedSeconds: Double

        var callsPerJob: Double { Double(counts.statusCalls) / Double(jobs) }
        var lagP50: Double { Self.quantile(lags, 0.5) }
        var lagP95: Double { Self.quantile(lags, 0.95) }
        var lagMax: Double { lags.last ?? .nan }
        /// Status requests per simulated second over the phase.
        var requestRate: Double { Double(counts.statusCalls) / max(simulatedSeconds, 0.001) }

        /// The `p` quantile of `sorted` (nearest rank below).
        static func quantile(_ sorted: [Double], _ p: Double) -> Double {
            sorted.isEmpty ? .nan : sorted[Int(Double(sorted.count - 1) * p)]
        }
    }

    func run() async throws {
        let count = small ? 200 : jobs
        let quiet = Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() })
        let clock = CompressedClock(scale: timeScale)
        // Time scale 1 on the compressed clock: the simulator's seconds are the client's.
        let simulator = Simulator(timeScale: 1, keepsLog: false, clock: clock)
        let model = RenderTimeModel.heygenAvatar
        var random = SeededRandom(seed: seed)
        let renders = (0..<count).map { _ in PollingBenchmark.sample(model, &random) }
        let benchmark = self
        let results = try await SimulatorServer(simulator: simulator, logger: quiet).withRunning { endpoint in
            print(
                "simulator on 127.0.0.1:\(endpoint.port), time x\(Int(benchmark.timeScale)); \(count) HeyGen v3 "
                    + "jobs per phase, renders from RenderTimeModel.heygenAvatar (seed \(benchmark.seed)); "
                    + "rate limit \(benchmark.rateLimit)/s simulated; timeout \(benchmark.timeout)")
            var results: [Figures] = []
            for bulk in [true, false] {
                results.append(
                    try await benchmark.phase(
                        bulk: bulk, renders: renders, simulator: simulator, clock: clock, endpoint: endpoint,
                        logger: quiet))
            }
            return results
        }
        report(results, lagTarget: model.lagTarget.secondsValue)
    }

    /// Follows fresh jobs rendering for `renders` seconds with a Tracker over a MemoryJobStore, as `wait` does.
    func phase(
        bulk: Bool, renders: [Double], simulator: Simulator, clock: CompressedClock,
        endpoint: SimulatorServer.Endpoint, logger: Logger
    ) async throws -> Figures {
        let name = bulk ? "bulk" : "single"
        let refs = renders.indices.map { JobRef(api: .v3, id: "\(name)-\($0)") }
        let epoch = Date()
        let jitter = SharedRandom(seed: seed &+ 1)
        let client = StatusClient(
            configuration: endpoint.configuration(apiKey: simulator.apiKey),
            // 30 s of real time, as `wait` has, not 30 s of compressed time.
            requestTimeout: .seconds(30) * timeScale,
            clock: clock,
            random: { jitter.unit() },
            wallClock: { epoch.addingTimeInterval(clock.now.offset.secondsValue) },
            rateLimiter: RateLimiter(
                rate: rateLimit, burst: max(RateLimiter.defaultBurst, rateLimit), clock: clock),
            logger: logger
        )
        let tracker = Tracker(
            store: MemoryJobStore(), client: client, downloader: nil,
            options: TrackerOptions(watch: WatchOptions(timeout: timeout), useBulkStatus: bulk))
        let resetPeak = Self.resetPeakRSS()
        let added = clock.now
        await simulator.add(
            zip(refs, renders).map { ref, seconds in
                SimulatedJob(
                    ref: ref, queueTime: .zero, renderTime: .milliseconds(Int64(seconds * 1000)), videoSize: 1024)
            })
        let finishes = Dictionary(uniqueKeysWithValues: zip(refs, renders))
        let seen = Mutex<[JobRef: Double]>([:])
        let before = await simulator.counts
        let started = ContinuousClock.now
        try await tracker.run(
            .follow(FollowPlan(refs: refs, timeout: timeout)),
            report: { event in
                guard case .polled(let progress, _) = event,
                    progress.outcome == .succeeded || progress.outcome == .failed,
                    let render = finishes[progress.ref]
                else { return }
                let lag = max(0, added.duration(to: clock.now).secondsValue - render)
                seen.withLock { if $0[progress.ref] == nil { $0[progress.ref] = lag } }
            })
        let wall = started.duration(to: .now).secondsValue
        let after = await simulator.counts
        let lags = seen.withLock { $0.values.sorted() }
        print(
            String(
                format: "%@: %d jobs followed in %.1f s%@", name, refs.count, wall,
                resetPeak ? "" : " (VmHWM not reset: it includes the phases before)"))
        return Figures(
            name: bulk ? "reelwatch wait (bulk status)" : "per-job polling (useBulkStatus: false)", jobs: refs.count,
            seen: lags.count, counts: after.minus(before), lags: lags, wallSeconds: wall,
            peakKiB: Self.peakRSSKiB() ?? 0, simulatedSeconds: wall * timeScale)
    }

    func report(_ results: [Figures], lagTarget: Double) {
        print("")
        print(
            "| run | jobs | seen finished | calls/job | bulk + detail | IDs/bulk | lag p50 | lag p95 | lag max | requests/s | wall | peak RSS |"
        )
        print("|---|---|---|---|---|---|---|---|---|---|---|---|")
        for figures in results {
            print(
                String(
                    format:
                        "| %@ | %d | %d | %.2f | %d + %d | %.1f | %.1f s | %.1f s | %.1f s | %.1f | %.1f s | %.1f MiB |",
                    figures.name, figures.jobs, figures.seen, figures.callsPerJob, figures.counts.bulkRequests,
                    figures.counts.statusRequests,
                    Double(figures.counts.bulkIDs) / Double(max(figures.counts.bulkRequests, 1)), figures.lagP50,
                    figures.lagP95, figures.lagMax,
                    figures.requestRate, figures.wallSeconds, Double(figures.peakKiB) / 1024))
        }
        print("")
        print("calls/job: status requests the simulator received (bulk + detail) per job; IDs/bulk: job IDs per bulk")
        print("request; lag: simulated seconds from a render's end to the wait reporting it final; requests/s: per")
        print(
            "simulated second (the limit is \(rateLimit)); peak RSS: VmHWM of this process (simulator included), reset")
        print("before each phase (echo 5 > /proc/self/clear_refs).")
        guard results.count == 2 else { return }
        let (bulk, single) = (results[0], results[1])
        // Every finished job costs one detail call for its links, bulk or not: the polling is what bulk saves.
        let bulkPolls = Double(bulk.counts.bulkRequests) / Double(max(bulk.jobs, 1))
        let pass = bulkPolls <= single.callsPerJob / 10 && bulk.lagP95 <= single.lagP95 + lagTarget
        print("")
        print(
            (pass ? "PASS  " : "FAIL  ")
                + String(
                    format:
                        "bulk %.2f polling calls/job (+1 detail call each) <= 1/10 of per-job polling's %.2f, "
                        + "p95 lag %.1f s <= %.1f s + %.0f s (the v3 lag target)",
                    bulkPolls, single.callsPerJob, bulk.lagP95, single.lagP95, lagTarget))
    }

    /// Resets VmHWM to the current RSS (`echo 5 > /proc/self/clear_refs`); false when the kernel refused.
    static func resetPeakRSS() -> Bool {
        guard let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return false }
        defer { try? handle.close() }
        return (try? handle.write(contentsOf: Data("5".utf8))) != nil
    }

    /// This process's peak RSS (VmHWM) in KiB.
    static func peakRSSKiB() -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
        else { return nil }
        return line.split(separator: " ").dropFirst().first.flatMap { Int($0) }
    }
}

/// A seeded generator shared by the tasks of one client (its poll jitter), so runs draw the same jitter.
final class SharedRandom: Sendable {
    private let generator: Mutex<SeededRandom>

    /// Creates a generator seeded with `seed`.
    init(seed: UInt64) { generator = Mutex(SeededRandom(seed: seed)) }

    /// A number in `0..<1`.
    func unit() -> Double { generator.withLock { $0.unit() } }
}
