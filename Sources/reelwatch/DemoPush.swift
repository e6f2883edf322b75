import AsyncHTTPClient
import Foundation
import Logging
import ReelWatch
import ReelWatchDaemon
import ReelWatchServer
import ReelWatchSimulator
import ReelWatchStore
import ReelWatchWebhooks

/// `reelwatch demo --push`: the push path of `serve`, offline. The simulator plays HeyGen — its endpoint API, its
/// signed deliveries (a quarter of them dropped) and its list of events — and the demo does what `serve` does
/// after `reelwatch webhook register`: receives deliveries, polls covered jobs only as a safety net, and catches
/// the dropped ones by reconciliation; all on the simulator's compressed time.
struct DemoPush {
    var timeScale: Double
    var directory: String
    var options: CommonOptions

    /// The fraction of deliveries the simulator drops, and the seed that decides which.
    static let faults = WebhookFaults(drop: 0.25, seed: 7)

    func run() async throws -> ExitStatus {
        let logger = options.makeLogger()
        let simulator = Simulator(timeScale: timeScale)
        await simulator.injectWebhookFaults(Self.faults)
        let clock = CompressedClock(scale: timeScale)
        let epoch = Date()
        let home = NSTemporaryDirectory() + "reelwatch-demo-push-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: home) }
        let store = try SQLiteJobStore(path: home + "/reelwatch.sqlite")
        let secretFile = home + "/" + WebhookEndpointFile.fileName
        let secrets = try WebhookSecretSource(
            fixed: [], file: secretFile, checkInterval: .milliseconds(20), clock: ContinuousClock(),
            wallClock: { Date() }, logger: logger)
        let news = WakeSignal()
        let receiver = WebhookReceiver(
            secrets: secrets, store: store, news: news, wallClock: { Date() }, logger: logger)
        let http = FileLine.makeHTTPClient()
        let printer = TrackerEventPrinter(json: options.json)
        let (options, timeScale, directory) = (self.options, self.timeScale, self.directory)
        let say: @Sendable (String) -> Void = { text in
            if !options.json { Console.standardOutput.write(text + "\n") }
        }

        do {
            try await SimulatorServer(simulator: simulator, logger: logger).withRunning { endpoint in
                let client = StatusClient(
                    configuration: endpoint.configuration(apiKey: simulator.apiKey),
                    retryPolicy: options.statusRetryPolicy,
                    requestTimeout: options.requestTimeout,
                    clock: clock,
                    wallClock: { epoch.addingTimeInterval(clock.now.offset.secondsValue) },
                    logger: logger)
                try await LoopbackServer.withRunning(
                    router: WebhookServer.router(receiver: receiver), serverName: "reelwatch", logger: logger
                ) { port in
                    say(
                        "reelwatch demo --push: the simulator plays HeyGen on 127.0.0.1:\(endpoint.port) "
                            + "(time \(Int(timeScale))x); serve's webhook routes on 127.0.0.1:\(port)\n")
                    // What `reelwatch webhook register` does: HeyGen checks the URL with OPTIONS, answers the secret.
                    let url = "http://127.0.0.1:\(port)\(WebhookServer.webhookPath)"
                    let events = WebhookEndpointText.defaultEvents
                    let registered = try await client.registerWebhookEndpoint(url: url, events: events)
                    guard let secret = registered.secret else {
                        throw ReelWatchError(code: .invalidResponse, message: "the simulator sent no secret")
                    }
                    try WebhookEndpointFile.update(path: secretFile, now: Date()) { file in
                        file.put(WebhookEndpointFile.Entry(id: registered.id, url: url, events: events, secret: secret))
                    }
                    say("registered \(registered.id) for \(events.joined(separator: ", ")); secret saved (mode 0600)")
                    let covered = secrets.coveredAPIs()
                    say(
                        "covered by webhooks, polled every 10 min as a safety net: "
                            + covered.map(\.refPrefix).sorted().joined(separator: ", ")
                            + "; the rest on their render-time schedule")
                    say(
                        "the simulator drops \(Int(Self.faults.drop * 100)) % of deliveries; reconciliation every 5 min\n"
                    )

                    await simulator.add(DemoJobs.all)
                    _ = try await store.track(
                        all: DemoJobs.all.map {
                            TrackRequest(ref: $0.ref, downloadDirectory: StoreLocation.absolute(directory))
                        },
                        at: client.wallClock())
                    let tracker = Tracker(
                        store: store, client: client,
                        downloader: options.makeDownloader(client: client, http: http),
                        options: TrackerOptions(downloadConcurrency: 4), news: news,
                        push: PushCoverage(safetyDelay: .seconds(600), apis: covered))
                    let reconciler = WebhookReconciler(receiver: receiver, client: client, logger: logger)
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask { try await tracker.run(.daemon, report: { await printer.print($0) }) }
                        group.addTask {
                            try await IntervalService(every: .seconds(300), time: client.time) {
                                guard let summary = try? await reconciler.reconcile(), summary.recovered > 0 else {
                                    return
                                }
                                say(
                                    "reconciliation: \(summary.recovered) event(s) not received found in HeyGen's list of events"
                                )
                            }.run()
                        }
                        defer { group.cancelAll() }
                        while true {
                            try await Task.sleep(for: .milliseconds(50))
                            let phases = try await store.phaseCounts()
                            if (phases[.polling] ?? 0) + (phases[.downloading] ?? 0) == 0 { break }
                        }
                    }
                }
            }
        } catch {
            try? await http.shutdown()
            throw error
        }
        try? await http.shutdown()
        let counts = await simulator.counts
        let jobs = try await store.jobs(in: nil)
        if !options.json {
            let table = TrackedJobText.table(jobs, now: Date(), colour: Console.standardOutput.usesColour)
            Console.standardOutput.write(
                """

                webhooks: \(counts.webhookEvents) events, \(counts.webhooksDelivered) delivered, \
                \(counts.webhooksDropped) dropped (found by reconciliation, or by the safety net first)
                status calls: \(counts.statusRequests) single and \(counts.bulkRequests) bulk for \(jobs.count) jobs

                tracked in the demo's job store:
                \(table)

                """)
        }
        return await printer.status
    }
}
