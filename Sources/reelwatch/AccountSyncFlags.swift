import ArgumentParser
import ReelWatch
import ReelWatchDaemon

/// The flags `track sync` and `run --sync-every` share: which of the account's renders to look at.
struct AccountSyncFlags: ParsableArguments {
    @Option(
        name: .long,
        parsing: .unconditional,
        help: ArgumentHelp(
            "Look at renders created within this long, e.g. 30m, 24h (default: 24h).", valueName: "duration"),
        transform: DurationArgument.parse
    )
    var since: Duration?

    @Option(
        name: .customLong("folder"),
        help: ArgumentHelp("Only HeyGen videos in this folder (translations are then not listed).", valueName: "id")
    )
    var folderID: String?

    /// Whether any of these flags was given.
    var given: Bool { since != nil || folderID != nil }

    func validate() throws {
        if let since, since <= .zero { throw ValidationError("--since must be more than zero") }
        if let folderID, folderID.isEmpty { throw ValidationError("--folder must not be empty") }
    }

    /// The sync's options with these flags.
    func options(downloadDirectory: String? = nil, label: String? = nil) -> AccountSyncOptions {
        AccountSyncOptions(
            since: since ?? .seconds(24 * 3600), folderID: folderID, downloadDirectory: downloadDirectory, label: label)
    }
}
