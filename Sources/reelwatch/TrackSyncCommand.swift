import ArgumentParser
import Foundation
import Logging
import ReelWatch
import ReelWatchDaemon
import ReelWatchStore

/// `reelwatch track sync`: tracks the account's recent renders found through HeyGen's list endpoints.
struct TrackSyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract:
            "Track every recent render of the HeyGen account (\(ProviderAPI.listKinds.joined(separator: ", "))), "
            + "without their IDs.",
        discussion: """
            Lists the account's renders newest first, one list per kind (--kinds; default: all of them), \
            and tracks each one created within --since that is not finished; with --download, those that \
            succeeded too, so that 'track check' or 'run' downloads them. Failed renders and jobs already \
            tracked are left alone: running it again adds nothing new.

            \(ExitStatus.trackTable)
            """
    )

    @OptionGroup var window: AccountSyncFlags

    @OptionGroup var options: CommonOptions

    func run() async throws {
        var report = JobReport(json: options.json)
        let store = try StoreLocation.open(report: &report)
        let client = try options.makeClient(report: &report)
        let sync = AccountSync(client: client, store: store, options: window.options())
        // SIGINT or SIGTERM cancels the sync: it reads no further page and tracks what the pages it read found.
        let (result, interruption) = await SignalScope.run { await Self.result(of: sync) }
        switch result {
        case .success(let summary):
            Console.standardOutput.write(Self.text(summary, json: options.json))
            for failure in summary.failures { report.print(failure) }
        case .failure(let error):
            report.print(error)
        }
        if let interruption {
            report.print(
                interruption.error(
                    "track sync stopped; the renders on the pages it read are tracked", hint: "run it again to go on"))
        }
        throw report.status
    }

    /// The sync's summary or its error. (The work of a task-group child catches in a method, not inline: see
    /// ``StatusClient/result(of:)``.)
    private static func result(of sync: AccountSync) async -> Result<AccountSyncSummary, ReelWatchError> {
        do throws(ReelWatchError) {
            return .success(try await sync.run())
        } catch {
            return .failure(error)
        }
    }

    /// The sync of `run --sync-every` and `serve --sync-every`, every interval beside the daemon, printing what each
    /// sync added — not with `--json`: the snapshot lines stay the only thing on stdout, and the jobs show up there
    /// when polled.
    static func daemonService(
        _ sync: AccountSync, every interval: Duration, wake: WakeSignal, logger: Logger, json: Bool
    ) -> AccountSyncService {
        AccountSyncService(sync: sync, every: interval, wake: wake, logger: logger) { summary in
            if !json, !summary.added.isEmpty {
                Console.standardOutput.write(text(summary, json: false))
            }
        }
    }

    /// One line per ref added and a summary line; with `json`, one JSON object.
    static func text(_ summary: AccountSyncSummary, json: Bool) -> String {
        if json {
            let object: JSONValue = [
                "added": .array(summary.added.map { .string($0.description) }),
                "seen": .number(Double(summary.seen)), "skipped": .number(Double(summary.skipped)),
                "pages": .number(Double(summary.pages)), "failed_lists": .number(Double(summary.failures.count)),
            ]
            return String(decoding: object.serialized(), as: UTF8.self) + "\n"
        }
        var lines = ""
        for ref in summary.added {
            lines += "tracking \(ref.printable)\n"
        }
        lines +=
            "synced: \(summary.added.count) added, \(summary.seen) listed, \(summary.skipped) unusable, "
            + "\(summary.pages) page\(summary.pages == 1 ? "" : "s")\n"
        return lines
    }
}
