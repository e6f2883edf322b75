import ArgumentParser

/// A command whose positional arguments are a list of job refs, which a script may make thousands long.
protocol RefListCommand: ParsableCommand {
    /// The refs, in the order given.
    var refs: [String] { get set }
}

/// Hands long lists of refs to ArgumentParser in a few arguments instead of thousands.
///
/// ArgumentParser 1.8.2 takes time quadratic in the number of values of a repeating positional argument: each
/// value merges the whole set of input positions seen so far again, and each subcommand level removes the inputs
/// it used one at a time from an array. `track add` with 8,000 refs spent 19 s there. So before parsing, in each
/// run of plain arguments (not starting with `-`) given to a ``RefListCommand``, everything after the run's first
/// argument — which may be the value of the option before it — is packed into one argument, joined by NUL, which
/// no command-line argument can contain; after parsing, ``unpack(_:)`` splits them again. Whatever the options,
/// each of them takes at most one argument, so what is packed is always refs, in order.
enum PackedArguments {
    static let separator: Character = "\u{0}"

    /// `arguments` (without the program's name) with the refs of a ``RefListCommand`` packed; unchanged for
    /// other commands, and from a `--` on.
    static func pack(_ arguments: [String], root: any ParsableCommand.Type) -> [String] {
        var command = root
        var start = 0
        while start < arguments.count,
            let subcommand = command.configuration.subcommands.first(where: {
                $0.configuration.commandName == arguments[start]
            })
        {
            command = subcommand
            start += 1
        }
        guard command is any RefListCommand.Type else { return arguments }
        var packed = Array(arguments[..<start])
        var run: [String] = []
        func flush() {
            if let first = run.first { packed.append(first) }
            if run.count > 1 { packed.append(run.dropFirst().joined(separator: String(separator))) }
            run.removeAll()
        }
        var index = start
        while index < arguments.count, arguments[index] != "--" {
            let argument = arguments[index]
            if argument.hasPrefix("-") {
                flush()
                packed.append(argument)
            } else {
                run.append(argument)
            }
            index += 1
        }
        flush()
        packed += arguments[index...]
        return packed
    }

    /// `values` with every packed argument split into the arguments it holds.
    static func unpack(_ values: [String]) -> [String] {
        var unpacked: [String] = []
        unpacked.reserveCapacity(values.count)
        for value in values {
            if value.contains(separator) {
                unpacked += value.split(separator: separator, omittingEmptySubsequences: false).map(String.init)
            } else {
                unpacked.append(value)
            }
        }
        return unpacked
    }
}
