import Foundation

/// The code one fuzzing run attacks; each has its own corpus in `Fuzz/corpus/NAME`.
enum FuzzTarget: String, CaseIterable, Sendable {
    /// `JSONValue.parse` on any bytes, and what is done with a value it returns.
    case json
    /// A status answer through every provider adapter and the bulk status reader, then what the CLI does with a
    /// snapshot: `--json`, the store's encoding, the text block and the download plan.
    case status
    /// File names from hostile titles, IDs, formats, aspect ratios and links.
    case naming
    /// The short texts read from outside: job references, base URLs, `Retry-After`, durations, signed links.
    case text

    /// The target named by a `--target=NAME` argument; nil when there is none or the name is unknown.
    init?(arguments: [String]) {
        let prefix = "--target="
        guard let argument = arguments.last(where: { $0.hasPrefix(prefix) }) else { return nil }
        self.init(rawValue: String(argument.dropFirst(prefix.count)))
    }

    /// How to call the tool.
    static let usage = """
        usage: reelwatch-fuzz --target=NAME FILE_OR_DIRECTORY...
        Runs each input through the target NAME (\(allCases.map(\.rawValue).joined(separator: ", "))); a crash is a bug.
        Built with libFuzzer (see README, "Fuzzing"), the same command line fuzzes instead.

        """

    /// The target of this process, from its command line; the process stops when none is named.
    static let selected: FuzzTarget = {
        guard let target = FuzzTarget(arguments: CommandLine.arguments) else {
            FileHandle.standardError.write(Data(usage.utf8))
            exit(2)
        }
        return target
    }()

    /// Runs one input; returns normally unless it found a bug, which stops the process.
    func run(_ bytes: [UInt8]) {
        switch self {
        case .json: JSONFuzzing.run(bytes)
        case .status: StatusFuzzing.run(bytes)
        case .naming: NamingFuzzing.run(bytes)
        case .text: TextFuzzing.run(bytes)
        }
    }
}

/// Stops the process with `message` when `condition` is false: to the fuzzer, a broken invariant is a crash.
func require(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError("invariant broken: \(message())") }
}
