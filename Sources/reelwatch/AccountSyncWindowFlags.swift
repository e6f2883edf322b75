import ArgumentParser
import ReelWatch
import ReelWatchDaemon

/// Which of the account's renders a sync looks at: `track sync`, `run --sync-every` and `serve --sync-every` (whose
/// `--download` is its own, shared with `--track-webhooks`).
struct AccountSyncWindowFlags: ParsableArguments {
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
        help: ArgumentHelp(
            "Only HeyGen videos in this folder (lists without folders are then not read).", valueName: "id")
    )
    var folderID: String?

    @Option(name: .long, help: "A name for the jobs added.")
    var label: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Which lists to read, comma-separated: \(ProviderAPI.listKinds.joined(separator: ", ")) (default: all).",
            valueName: "kinds"),
        transform: ListKindsArgument.parse
    )
    var kinds: [ProviderAPI]?

    /// Whether any of these flags was given.
    var given: Bool { since != nil || folderID != nil || label != nil || kinds != nil }

    func validate() throws {
        if let since, since <= .zero { throw ValidationError("--since must be more than zero") }
        if let folderID, folderID.isEmpty { throw ValidationError("--folder must not be empty") }
        if let label, label.isEmpty { throw ValidationError("--label must not be empty") }
        if folderID != nil, let kinds, !kinds.contains(where: { $0.listAdapter?.listsByFolder == true }) {
            throw ValidationError(
                "--folder: none of the lists in --kinds has folders (\(ListKindsArgument.words(kinds)))")
        }
    }

    /// The sync's options with these flags, the jobs it adds downloading into `downloadDirectory` (made absolute,
    /// as the store keeps it).
    func options(downloadDirectory: String?) -> AccountSyncOptions {
        AccountSyncOptions(
            since: since ?? .seconds(24 * 3600), folderID: folderID,
            downloadDirectory: downloadDirectory.map(StoreLocation.absolute), label: label,
            apis: kinds ?? ProviderAPI.listable)
    }
}
