import ArgumentParser
import ReelWatch

/// `--sync-every`, which `run` and `serve` share: how often the daemon tracks the account's new renders.
struct SyncEveryFlag: ParsableArguments {
    @Option(
        name: .customLong("sync-every"),
        parsing: .unconditional,
        help: ArgumentHelp(
            "Also track the account's new HeyGen renders (as 'track sync' does), at start and then this often.",
            valueName: "duration"),
        transform: DurationArgument.parse
    )
    var interval: Duration?

    func validate() throws {
        if let interval, interval < .seconds(1) { throw ValidationError("--sync-every must be at least 1s") }
    }
}
