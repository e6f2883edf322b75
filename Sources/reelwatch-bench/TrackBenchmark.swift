import ArgumentParser
import Foundation
import Logging
import ReelWatch
import ReelWatchSimulator
import ReelWatchStore

/// `reelwatch-bench track`: one `reelwatch run` process working many tracked HeyGen v3 jobs against the simulator
/// (renders compressed in time), beside a naive baseline in the same run (one task per job sleeping its interval).
struct TrackBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "track",
        abstract: "Track many jobs with one reelwatch run process, beside a naive task-per-job poller.",
        discussion: """
            Needs the reelwatch binary built in the same configuration, next to reelwatch-bench:
              swift build -c release --product reelwatch && swift run -c release reelwatch-bench track

            Three runs against one simulator on loopback, each on fresh jobs that render in 5 to 20 minutes \
            (compressed by --time-scale; 2 % fail): reelwatch run with the bulk status endpoint, reelwatch run \
            with --no-bulk, and the naive baseline. reelwatch runs until every job is finished with its file \
            on disk (checked afterwards, file by file); the baseline only polls.
            """
    )

    @Option(help: "Jobs for reelwatch run and for the baseline.")
    var jobs = 100_000

    @Option(help: "Jobs for the run with --no-bulk (calls per job without the bulk endpoint); 0 skips it.")
    var noBulkJobs = 10_000

    @Option(help: "Simulated seconds per real second (60: a 10-minute render takes 10 s).")
    var timeScale = 60.0

    @Option(help: "Status requests per second allowed to reelwatch and to the baseline alike.")
    var rateLimit = 2000.0

    @Option(
        help: "The longest interval between polls of a job: reelwatch's --max-delay, the baseline's sleep.",
        transform: DurationArgument.parse)
    var interval: Duration = .seconds(2)

    @Option(help: "Each video's size in KiB.")
    var videoKib = 16

    @Option(help: "The seed for render times and failures.")
    var seed: UInt64 = 2026

    @Option(help: "Where to keep the stores and files (removed afterwards).")
    var directory = NSTemporaryDirectory() + "reelwatch-bench-track"

    func validate() throws {
        guard (1...1_000_000).contains(jobs) else { throw ValidationError("--jobs must be 1 to 1000000") }
        guard (0...1_000_000).contains(noBulkJobs) else { throw ValidationError("--no-bulk-jobs must be 0 to 1000000") }
        guard timeScale >= 1, timeScale <= 10_000 else { throw ValidationError("--time-scale must be 1 to 10000") }
        guard rateLimit > 0, rateLimit <= 100_000 else { throw ValidationError("--rate-limit must be 1 to 100000") }
        guard interval >= .milliseconds(10) else { throw ValidationError("--interval must be at least 10ms") }
        guard (1...65_536).contains(videoKib) else { throw ValidationError("--video-kib must be 1 to 65536") }
    }

    /// What one run measured.
    struct Figures {
        var name: String
        var jobs: Int
        /// Until every job finished (and, for reelwatch, every file landed).
        var seconds: Double
        /// Until no job was being polled any more.
        var pollingSeconds: Double
        /// The requests the simulator received during the run.
        var counts: SimulatorCounts
        var usage: BenchTools.Usage
        /// Jobs that reached a terminal state (for reelwatch: with every file on disk, whole).
        var finished: Int
        /// Jobs that finished in `succeeded`.
        var succeeded: Int
        var storeBytes: Int?

        var pollsPerSecond: Double { Double(counts.polls) / max(pollingSeconds, 0.001) }
        var callsPerJob: Double { Double(counts.statusCalls) / Double(jobs) }
        /// Status calls per job beyond the one detail call each finished job needs for its links.
        var callsBeyondDetail: Double { Double(counts.statusCalls - finished) / Double(jobs) }
        var cpuMicrosecondsPerPoll: Double { usage.cpuSeconds * 1e6 / Double(max(counts.polls, 1)) }
        /// Job IDs per bulk status request, as `reelwatch-bench wait` reports for `wait`.
        var idsPerBulkRequest: Double { Double(counts.bulkIDs) / Double(max(counts.bulkRequests, 1)) }
    }

    func run() async throws {
        let tools = try BenchTools.locate()
        let quiet = Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() })
        let simulator = Simulator(timeScale: timeScale, keepsLog: false)
        try? FileManager.default.removeItem(atPath: directory)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let benchmark = self
        let results = try await SimulatorServer(simulator: simulator, logger: quiet).withRunning { endpoint in
            let environment = endpoint.environment(apiKey: simulator.apiKey)
            print(
                "simulator on 127.0.0.1:\(endpoint.port), time x\(benchmark.timeScale); rate limit "
                    + "\(Int(benchmark.rateLimit))/s; poll interval at most \(benchmark.interval)")
            var results: [Figures] = []
            results.append(
                try await benchmark.daemon(
                    "bulk", count: benchmark.jobs, bulk: true, simulator: simulator, environment: environment,
                    tools: tools))
            if benchmark.noBulkJobs > 0 {
                results.append(
                    try await benchmark.daemon(
                        "single", count: benchmark.noBulkJobs, bulk: false, simulator: simulator,
                        environment: environment, tools: tools))
            }
            results.append(
                try await benchmark.naive(
                    "naive", count: benchmark.jobs, simulator: simulator, environment: environment))
            return results
        }
        report(results)
    }

    /// The simulated jobs for `refs`: queued up to a minute, rendering 5 to 20 minutes, 2 % failing.
    func simulatedJobs(_ refs: [JobRef], seed: UInt64) -> [SimulatedJob] {
        var random = SeededRandom(seed: seed)
        return refs.map { ref in
            let queue = Duration.milliseconds(Int64(random.unit() * 60_000))
            let render = Duration.milliseconds(Int64((300 + random.unit() * 900) * 1000))
            let outcome: SimulatedJob.Outcome =
                random.unit() < 0.02
                ? .failure(code: "RENDER_ERROR", message: "avatar could not be rendered", detail: nil) : .success
            return SimulatedJob(
                ref: ref, queueTime: queue, renderTime: render, outcome: outcome, videoSize: videoKib << 10)
        }
    }

    /// One `reelwatch run` process over `count` fresh jobs, until all are finished with their files.
    func daemon(
        _ name: String, count: Int, bulk: Bool, simulator: Simulator, environment: [String: String],
        tools: BenchTools
    ) async throws -> Figures {
        let refs = (0..<count).map { JobRef(api: .v3, id: "\(name)-\($0)") }
        let home = "\(directory)/\(name)"
        let files = "\(home)/files"
        let store = try SQLiteJobStore(path: "\(home)/reelwatch.sqlite")
        let addStart = ContinuousClock.now
        _ = try await store.track(all: refs.map { TrackRequest(ref: $0, downloadDirectory: files) }, at: Date())
        print("\(name): \(count) jobs added to the store in \(Self.format(addStart.duration(to: .now)))")
        await simulator.add(simulatedJobs(refs, seed: seed))

        let before = await simulator.counts
        let arguments =
            [
                "run", "--rate-limit", "\(rateLimit)", "--min-delay", "\(Self.milliseconds(interval) / 4)ms",
                "--max-delay", "\(Self.milliseconds(interval))ms", "--parallel", "8",
            ] + (bulk ? [] : ["--no-bulk"])
        let started = ContinuousClock.now
        let process = try tools.startTimed(
            tools.reelwatch(arguments), environment: environment.merging(["REELWATCH_HOME": home]) { $1 },
            report: "\(home)/usage", stdout: "\(home)/stdout", stderr: "\(home)/stderr")
        var pollingDone: Duration?
        var remaining = Int.max
        var lastProgress = ContinuousClock.now
        while true {
            try await Task.sleep(for: .milliseconds(200))
            let phases = try await store.phaseCounts()
            let polling = phases[.polling] ?? 0
            let left = polling + (phases[.downloading] ?? 0)
            if polling == 0, pollingDone == nil { pollingDone = started.duration(to: .now) }
            if left == 0 { break }
            if left < remaining {
                remaining = left
                lastProgress = .now
            }
            guard process.isRunning, lastProgress.duration(to: .now) < .seconds(60) else {
                Self.stop(process)
                let errors = (try? String(contentsOfFile: "\(home)/stderr", encoding: .utf8)) ?? ""
                throw ValidationError(
                    "reelwatch run (\(name)) made no progress for a minute or stopped; \(polling) jobs polling, "
                        + "\(left - polling) downloading; its stderr ends: \(errors.suffix(400))")
            }
        }
        let elapsed = started.duration(to: .now)
        let after = await simulator.counts
        Self.stop(process)
        guard let usage = BenchTools.usage(report: "\(home)/usage") else {
            throw ValidationError("/usr/bin/time reported nothing for reelwatch run")
        }

        // Every job finished, and every file of a successful one is on disk, whole, where the store says.
        var finished = 0
        var succeeded = 0
        for job in try await store.jobs(in: nil) where job.phase == .done {
            switch job.state {
            case .failed:
                finished += 1
            case .succeeded:
                succeeded += 1
                let whole = job.files.allSatisfy { file in
                    file.status == .done && BenchTools.size(of: file.path) == videoKib << 10
                }
                if whole, !job.files.isEmpty { finished += 1 }
            default:
                break
            }
        }
        let storeBytes = ["", "-wal", "-shm"].compactMap { BenchTools.size(of: "\(store.path)\($0)") }.reduce(0, +)
        return Figures(
            name: bulk ? "reelwatch run" : "reelwatch run --no-bulk", jobs: count, seconds: elapsed.secondsValue,
            pollingSeconds: (pollingDone ?? elapsed).secondsValue, counts: after.minus(before), usage: usage,
            finished: finished, succeeded: succeeded, storeBytes: storeBytes)
    }

    /// The naive baseline over `count` fresh jobs, until every task has seen its job finish.
    func naive(
        _ name: String, count: Int, simulator: Simulator, environment: [String: String]
    ) async throws
        -> Figures
    {
        let refs = (0..<count).map { JobRef(api: .v3, id: "\(name)-\($0)") }
        await simulator.add(simulatedJobs(refs, seed: seed))
        let home = "\(directory)/\(name)"
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        let own = Bundle.main.executablePath ?? CommandLine.arguments[0]
        let before = await simulator.counts
        let started = ContinuousClock.now
        let process = try BenchTools(reelwatchPath: own).startTimed(
            [
                own, "naive-tracker", "--prefix", "\(name)-", "--count", "\(count)", "--interval",
                "\(Self.milliseconds(interval))ms", "--rate-limit", "\(rateLimit)",
            ],
            environment: environment, report: "\(home)/usage", stdout: "\(home)/stdout", stderr: "\(home)/stderr")
        while process.isRunning { try await Task.sleep(for: .milliseconds(50)) }
        let elapsed = started.duration(to: .now)
        let after = await simulator.counts
        let output = (try? String(contentsOfFile: "\(home)/stdout", encoding: .utf8)) ?? ""
        guard process.terminationStatus == 0, let usage = BenchTools.usage(report: "\(home)/usage"),
            let finished = output.split(separator: " ").last.flatMap({
                Int($0.trimmingCharacters(in: .whitespacesAndNewlines))
            })
        else {
            let errors = (try? String(contentsOfFile: "\(home)/stderr", encoding: .utf8)) ?? ""
            throw ValidationError("the naive baseline failed: \(errors.suffix(400))")
        }
        return Figures(
            name: "naive: a task per job", jobs: count, seconds: elapsed.secondsValue,
            pollingSeconds: elapsed.secondsValue, counts: after.minus(before), usage: usage, finished: finished,
            succeeded: 0, storeBytes: nil)
    }

    func report(_ results: [Figures]) {
        print("")
        print(
            "run                        jobs  finished   time  polls/s   status calls/job  beyond detail"
                + "  CPU/poll   peak RSS   store")
        for figures in results {
            let store = figures.storeBytes.map { String(format: "%6.1f MiB", Double($0) / 1_048_576) } ?? "     none"
            let name = figures.name.padding(toLength: 24, withPad: " ", startingAt: 0)
            let numbers = String(
                format: " %7d  %8d  %5.0f s  %7.0f  %17.2f  %13.2f  %6.1f µs  %6.1f MiB  ", figures.jobs,
                figures.finished, figures.seconds, figures.pollsPerSecond, figures.callsPerJob,
                figures.callsBeyondDetail, figures.cpuMicrosecondsPerPoll, Double(figures.usage.peakKiB) / 1024)
            print(name + numbers + store)
        }
        for figures in results {
            let counts = figures.counts
            print(
                "\(figures.name): \(counts.polls) polls (\(counts.bulkIDs) IDs in \(counts.bulkRequests) bulk requests, "
                    + String(format: "%.1f IDs a request, ", figures.idsPerBulkRequest)
                    + "\(counts.statusRequests) single), \(counts.fileRequests) file requests")
        }
        print("")
        print("polls: job statuses looked at (one per ID in a bulk request, one per single request), over the time")
        print("until no job was polling; CPU/poll: the process's user+system CPU (downloads and store included) per")
        print("poll; finished: terminal, and for reelwatch with every file on disk at its full size.")
        guard let main = results.first else { return }
        print("")
        let verdicts = [
            (
                main.usage.peakKiB * 1024 < 300_000_000,
                String(
                    format: "peak RSS %.1f MiB with %d jobs (target < 300 MB)", Double(main.usage.peakKiB) / 1024,
                    main.jobs)
            ),
            (
                main.pollsPerSecond >= 2000,
                String(format: "%.0f polls/s sustained (target >= 2000)", main.pollsPerSecond)
            ),
            (
                main.idsPerBulkRequest >= 50,
                String(
                    format: "%.1f IDs per bulk request (target >= 50; the one batching rule wait uses too)",
                    main.idsPerBulkRequest)
            ),
            (
                main.callsBeyondDetail < 2,
                String(
                    format: "%.2f status calls per job beyond its final detail fetch (target < 2)",
                    main.callsBeyondDetail)
            ),
            (
                results.dropLast().allSatisfy { $0.finished == $0.jobs },
                "every job tracked by reelwatch finished, with its files: "
                    + results.dropLast().map { "\($0.finished)/\($0.jobs)" }.joined(separator: ", ")
            ),
        ]
        for (pass, text) in verdicts { print("\(pass ? "PASS" : "FAIL")  \(text)") }
    }

    /// Stops a process started under `/usr/bin/time` with SIGINT (gracefully) and waits for it.
    static func stop(_ process: Process) {
        if process.isRunning, let pid = BenchTools.child(of: process.processIdentifier) { kill(pid, SIGINT) }
        process.waitUntilExit()
    }

    static func milliseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
    }

    static func format(_ duration: Duration) -> String { String(format: "%.1f s", duration.secondsValue) }
}

extension SimulatorCounts {
    /// The requests counted here and not in `earlier`.
    func minus(_ earlier: SimulatorCounts) -> SimulatorCounts {
        var result = SimulatorCounts()
        result.statusRequests = statusRequests - earlier.statusRequests
        result.bulkRequests = bulkRequests - earlier.bulkRequests
        result.bulkIDs = bulkIDs - earlier.bulkIDs
        result.fileRequests = fileRequests - earlier.fileRequests
        return result
    }
}
