import Foundation
import Testing

/// Input nobody should send, sent anyway: duration flags that only look like numbers.
@Suite("reelwatch hostile input")
struct HostileInputTests {
    @Test(
        "a negative duration is a usage error naming the flag and the value, for every duration flag",
        arguments: [
            ["wait", "heygen:a", "--timeout", "-5s"], ["wait", "heygen:a", "--min-delay", "-1s"],
            ["wait", "heygen:a", "--max-delay", "-2m"], ["status", "heygen:a", "--request-timeout", "-500ms"],
            ["track", "check", "--max-delay", "-1h"], ["run", "--min-delay", "-5"],
        ])
    func negativeDuration(arguments: [String]) async throws {
        let run = try await CLI.run(arguments)
        let flag = arguments[arguments.count - 2]
        let value = arguments[arguments.count - 1]
        #expect(run.status == 2)
        #expect(
            run.stderr
                == "reelwatch: The value '\(value)' is invalid for '\(flag) <duration>': must not be negative (see 'reelwatch --help')\n"
        )
        #expect(run.stdout.isEmpty)
    }

    @Test(
        "a duration that only a number parser would take (hex, exponent, inf, a sign, a space) is a usage error",
        arguments: ["0x10s", "1e3s", "inf", "nan", "+5s", "5 s", ".5s", "5S", ""])
    func malformedDuration(value: String) async throws {
        let run = try await CLI.run(["wait", "heygen:a", "--timeout", value])
        #expect(run.status == 2)
        #expect(
            run.stderr
                == "reelwatch: The value '\(value)' is invalid for '--timeout <duration>': not a duration; write digits and a unit, e.g. 500ms, 5s, 1.5m or 1h (see 'reelwatch --help')\n"
        )
    }

    @Test("--timeout=-5s and --timeout -5s say the same")
    func attachedValue() async throws {
        let attached = try await CLI.run(["wait", "heygen:a", "--timeout=-5s"])
        let separate = try await CLI.run(["wait", "heygen:a", "--timeout", "-5s"])
        #expect(attached.status == 2)
        #expect(attached.stderr == separate.stderr)
    }
}
