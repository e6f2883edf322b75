import ArgumentParser
import AsyncHTTPClient
import Foundation
import ReelWatch
import ReelWatchDaemon

/// `reelwatch track check`: one pass over the tracked jobs, fit for cron.
struct TrackCheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Poll every tracked job that is due once, download what succeeded, print what changed, exit.",
        discussion: """
            The "check later" pattern, fit for cron: each run polls only the jobs whose next poll is due \
            (a newly added job is due at once), downloads the files of jobs that succeeded, and records \
            everything in the store.

            \(ExitStatus.trackTable)
            """
    )

    @OptionGroup var tracking: TrackerFlags
    @OptionGroup var options: CommonOptions

    func run() async throws {
        var report = JobReport(json: options.json)
        let (store, lock, client, http) = try tracking.prepare(
            options, command: "reelwatch track check", report: &report)
        let tracker = tracking.tracker(options, store: store, client: client, http: http)
        let printer = TrackerEventPrinter(json: options.json)
        let (result, interruption) = await SignalScope.run { await Self.pass(tracker, printer: printer) }
        switch result {
        case .success(0) where interruption == nil && !options.json:
            Console.standardError.write("reelwatch: nothing due\n")
        case .success: break
        case .failure(let error) where error.code == .cancelled && interruption != nil: break
        case .failure(let error): report.print(error)
        }
        if let interruption {
            report.print(
                interruption.error(
                    "track check stopped; what it received is recorded, partial files stay as .part",
                    hint: "run it again to go on"))
        }
        try? await http.shutdown()
        withExtendedLifetime(lock) {}
        throw max(report.status, await printer.status)
    }

    /// One pass: polls what is due, then downloads what is pending; how many jobs were polled and files landed.
    /// (The work of a task-group child catches in a method, not inline: see ``StatusClient/result(of:)``.)
    private static func pass(_ tracker: Tracker, printer: TrackerEventPrinter) async -> Result<Int, ReelWatchError> {
        do throws(ReelWatchError) {
            let polled = try await tracker.pollDue { await printer.print($0) }
            let saved = try await tracker.downloadPending { await printer.print($0) }
            return .success(polled + saved)
        } catch {
            return .failure(error)
        }
    }
}
