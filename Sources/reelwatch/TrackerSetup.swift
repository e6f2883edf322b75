import ArgumentParser
import AsyncHTTPClient
import Foundation
import ReelWatch
import ReelWatchDaemon
import ReelWatchStore

/// The flags `track check` and `run` share: poll bounds and which files to download.
struct TrackerFlags: ParsableArguments {
    @OptionGroup var delays: PollDelayFlags

    @Flag(
        name: .long,
        help: "Poll HeyGen v3 videos and translations one by one instead of through the bulk status endpoints.")
    var noBulk = false

    @OptionGroup(title: "Download Options") var files: DownloadFlags

    /// Hidden: benchmarks run the daemon against the simulator on compressed time, as the simulator's renders are, so
    /// that every schedule keeps its proportions to the renders (`reelwatch-bench push`).
    @Option(name: .long, parsing: .unconditional, help: .private)
    var timeScale: Double = 1

    func validate() throws {
        guard timeScale.isFinite, (1...10_000).contains(timeScale) else {
            throw ValidationError("--time-scale must be 1 to 10000")
        }
    }

    /// The store with its worker lock (taken for `command`), a status client and a download HTTP client for
    /// `options`; what cannot be opened, locked or configured is printed and ends the command with its exit
    /// status. The caller keeps the lock alive while it works and shuts the HTTP client down.
    func prepare(
        _ options: CommonOptions,
        command: String,
        report: inout JobReport
    ) throws -> (store: SQLiteJobStore, lock: StoreWorkerLock, client: StatusClient, http: HTTPClient) {
        let store = try StoreLocation.open(report: &report)
        let lock: StoreWorkerLock
        do {
            lock = try StoreWorkerLock(storePath: store.path, command: command)
        } catch {
            report.print(error)
            throw report.status
        }
        let client = try options.makeClient(report: &report, timeScale: timeScale)
        return (store, lock, client, FileLine.makeHTTPClient())
    }

    /// A tracker over `store` with these flags, fetching files through `http` as `options` say.
    func tracker(
        _ options: CommonOptions, store: any JobStore, client: StatusClient, http: HTTPClient,
        refreshLinksAhead: Duration? = nil,
        news: WakeSignal? = nil, push: PushCoverage? = nil
    ) -> Tracker {
        Tracker(
            store: store,
            client: client,
            downloader: options.makeDownloader(client: client, http: http),
            options: TrackerOptions(
                watch: WatchOptions(minDelay: delays.minDelay, maxDelay: delays.maxDelay),
                selection: files.assets ?? .defaults,
                naming: FileNaming(fromTitle: files.nameFromTitle),
                useBulkStatus: !noBulk,
                downloadConcurrency: files.parallel,
                refreshLinksAhead: refreshLinksAhead
            ),
            news: news,
            push: push
        )
    }
}

/// Prints what a tracker does: one line per change, file and failure (JSON lines with `--json`), and keeps
/// the exit status they add up to.
actor TrackerEventPrinter {
    private var report: JobReport
    private let json: Bool

    init(json: Bool) {
        self.json = json
        self.report = JobReport(json: json)
    }

    /// The exit status so far.
    var status: ExitStatus { report.status }

    func print(_ event: TrackerEvent) {
        switch event {
        case .changed(let ref, let from, let snapshot):
            if json {
                Console.standardOutput.write(snapshot.jsonLine() + "\n")
            } else {
                let before = from?.rawValue ?? "new"
                var line = "\(ref.printable)  \(before) -> \(snapshot.state.rawValue)"
                if let status = snapshot.providerStatus?.rawValue, status != snapshot.state.rawValue {
                    line += " (\(ReelWatchError.printable(status)))"
                }
                Console.standardOutput.write(line + "\n")
            }
            if snapshot.state.isFailure {
                report.print(.renderFailed(snapshot, ref: ref))
            }
        case .polled:
            break
        case .pollFailed(_, let error), .downloadFailed(_, let error):
            report.print(error)
        case .downloaded(let file, _):
            Console.standardOutput.write(FileLine.text(for: file, json: json) + "\n")
        }
    }
}
