import ArgumentParser
import AsyncHTTPClient
import Foundation
import Logging
import ReelWatch
import ReelWatchDaemon
import ReelWatchStore
import ServiceLifecycle

/// `reelwatch run`: the daemon that works the tracked jobs until stopped.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Work the tracked jobs continuously: poll when due, download on success; stop with Ctrl-C.",
        discussion: """
            Polls due jobs under the shared per-provider rate limit (HeyGen v3 videos and translations through \
            the bulk status endpoints), downloads the files of jobs that succeed, and records everything in the store. \
            SIGTERM or SIGINT stops it gracefully: downloads in flight keep their .part to resume from. \
            After a crash (even kill -9) it resumes every job where it was.

            \(ExitStatus.trackTable)
            """
    )

    @Flag(
        name: .long,
        help: "Keep finished jobs' links fresh: ask again for jobs whose links expire within a day (links last 7 days)."
    )
    var refreshLinks = false

    @OptionGroup var syncEvery: SyncEveryFlag

    @OptionGroup(title: "Account Sync Options (with --sync-every)") var syncWindow: AccountSyncFlags
    @OptionGroup var tracking: TrackerFlags
    @OptionGroup var options: CommonOptions

    func validate() throws {
        if syncEvery.interval == nil, syncWindow.given {
            throw ValidationError("--since, --folder, --kinds, --download and --label go with --sync-every")
        }
    }

    func run() async throws {
        var report = JobReport(json: options.json)
        let (store, lock, client, http) = try tracking.prepare(options, command: "reelwatch run", report: &report)
        let logger = options.makeLogger()
        let printer = TrackerEventPrinter(json: options.json)
        let news = WakeSignal()
        let service = TrackerService(
            tracker: tracking.tracker(
                options, store: store, client: client, http: http,
                refreshLinksAhead: refreshLinks ? .seconds(24 * 3600) : nil,
                news: news),
            logger: logger
        ) { await printer.print($0) }
        var services: [any Service] = [service]
        if let interval = syncEvery.interval {
            let sync = AccountSync(client: client, store: store, options: syncWindow.options())
            services.append(
                TrackSyncCommand.daemonService(sync, every: interval, wake: news, logger: logger, json: options.json))
        }
        if !options.json {
            Console.standardError.write("reelwatch: working the jobs in \(store.path); Ctrl-C to stop\n")
        }
        await DaemonGroup.run(
            services, command: "run", logger: logger, report: &report, http: http, lock: lock,
            failure: { ReelWatchError(code: .cancelled, message: "stopped: \($0)") })
        // Render failures and retried errors were printed as they happened; they do not fail the daemon.
        throw report.status
    }
}
