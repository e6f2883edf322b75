import ArgumentParser
import AsyncHTTPClient
import Foundation
import Logging
import ReelWatch
import ReelWatchDaemon
import ReelWatchServer
import ReelWatchStore
import ReelWatchWebhooks
import ServiceLifecycle

#if canImport(Glibc)
    import Glibc
#endif

/// `reelwatch serve`: the daemon of `run`, woken by HeyGen's signed webhooks.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Work the tracked jobs as 'run' does, and receive HeyGen's signed webhooks to poll a job at once.",
        discussion: """
            Serves POST /webhooks/heygen (signed deliveries, checked against the secrets 'reelwatch webhook \
            register' and 'rotate' save in $REELWATCH_HOME/webhook-endpoints.json — read again when it changes, no \
            restart — and any in REELWATCH_WEBHOOK_SECRET, comma-separated), OPTIONS /webhooks/heygen and GET \
            /healthz. It starts without any secret (HeyGen checks the URL before 'register' can succeed) and answers \
            deliveries 503 until there is one, so HeyGen delivers them again later. A delivery about a tracked job \
            makes it due now: the engine then asks HeyGen for its status and downloads its files (a webhook is a \
            hint; its URL and state are never used). Jobs the registered endpoints cover are polled only every \
            --safety-delay, as a safety net, and deliveries that never came are found in HeyGen's list of webhook \
            events at start and every --reconcile-every. SIGTERM or SIGINT stops it gracefully.

            \(ExitStatus.serveTable)
            """
    )

    @Option(name: .long, help: "The address to listen on.")
    var host = "127.0.0.1"

    @Option(name: .long, help: "The port to listen on (0: any free port).")
    var port = 8080

    @Flag(name: .long, help: "Track the jobs that deliveries name and the store does not track yet.")
    var trackWebhooks = false

    @Option(
        name: .customLong("download"),
        help: ArgumentHelp(
            "With --track-webhooks or --sync-every: download the files of the jobs they track into this directory.",
            valueName: "dir")
    )
    var downloadDirectory: String?

    @Option(
        name: .long,
        parsing: .unconditional,
        help: ArgumentHelp(
            "Poll the jobs webhooks cover (HeyGen v3 videos and translations) only this often, as a safety net; "
                + "0 polls them on their render-time schedule.", valueName: "duration"),
        transform: DurationArgument.parse
    )
    var safetyDelay: Duration = .seconds(600)

    @Option(
        name: .long,
        parsing: .unconditional,
        help: ArgumentHelp(
            "Catch missed deliveries by reading HeyGen's list of webhook events at start and this often; 0 never.",
            valueName: "duration"),
        transform: DurationArgument.parse
    )
    var reconcileEvery: Duration = .seconds(300)

    /// How long a connection may wait without a complete request head, or stall in a body (tests shorten it).
    @Option(name: .long, parsing: .unconditional, help: .private, transform: DurationArgument.parse)
    var idleTimeout: Duration = ConnectionLimits().idleTimeout

    /// The most connections served at once (default: half the open-file limit, at most 1,024; tests raise it).
    @Option(name: .long, help: .private)
    var maxConnections: Int?

    @OptionGroup var syncEvery: SyncEveryFlag

    @OptionGroup(title: "Account Sync Options (with --sync-every)") var syncWindow: AccountSyncWindowFlags
    @OptionGroup var tracking: TrackerFlags
    @OptionGroup var options: CommonOptions

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
        if host.isEmpty { throw ValidationError("--host must not be empty") }
        if downloadDirectory != nil, !trackWebhooks, syncEvery.interval == nil {
            throw ValidationError("--download goes with --track-webhooks or --sync-every")
        }
        if syncEvery.interval == nil, syncWindow.given {
            throw ValidationError("--since, --folder, --label and --kinds go with --sync-every")
        }
        if safetyDelay < .zero { throw ValidationError("--safety-delay must be 0 or more") }
        if idleTimeout <= .zero { throw ValidationError("--idle-timeout must be more than 0") }
        if let maxConnections, maxConnections < 1 { throw ValidationError("--max-connections must be 1 or more") }
        if reconcileEvery != .zero, reconcileEvery < .seconds(1) {
            throw ValidationError("--reconcile-every must be 0 or at least 1s")
        }
        if let downloadDirectory, downloadDirectory.isEmpty {
            throw ValidationError("--download must name a directory")
        }
    }

    func run() async throws {
        var report = JobReport(json: options.json)
        let logger = options.makeLogger()
        let environment = ProcessInfo.processInfo.environment
        let secretFile = StoreLocation.webhookEndpointsPath(environment: environment)
        let secrets: WebhookSecretSource
        do {
            secrets = try WebhookSecretSource(
                fixed: try WebhookSignature.secrets(environment: environment), file: secretFile,
                clock: ContinuousClock(), wallClock: { Date() }, logger: logger)
        } catch {
            report.print(error)
            throw report.status
        }
        let (store, lock, client, http) = try tracking.prepare(options, command: "reelwatch serve", report: &report)
        if secrets.signature() == nil {
            logger.warning(
                """
                no webhook secret yet (none in \(secretFile) or \(WebhookSignature.environmentVariable)): \
                deliveries are answered 503 until 'reelwatch webhook register' saves one
                """)
        }
        let printer = TrackerEventPrinter(json: options.json)
        let news = WakeSignal()
        // Jobs webhooks cover are polled as a safety net: which those are follows the secrets (an endpoint
        // registered or removed while serve runs counts within seconds).
        let push = safetyDelay > .zero ? PushCoverage(safetyDelay: safetyDelay, apis: secrets.coveredAPIs()) : nil
        let tracker = TrackerService(
            tracker: tracking.tracker(options, store: store, client: client, http: http, news: news, push: push),
            logger: logger
        ) { await printer.print($0) }
        let receiver = WebhookReceiver(
            secrets: secrets, store: store, news: news, trackUntracked: trackWebhooks,
            downloadDirectory: downloadDirectory.map(StoreLocation.absolute), wallClock: { Date() }, logger: logger)
        let (host, json, path) = (host, options.json, store.path)
        let limits = ConnectionLimits(
            idleTimeout: idleTimeout,
            maximumConnections: maxConnections
                ?? ConnectionLimits.maximumConnections(descriptorLimit: Self.descriptorLimit()))
        let server = WebhookServer.application(
            receiver: receiver, host: host, port: port, limits: limits, logger: logger
        ) { port in
            if !json {
                Console.standardError.write(
                    "reelwatch: serving http://\(host):\(port)\(WebhookServer.webhookPath) and working the jobs in "
                        + "\(path); Ctrl-C to stop\n")
            }
        }
        var services: [any Service] = [tracker, server]
        if let push {
            services.append(
                IntervalService(every: .seconds(2), time: TimeSource(ContinuousClock())) {
                    push.cover(secrets.coveredAPIs())
                })
        }
        if let interval = syncEvery.interval {
            let sync = AccountSync(
                client: client, store: store, options: syncWindow.options(downloadDirectory: downloadDirectory))
            services.append(
                TrackSyncCommand.daemonService(sync, every: interval, wake: news, logger: logger, json: options.json))
        }
        if reconcileEvery > .zero {
            let reconciler = WebhookReconciler(receiver: receiver, client: client, logger: logger)
            services.append(
                IntervalService(every: reconcileEvery, time: client.time) { await reconciler.reconcileLogged() })
        }
        await DaemonGroup.run(
            services, command: "serve", logger: logger, report: &report, http: http, lock: lock,
            failure: { error in
                let reason = ReelWatchError.printable("\(error)", limit: 200)
                return ReelWatchError(code: .invalidConfiguration, message: "the server stopped: \(reason)")
            })
        throw report.status
    }

    /// How many descriptors this process may have open (its soft `RLIMIT_NOFILE`); 1,024 when it cannot be read.
    static func descriptorLimit() -> Int {
        var limit = rlimit()
        #if os(Linux)
            let read = getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        #else
            let read = getrlimit(RLIMIT_NOFILE, &limit)
        #endif
        guard read == 0 else { return 1024 }
        return Int(clamping: limit.rlim_cur)
    }
}
