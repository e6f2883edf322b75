import ArgumentParser
import AsyncHTTPClient
import Foundation
import ReelWatch

/// `reelwatch download REF...`: every finished render's files to disk.
struct DownloadCommand: AsyncParsableCommand {
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

    @OptionGroup var files: DownloadFlags
    @OptionGroup var options: CommonOptions

    func run() async throws {
        var report = JobReport(json: options.json)
        var parsed: [JobRef] = []
        for text in refs {
            do {
                parsed.append(try JobRef(parsing: text))
            } catch {
                report.print(error)
            }
        }
        let client = try options.makeClient(report: &report)
        guard report.status == .success else { throw report.status }
        var items: [DownloadItem] = []
        var local = report
        await client.snapshots(of: parsed) { _, result in
            do throws(ReelWatchError) {
                items += try Downloader.plan(
                    try result.get(),
                    selection: files.selection,
                    directory: files.directory,
                    naming: FileNaming(fromTitle: files.nameFromTitle)
                )
            } catch {
                local.print(error)
            }
        }
        report = local
        let http = DownloadSession.makeHTTPClient()
        let session = DownloadSession(
            downloader: Downloader(statusClient: client, transport: AsyncHTTPClientTransport(client: http)),
            parallel: files.parallel,
            json: options.json
        )
        await session.run(items, report: &report)
        try? await http.shutdown()
        throw report.status
    }
}

/// The flags that say which files go where.
struct DownloadFlags: ParsableArguments {
    @Option(name: .customLong("to"), help: "The directory to download into.")
    var directory: String = "."

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

    @Option(name: .long, help: "How many files to download at once.")
    var parallel = 4

    @Flag(name: .long, help: "Name files after the video's title instead of PROVIDER-ID.")
    var nameFromTitle = false

    var selection: AssetSelection { assets ?? .defaults }

    func validate() throws {
        guard (1...64).contains(parallel) else { throw ValidationError("--parallel must be between 1 and 64") }
        guard !directory.isEmpty else { throw ValidationError("--to must name a directory") }
    }
}
