import ArgumentParser
import AsyncHTTPClient
import Foundation
import Logging
import ReelWatch
import ReelWatchSimulator

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
            """
    )

    @Option(name: .customLong("to"), help: "The directory to download the simulated renders into.")
    var directory = "reelwatch-demo"

    @Option(name: .long, help: "Simulated seconds per real second.")
    var timeScale: Double = 60

    @OptionGroup var options: CommonOptions

    func validate() throws {
        guard timeScale >= 1, timeScale <= 10_000 else { throw ValidationError("--time-scale must be 1 to 10000") }
        guard !directory.isEmpty else { throw ValidationError("--to must name a directory") }
    }

    func run() async throws {
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
        let http = DownloadSession.makeHTTPClient()
        let storeDirectory = NSTemporaryDirectory() + "reelwatch-demo-store-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: storeDirectory) }
        let recorder = StoreRecorder(
            path: storeDirectory + "/reelwatch.sqlite", downloadDirectory: directory, logger: logger)
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
                retryPolicy: RetryPolicy(maxRetries: options.retries),
                requestTimeout: options.requestTimeout,
                clock: clock,
                rateLimiter: RateLimiter(clock: clock),
                logger: logger
            )
            var session = WaitSession(
                refs: refs,
                client: client,
                options: WatchOptions(),
                json: options.json,
                wallClock: { epoch.addingTimeInterval(clock.now.offset.secondsValue) },
                timeScale: timeScale
            )
            session.recorder = recorder
            session.download = WaitSession.DownloadTarget(
                plan: { snapshot throws(ReelWatchError) in try Downloader.plan(snapshot, directory: directory) },
                session: DownloadSession(
                    downloader: Downloader(statusClient: client, transport: AsyncHTTPClientTransport(client: http)),
                    parallel: 4,
                    json: options.json
                )
            )
            return await session.run(report: &report)
        }
        try? await http.shutdown()
        if !options.json {
            let table = TrackedJobText.table(
                await recorder.jobs(), now: Date(), colour: Console.standardOutput.usesColour)
            Console.standardOutput.write("\ntracked in the demo's job store:\n" + table + "\n")
        }
        // Failed renders are part of the show; anything else is a real problem.
        throw status == .renderFailed ? ExitStatus.success : status
    }
}
