import ArgumentParser
import AsyncHTTPClient
import Foundation
import Logging
import ReelWatch
import ReelWatchDaemon
import ReelWatchServer
import ReelWatchSimulator
import ReelWatchStore
import ReelWatchWebhooks

/// One run of `reelwatch-bench push`: `reelwatch run` (polling only) or `reelwatch serve` (webhooks, the safety net
/// and reconciliation) as a child process over fresh v3 renders, its engine on time compressed as the simulator's
/// is (the hidden `--time-scale`), so that every schedule — render-time polls, the 10-minute safety net, 5-minute
/// reconciliation — keeps its real proportions to the renders.
struct PushRun {
    /// What the run measured.
    struct Figures {
        var name: String
        var jobs: Int
        var seconds: Double
        var counts: SimulatorCounts
        /// Jobs that ended with every file on disk (successes) or failed.
        var finished: Int
        /// Lag from each successful render's end to its file on disk, in seconds at real speed.
        var lags: [Double]
        /// The lags of jobs whose end was delivered (not dropped): the push path proper.
        var deliveredLags: [Double]
        /// Files fetched more than once (no job may be downloaded twice).
        var downloadedTwice: Int
        /// Events recorded in the store that no delivery brought: caught by reconciliation.
        var reconciled = 0
        /// Events the simulator made for these jobs, and how many the store holds.
        var events = 0
        var recorded = 0
        /// Seconds from the last render's end on disk until serve's own reconciliation had every event.
        var reconciledWithin: Double?
        var webhookNote = ""
        /// The child process's peak RSS and CPU.
        var usage: BenchTools.Usage?

        var callsPerJob: Double { Double(counts.statusCalls) / Double(max(jobs, 1)) }
    }

    var name: String
    var refs: [JobRef]
    var jobs: [SimulatedJob]
    var timeScale: Double
    var directory: String
    /// With webhooks: deliveries to serve, these faults, the safety net and reconciliation.
    var push: WebhookFaults?
    var secret = PushBenchmark.secret
    /// Status requests per second the child may make (the provider's limit is not what is measured here).
    var rateLimit = 5000

    /// Runs until every job has ended with its files on disk (or a minute passes without progress).
    func run(tools: BenchTools, logger: Logger) async throws -> Figures {
        let simulator = Simulator(timeScale: timeScale, keepsLog: false)
        return try await SimulatorServer(simulator: simulator, logger: logger).withRunning { endpoint in
            try await run(simulator: simulator, endpoint: endpoint, tools: tools)
        }
    }

    /// Runs against `simulator`, served at `endpoint`.
    private func run(
        simulator: Simulator, endpoint: SimulatorServer.Endpoint, tools: BenchTools
    ) async throws -> Figures {
        let home = "\(directory)/\(name)"
        let store = try SQLiteJobStore(path: "\(home)/reelwatch.sqlite")
        let downloads = "\(home)/files"
        _ = try await store.track(all: refs.map { TrackRequest(ref: $0, downloadDirectory: downloads) }, at: Date())
        var environment = endpoint.environment(apiKey: simulator.apiKey)
        environment["REELWATCH_HOME"] = home
        let engineFlags = ["--time-scale", "\(timeScale)", "--rate-limit", "\(rateLimit)", "--parallel", "8"]

        let before = await simulator.counts
        let bytesBefore = await simulator.totalBytesServed
        let addedWall = Date()
        await simulator.add(jobs)
        let started = ContinuousClock.now
        let stop: () -> BenchTools.Usage?
        if let push {
            environment["REELWATCH_WEBHOOK_SECRET"] = secret
            let serve = try ServeProcess.start(
                tools: tools, home: home,
                arguments: engineFlags + ["--safety-delay", "10m", "--reconcile-every", "5m"],
                environment: environment)
            stop = { serve.stop() }
            await simulator.injectWebhookFaults(push)
            await simulator.addWebhookDestination(
                WebhookDestination(
                    url: "http://127.0.0.1:\(serve.port)\(WebhookServer.webhookPath)", secret: secret))
        } else {
            let process = try tools.startTimed(
                tools.reelwatch(["run"] + engineFlags), environment: environment, report: "\(home)/usage",
                stdout: "\(home)/stdout", stderr: "\(home)/stderr")
            stop = {
                TrackBenchmark.stop(process)
                return BenchTools.usage(report: "\(home)/usage")
            }
        }
        var usage: BenchTools.Usage?
        var reconciledWithin: Double?
        do {
            try await Self.waitUntilDone(store: store, name: name)
            if push != nil {
                // serve's own reconciliation (every 5 simulated minutes) must bring in every event no delivery did:
                // the dropped ones whose jobs the safety net may have finished already.
                let done = ContinuousClock.now
                let made = await simulator.webhookEvents.count { Set(refs).contains($0.ref) }
                let patience = Duration.seconds(2 * 300 / timeScale + 10)
                while try await store.deliveredEventCount() < made, done.duration(to: .now) < patience {
                    try await Task.sleep(for: .milliseconds(100))
                }
                if try await store.deliveredEventCount() >= made {
                    reconciledWithin = done.duration(to: .now).secondsValue
                }
            }
            usage = stop()
        } catch {
            _ = stop()
            let errors = (try? String(contentsOfFile: "\(home)/stderr", encoding: .utf8)) ?? ""
            throw ValidationError("\(error) — reelwatch's stderr ends: \(errors.suffix(600))")
        }
        let elapsed = started.duration(to: .now)
        let counts = await simulator.counts.minus(before)

        var figures = Figures(
            name: name, jobs: refs.count, seconds: elapsed.secondsValue, counts: counts, finished: 0, lags: [],
            deliveredLags: [], downloadedTwice: 0, reconciledWithin: reconciledWithin, usage: usage)
        await simulator.removeWebhookDestinations()
        let records = await simulator.webhookDeliveries
        let delivered = Set(records.filter(\.delivered).map(\.ref))
        let refSet = Set(refs)
        if push != nil {
            figures.webhookNote =
                "\(records.filter { refSet.contains($0.ref) && $0.plan.dropped }.count) of "
                + "\(records.filter { refSet.contains($0.ref) }.count) deliveries dropped, "
                + "\(records.filter { refSet.contains($0.ref) && $0.plan.duplicated }.count) duplicated"
        }
        figures.recorded = try await store.deliveredEventCount()
        figures.events = await simulator.webhookEvents.count { refSet.contains($0.ref) }
        figures.reconciled = figures.recorded - delivered.intersection(refSet).count
        let byRef = Dictionary(uniqueKeysWithValues: jobs.map { ($0.ref, $0) })
        var files = 0
        for job in try await store.jobs(in: nil) where job.phase == .done {
            guard job.state == .succeeded else {
                if job.state == .failed { figures.finished += 1 }
                continue
            }
            let whole = job.files.allSatisfy { $0.status == .done && BenchTools.size(of: $0.path) != nil }
            guard whole, !job.files.isEmpty, let simulated = byRef[job.ref] else { continue }
            figures.finished += 1
            // The render ended (queue + render) of simulated time after it was added; its file landed at the
            // file's modification time. Polling lags are at compressed speed: scaled back to real speed.
            let end = addedWall.addingTimeInterval(
                (simulated.queueTime + simulated.renderTime).secondsValue / timeScale)
            let landed =
                job.files.compactMap { file in
                    (try? FileManager.default.attributesOfItem(atPath: file.path)[.modificationDate]) as? Date
                }.max() ?? end
            let realLag = max(0, landed.timeIntervalSince(end))
            if push == nil || !delivered.contains(job.ref) {
                figures.lags.append(realLag * timeScale)
            } else {
                figures.lags.append(realLag)
                figures.deliveredLags.append(realLag)
            }
            files += job.files.count
        }
        // Every file's bytes are sent once, or a job was downloaded twice (a link not live yet is answered 404
        // without bytes, and fetched again: not a second download).
        let bytes = await simulator.totalBytesServed - bytesBefore
        figures.downloadedTwice = max(0, bytes - files * PushBenchmark.videoBytes) / PushBenchmark.videoBytes
        return figures
    }

    /// Waits until no tracked job is polling or downloading; throws after a minute without progress.
    static func waitUntilDone(store: SQLiteJobStore, name: String) async throws {
        var remaining = Int.max
        var lastProgress = ContinuousClock.now
        while true {
            try await Task.sleep(for: .milliseconds(100))
            let phases = try await store.phaseCounts()
            let left = (phases[.polling] ?? 0) + (phases[.downloading] ?? 0)
            if left == 0 { return }
            if left < remaining {
                remaining = left
                lastProgress = .now
            }
            guard lastProgress.duration(to: .now) < .seconds(60) else {
                throw ValidationError("\(name): no progress for a minute; \(left) jobs not done")
            }
        }
    }
}
