import ArgumentParser
import ReelWatch
import ReelWatchDaemon

/// The flags `track sync` and `run --sync-every` share: which of the account's renders to look at, and where their
/// files go.
struct AccountSyncFlags: ParsableArguments {
    @OptionGroup var window: AccountSyncWindowFlags

    @Option(
        name: .customLong("download"),
        help: ArgumentHelp(
            "Download each added job's files into this directory once it succeeds (renders already finished included).",
            valueName: "dir")
    )
    var downloadDirectory: String?

    /// Whether any of these flags was given.
    var given: Bool { window.given || downloadDirectory != nil }

    func validate() throws {
        if let downloadDirectory, downloadDirectory.isEmpty {
            throw ValidationError("--download must name a directory")
        }
    }

    /// The sync's options with these flags (a download directory made absolute, as the store keeps it).
    func options() -> AccountSyncOptions {
        window.options(downloadDirectory: downloadDirectory)
    }
}
