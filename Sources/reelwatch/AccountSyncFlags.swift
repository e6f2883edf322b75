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

    @Option(
        name: .customLong("download"),
        help: ArgumentHelp(
            "Download each added job's files into this directory once it succeeds (renders already finished included).",
            valueName: "dir")
    )
    var downloadDirectory: String?

    @Option(name: .long, help: "A name for the jobs added.")
    var label: String?

    /// Whether any of these flags was given.
    var given: Bool { since != nil || folderID != nil || downloadDirectory != nil || label != nil }

    func validate() throws {
        if let since, since <= .zero { throw ValidationError("--since must be more than zero") }
        if let folderID, folderID.isEmpty { throw ValidationError("--folder must not be empty") }
        if let downloadDirectory, downloadDirectory.isEmpty {
            throw ValidationError("--download must name a directory")
        }
        if let label, label.isEmpty { throw ValidationError("--label must not be empty") }
    }

    /// The sync's options with these flags (a download directory made absolute, as the store keeps it).
    func options() -> AccountSyncOptions {
        AccountSyncOptions(
            since: since ?? .seconds(24 * 3600), folderID: folderID,
            downloadDirectory: downloadDirectory.map(StoreLocation.absolute), label: label)
    }
}
