import ArgumentParser
import Foundation
import ReelWatch
import ReelWatchStore

/// `reelwatch track ...`: the durable list of jobs reelwatch follows until their files are on disk.
struct TrackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "track",
        abstract: "Keep a durable list of jobs to follow until their files are on disk.",
        discussion: """
            The list lives in $REELWATCH_HOME/reelwatch.sqlite (default ~/.local/share/reelwatch). \
            'track check' works it once (fit for cron); 'reelwatch run' works it continuously.
            """,
        subcommands: [
            TrackAddCommand.self, TrackListCommand.self, TrackShowCommand.self, TrackRemoveCommand.self,
            TrackCheckCommand.self, TrackSyncCommand.self,
        ]
    )
}

/// `reelwatch track add REF...`.
struct TrackAddCommand: AsyncParsableCommand, RefListCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Track jobs; adding a ref that is already tracked updates it.",
        discussion: ExitStatus.trackTable
    )

    @Argument(help: "Job references PROVIDER:ID, PROVIDER one of \(JobRef.prefixList).")
    var refs: [String]

    @Option(name: .long, help: "A name for the jobs.")
    var label: String?

    @Option(name: .long, help: ArgumentHelp("Metadata to keep with the jobs (repeatable).", valueName: "key=value"))
    var meta: [String] = []

    @Option(
        name: .customLong("download"),
        help: ArgumentHelp("Download each job's files into this directory once it succeeds.", valueName: "dir")
    )
    var downloadDirectory: String?

    @Flag(name: .long, help: "Print one JSON line per job.")
    var json = false

    func validate() throws {
        for pair in meta where !pair.contains("=") || pair.hasPrefix("=") {
            throw ValidationError("--meta '\(ReelWatchError.printable(pair))' is not key=value")
        }
        if let downloadDirectory, downloadDirectory.isEmpty {
            throw ValidationError("--download must name a directory")
        }
        if let label, label.isEmpty { throw ValidationError("--label must not be empty") }
    }

    func run() async throws {
        var report = JobReport(json: json)
        let parsed = report.parse(refs)
        guard report.status == .success else { throw report.status }
        let store = try StoreLocation.open(report: &report)
        var metadata: [String: String] = [:]
        for pair in meta {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            metadata[String(parts[0])] = String(parts[1])
        }
        // One transaction for every ref: all are tracked, or none (the error says why).
        var unique: [JobRef] = []
        var seen = Set<JobRef>()
        for ref in parsed where seen.insert(ref).inserted { unique.append(ref) }
        let directory = downloadDirectory.map(StoreLocation.absolute)
        do throws(ReelWatchError) {
            let new = try await store.track(
                all: unique.map { TrackRequest(ref: $0, label: label, meta: metadata, downloadDirectory: directory) },
                at: Date()
            )
            if json {
                for ref in unique {
                    guard let job = try await store.job(ref) else { continue }
                    Console.standardOutput.write(TrackedJobText.jsonLine(job) + "\n")
                }
            } else {
                // One write for all the lines: thousands of refs are thousands of lines.
                var lines = ""
                for ref in unique { lines += "\(new.contains(ref) ? "tracking" : "updated") \(ref.printable)\n" }
                Console.standardOutput.write(lines)
            }
        } catch {
            report.print(error)
        }
        throw report.status
    }
}

/// `reelwatch track remove REF...`.
struct TrackRemoveCommand: AsyncParsableCommand, RefListCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove",
        abstract: "Stop tracking jobs (their downloaded files stay).",
        discussion: ExitStatus.trackTable
    )

    @Argument(help: "Job references.")
    var refs: [String]

    @Flag(name: .long, help: "Errors as JSON lines on stderr.")
    var json = false

    func run() async throws {
        var report = JobReport(json: json)
        let parsed = report.parse(refs)
        guard report.status == .success else { throw report.status }
        let store = try StoreLocation.open(report: &report)
        for ref in parsed {
            do throws(ReelWatchError) {
                if try await store.untrack(ref) {
                    if !json { Console.standardOutput.write("removed \(ref.printable)\n") }
                } else {
                    report.print(ReelWatchError(code: .jobNotFound, message: "not tracked", ref: ref))
                }
            } catch {
                report.print(error)
            }
        }
        throw report.status
    }
}
