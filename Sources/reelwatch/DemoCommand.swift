import ArgumentParser
import AsyncHTTPClient
import Foundation
import Logging
import ReelWatch
import ReelWatchDaemon
import ReelWatchSimulator
import ReelWatchStore

/// `reelwatch demo`: runs the built-in provider simulator in-process and shows reelwatch on its jobs.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Show reelwatch on simulated HeyGen and Hera jobs; no API key needed.",
        discussion: """
            Starts the provider simulator on an ephemeral loopback port with jobs of all four APIs in \
            every state, renders them in compressed time (one simulated minute per real second), waits \
            for all of them over real HTTP with live progress, and downloads each finished render's files \
            into ./reelwatch-demo/ (a second run finds them already complete), recording everything in a \
            temporary job store whose table it shows at the end.

            With --push: the simulator plays HeyGen's webhook side too. The demo registers an endpoint through the \
            simulator's endpoint API (saving the secret as 'reelwatch webhook register' does), tracks the jobs, and \
            works them as 'reelwatch serve' does: deliveries make jobs due, covered jobs are polled only every 10 \
            minutes as a safety net, and the deliveries the simulator drops are found by reconciliation.
            """
    )

    @Option(name: .customLong("to"), help: "The directory to download the simulated renders into.")
    var directory = "reelwatch-demo"

    @Option(name: .long, help: "Simulated seconds per real second.")
    var timeScale: Double = 60

    @Flag(
        name: .long,
        help: "Show the push path instead: the simulator registers an endpoint and delivers webhooks (some dropped).")
    var push = false

    @OptionGroup var options: CommonOptions

    func validate() throws {
        guard timeScale >= 1, timeScale <= 10_000 else { throw ValidationError("--time-scale must be 1 to 10000") }
        guard !directory.isEmpty else { throw ValidationError("--to must name a directory") }
    }

    func run() async throws {
        if push {
            let status = try await DemoPush(timeScale: timeScale, directory: directory, options: options).run()
            throw status == .renderFailed ? ExitStatus.success : status
        }
        let logger = options.makeLogger()
        let simulator = Simulator(timeScale: timeScale)
        let clock = CompressedClock(scale: timeScale)
        let epoch = Date()
        await simulator.add(DemoJobs.all)
        let server = SimulatorServer(simulator: simulator, logger: logger)
        let refs = DemoJobs.all.map(\.ref)
        let options = self.options
        let timeScale = self.timeScale
        let directory = self.directory
        let http = FileLine.makeHTTPClient()
        let storeDirectory = NSTemporaryDirectory() + "reelwatch-demo-store-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: storeDirectory) }
        let demoStore = try? SQLiteJobStore(path: storeDirectory + "/reelwatch.sqlite")
        let store: any JobStore =
            demoStore.map {
                MirroredJobStore(primary: MemoryJobStore(), mirror: $0) { error in
                    logger.warning("not recording in the job store", metadata: ["error": "\(error.message)"])
                }
            } ?? MemoryJobStore()
        let status = try await server.withRunning { endpoint in
            var report = JobReport(json: options.json)
            if !options.json {
                Console.standardOutput.write(
                    "reelwatch demo: simulator on 127.0.0.1:\(endpoint.port), \(refs.count) jobs, "
                        + "time running \(Int(timeScale))x faster\n\n"
                )
            }
            let client = StatusClient(
                configuration: endpoint.configuration(apiKey: simulator.apiKey),
                retryPolicy: options.statusRetryPolicy,
                requestTimeout: options.requestTimeout,
                clock: clock,
                wallClock: { epoch.addingTimeInterval(clock.now.offset.secondsValue) },
                rateLimiter: RateLimiter(clock: clock),
                logger: logger
            )
            let tracker = Tracker(
                store: store,
                client: client,
                downloader: options.makeDownloader(client: client, http: http),
                options: TrackerOptions(downloadConcurrency: 4)
            )
            let plan = FollowPlan(refs: refs, timeout: WatchOptions().timeout, downloadDirectory: directory)
            var session = WaitSession(tracker: tracker, plan: plan, json: options.json)
            session.timeScale = timeScale
            return await session.run(report: &report)
        }
        try? await http.shutdown()
        if !options.json {
            let jobs = (try? await demoStore?.jobs(in: nil)) ?? []
            let table = TrackedJobText.table(jobs, now: Date(), colour: Console.standardOutput.usesColour)
            Console.standardOutput.write("\ntracked in the demo's job store:\n" + table + "\n")
        }
        // Failed renders are part of the show; anything else is a real problem.
        throw status == .renderFailed ? ExitStatus.success : status
    }
}
