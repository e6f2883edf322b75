import ArgumentParser
import AsyncHTTPClient
import ReelWatch
import ReelWatchDaemon

/// `reelwatch wait REF...`: follows renders to the end with live progress.
struct WaitCommand: AsyncParsableCommand, RefListCommand {
    static let configuration = CommandConfiguration(
        commandName: "wait",
        abstract: "Wait for renders to finish, polling far less than a fixed-interval loop.",
        discussion: """
            Polls each job on a schedule fitted to how long its API's renders take: rarely while a render \
            is unlikely to be done, every few seconds while most renders finish, backing off after that, \
            with a last poll at the deadline. Transient errors never end a wait.

            On a terminal: one live line per job. Otherwise: one line per state change. With --json: one \
            snapshot per line per state change, the final one last; errors as JSON lines on stderr.

            \(ExitStatus.waitTable)
            """
    )

    @Argument(help: "Job references PROVIDER:ID, PROVIDER one of \(JobRef.prefixList).")
    var refs: [String]

    @OptionGroup var watch: WatchFlags

    @Option(
        name: .customLong("download"),
        help: ArgumentHelp("Download each job's files into this directory as soon as it succeeds.", valueName: "dir")
    )
    var downloadDirectory: String?

    @Flag(
        name: .long,
        help: """
            Keep following a job that waits for a person (needs_input), polling it every --max-delay, instead of \
            exiting 10.
            """
    )
    var keepWaiting = false

    @OptionGroup(title: "Download Options (with --download)") var files: DownloadFlags
    @OptionGroup var options: CommonOptions

    func validate() throws {
        if let downloadDirectory, downloadDirectory.isEmpty {
            throw ValidationError("--download must name a directory")
        }
    }

    func run() async throws {
        var report = JobReport(json: options.json)
        let parsed = report.parse(refs)
        let client = try options.makeClient(report: &report)
        guard report.status == .success else { throw report.status }
        let logger = options.makeLogger()
        let http = downloadDirectory.map { _ in FileLine.makeHTTPClient() }
        let tracker = Tracker(
            store: FollowStore.make(logger: logger),
            client: client,
            downloader: http.map { options.makeDownloader(client: client, http: $0) },
            options: files.trackerOptions(watch: watch.options)
        )
        let plan = FollowPlan(
            refs: parsed, timeout: watch.timeout, downloadDirectory: downloadDirectory,
            keepWaitingForInput: keepWaiting)
        let status = await WaitSession(tracker: tracker, plan: plan, json: options.json).run(report: &report)
        try? await http?.shutdown()
        throw status
    }
}

/// The flags that shape polling.
struct WatchFlags: ParsableArguments {
    @Option(
        name: .long,
        parsing: .unconditional,
        help: ArgumentHelp("How long to wait for each job, e.g. 30m.", valueName: "duration"),
        transform: DurationArgument.parse
    )
    var timeout: Duration = .seconds(30 * 60)

    @OptionGroup var delays: PollDelayFlags

    func validate() throws {
        guard timeout > .zero else { throw ValidationError("--timeout must be more than zero") }
    }

    var options: WatchOptions {
        WatchOptions(timeout: timeout, minDelay: delays.minDelay, maxDelay: delays.maxDelay)
    }
}

/// `--min-delay` and `--max-delay`: the bounds of every poll interval (`wait`, `track check`, `run`).
struct PollDelayFlags: ParsableArguments {
    @Option(
        name: .long,
        parsing: .unconditional,
        help: ArgumentHelp("The shortest interval between polls of a job.", valueName: "duration"),
        transform: DurationArgument.parse
    )
    var minDelay: Duration = .seconds(5)

    @Option(
        name: .long,
        parsing: .unconditional,
        help: ArgumentHelp("The longest interval between polls of a job.", valueName: "duration"),
        transform: DurationArgument.parse
    )
    var maxDelay: Duration = .seconds(60)

    func validate() throws {
        guard minDelay > .zero else { throw ValidationError("--min-delay must be more than zero") }
        guard maxDelay >= minDelay else { throw ValidationError("--max-delay must be at least --min-delay") }
    }
}
