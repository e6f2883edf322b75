import ArgumentParser
import AsyncHTTPClient
import Foundation
import ReelWatch

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

    @Argument(help: "Job references: heygen:ID, heygen-v1:ID, heygen-translate:ID or hera:ID.")
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
        let recorder = StoreRecorder(downloadDirectory: directory, logger: options.makeLogger())
        let http = DownloadSession.makeHTTPClient()
        var session = files.session(client: client, http: http, json: options.json)
        let bars = !options.json && Console.standardOutput.isTerminal ? ProgressBars() : nil
        if let bars { session.onProgress = { bars.update($0) } }
        session.onSaved = { item, file, line in
            await recorder.record(file, item: item)
            if let bars {
                bars.finish(item.fileName, line: line)
            } else {
                Console.standardOutput.write(line + "\n")
            }
        }
        let (files, directory, json) = (self.files, self.directory, options.json)
        let (result, interruption) = await SignalScope.run { [session] in
            await Self.fetch(
                parsed, client: client, session: session, files: files, directory: directory, recorder: recorder,
                json: json)
        }
        try? await http.shutdown()
        // What was cut short by the interruption is said once, below, for all.
        for error in result.cancelled where interruption == nil { report.print(error) }
        if let interruption {
            report.print(
                interruption.error(
                    "download stopped; saved files stay, partial ones stay as .part",
                    hint: "run the same command to resume them"))
        }
        throw max(report.status, result.status)
    }

    /// What ``fetch(_:client:session:files:directory:recorder:json:)`` ended with: the exit status of what it
    /// printed, and the errors of work cut short by cancellation, which it did not print.
    private struct Outcome: Sendable {
        var status: ExitStatus
        var cancelled: [ReelWatchError]
    }

    /// Asks for each job's status, plans its files, records both, and downloads the files, printing every
    /// failure except cancellations.
    private static func fetch(
        _ refs: [JobRef],
        client: StatusClient,
        session: DownloadSession,
        files: DownloadFlags,
        directory: String,
        recorder: StoreRecorder,
        json: Bool
    ) async -> Outcome {
        var report = JobReport(json: json, downloadDirectory: directory)
        var cancelled: [ReelWatchError] = []
        var items: [DownloadItem] = []
        await client.snapshots(of: refs) { _, result in
            if case .success(let snapshot) = result { await recorder.record(snapshot, totalPolls: 1) }
            do throws(ReelWatchError) {
                let snapshot = try result.get()
                let planned = try files.plan(snapshot, into: directory)
                items += await recorder.plan(planned, for: snapshot.ref)
            } catch  where error.code == .cancelled {
                cancelled.append(error)
            } catch {
                report.print(error)
            }
        }
        for failure in await session.run(items) {
            if failure.code == .cancelled { cancelled.append(failure) } else { report.print(failure) }
        }
        return Outcome(status: report.status, cancelled: cancelled)
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
            "Which files: a list of video, captioned_video, thumbnail, gif, captions, or all (default: the video, or every Hera output).",
        transform: { text in
            guard let selection = AssetSelection(parsing: text) else {
                throw ValidationError(
                    "'\(ReelWatchError.printable(text))' is not a list of video, captioned_video, thumbnail, gif, captions, or all"
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

    /// A download session with these flags, fetching through `http` and refreshing links through `client`.
    func session(client: StatusClient, http: HTTPClient, json: Bool) -> DownloadSession {
        DownloadSession(
            downloader: Downloader(statusClient: client, transport: AsyncHTTPClientTransport(client: http)),
            parallel: parallel,
            json: json
        )
    }
}
