import ArgumentParser
import AsyncHTTPClient
import Foundation
import ReelWatch
import ReelWatchDaemon

/// `reelwatch download REF...`: every finished render's files to disk.
struct DownloadCommand: AsyncParsableCommand, RefListCommand {
    static let configuration = CommandConfiguration(
        commandName: "download",
        abstract: "Download the files of finished renders: streamed, resumable, verified.",
        discussion: """
            Streams each file to NAME.part and renames it into place only once complete; a .part left by an \
            earlier run is resumed; a complete file is not fetched again. Expired links are refreshed \
            through the status call. Does not wait for renders that are still running.

            \(ExitStatus.downloadTable)
            """
    )

    @Argument(help: "Job references PROVIDER:ID, PROVIDER one of \(JobRef.prefixList).")
    var refs: [String]

    @Option(name: .customLong("to"), help: "The directory to download into.")
    var directory: String = "."

    @OptionGroup var files: DownloadFlags
    @OptionGroup var options: CommonOptions

    func run() async throws {
        var report = JobReport(json: options.json)
        let parsed = report.parse(refs)
        let client = try options.makeClient(report: &report)
        guard report.status == .success else { throw report.status }
        let http = FileLine.makeHTTPClient()
        let tracker = Tracker(
            store: FollowStore.make(logger: options.makeLogger()),
            client: client,
            downloader: options.makeDownloader(client: client, http: http),
            options: files.trackerOptions(watch: WatchOptions())
        )
        // One status call a job (no waiting): a job still rendering ends the follow at once.
        let plan = FollowPlan(
            refs: parsed, timeout: .seconds(24 * 3600), downloadDirectory: directory,
            pollOnce: true)
        let bars = !options.json && Console.standardOutput.isTerminal ? ProgressBars() : nil
        let printer = DownloadPrinter(json: options.json, bars: bars, files: files, directory: directory)
        let (result, interruption) = await SignalScope.run {
            do throws(ReelWatchError) {
                try await tracker.run(.follow(plan), downloadProgress: { bars?.update($0) }) { event in
                    await printer.print(event)
                }
                return ReelWatchError?.none
            } catch {
                return error
            }
        }
        try? await http.shutdown()
        if let result { report.print(result) }
        // What was cut short by the interruption is said once, below, for all.
        let printed = await printer.finish(interrupted: interruption != nil)
        if let interruption {
            report.print(
                interruption.error(
                    "download stopped; saved files stay, partial ones stay as .part",
                    hint: "run the same command to resume them"))
        }
        throw max(report.status, printed)
    }

    func validate() throws {
        guard !directory.isEmpty else { throw ValidationError("--to must name a directory") }
    }
}

/// The flags that say which files to download and how.
struct DownloadFlags: ParsableArguments {
    @Option(
        name: .long,
        help:
            "Which files: a list of \(AssetSelection.wordList) (default: the video, or every Hera output).",
        transform: { text in
            guard let selection = AssetSelection(parsing: text) else {
                throw ValidationError(
                    "'\(ReelWatchError.printable(text))' is not a list of \(AssetSelection.wordList)"
                )
            }
            return selection
        }
    )
    var assets: AssetSelection?

    @Option(name: .long, parsing: .unconditional, help: "How many files to download at once.")
    var parallel = 4

    @Flag(name: .long, help: "Name files after the video's title instead of PROVIDER-ID.")
    var nameFromTitle = false

    func validate() throws {
        guard (1...64).contains(parallel) else { throw ValidationError("--parallel must be between 1 and 64") }
    }

    /// The files of `snapshot` these flags select, named and placed in `directory`.
    func plan(_ snapshot: JobSnapshot, into directory: String) throws(ReelWatchError) -> [DownloadItem] {
        try Downloader.plan(
            snapshot,
            selection: assets ?? .defaults,
            directory: directory,
            naming: FileNaming(fromTitle: nameFromTitle)
        )
    }

    /// The engine's options for these flags: which files, how they are named, how many download at once.
    func trackerOptions(watch: WatchOptions) -> TrackerOptions {
        TrackerOptions(
            watch: watch,
            selection: assets ?? .defaults,
            naming: FileNaming(fromTitle: nameFromTitle),
            downloadConcurrency: parallel
        )
    }
}

/// Prints what `download` does as the engine reports it: each file as it lands, and why a job has nothing to
/// download (still rendering, failed, or its status call failed).
actor DownloadPrinter {
    private var report: JobReport
    private let bars: ProgressBars?
    private let json: Bool
    private let files: DownloadFlags
    private let directory: String
    private var cancelled: [ReelWatchError] = []

    init(json: Bool, bars: ProgressBars?, files: DownloadFlags, directory: String) {
        self.report = JobReport(json: json, downloadDirectory: directory)
        self.json = json
        self.bars = bars
        self.files = files
        self.directory = directory
    }

    func print(_ event: TrackerEvent) {
        switch event {
        case .polled(let progress, _):
            switch progress.outcome {
            case .running, .succeeded:
                break
            case .error(let error):
                show(error)
            case .failed, .timedOut, .needsInput:
                if let error = progress.lastError {
                    show(error)
                } else if let snapshot = progress.snapshot {
                    // The library says why there is nothing to download yet (still rendering, or failed).
                    do throws(ReelWatchError) {
                        _ = try files.plan(snapshot, into: directory)
                        // Outputs that finish one by one (AI clips): those finished so far are saved, not the rest.
                        if !snapshot.state.isTerminal {
                            show(
                                ReelWatchError(
                                    code: .notReady,
                                    message:
                                        "still \(snapshot.state.rawValue): only the outputs finished so far are saved",
                                    ref: snapshot.ref))
                        }
                    } catch {
                        show(error)
                    }
                }
            }
        case .downloaded(let file, let item):
            let line = FileLine.text(for: file, json: json)
            if let bars {
                bars.finish(item.fileName, line: line)
            } else {
                Console.standardOutput.write(line + "\n")
            }
        case .downloadFailed(_, let error):
            show(error)
        case .changed, .pollFailed:
            break
        }
    }

    private func show(_ error: ReelWatchError) {
        if error.code == .cancelled {
            cancelled.append(error)
        } else {
            report.print(error)
        }
    }

    /// Prints the cancellations held back (unless the command was interrupted: one line says it for all) and
    /// returns the exit status of what was printed.
    func finish(interrupted: Bool) -> ExitStatus {
        if !interrupted {
            for error in cancelled { report.print(error) }
        }
        return report.status
    }
}
