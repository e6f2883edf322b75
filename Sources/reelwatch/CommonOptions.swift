import ArgumentParser
import Foundation
import Logging
import ReelWatch

/// Options every provider-facing command takes.
struct CommonOptions: ParsableArguments {
    @Flag(name: .long, help: "Print one JSON object per line on stdout; errors as JSON lines on stderr.")
    var json = false

    @Flag(name: [.short, .long], help: "Log requests and retries to stderr.")
    var verbose = false

    // Numbers, like durations, are read with `.unconditional`: `--retries -1` is then refused by `validate()` as out
    // of range, instead of `-1` being taken for an option and the value reported missing.
    @Option(
        name: .long, parsing: .unconditional,
        help: "Retries of a transient failure (connection error, 5xx, 429) per request.")
    var retries: Int = RetryPolicy().maxRetries

    @Option(
        name: .long,
        parsing: .unconditional,
        help: ArgumentHelp("The longest one request may take, e.g. 500ms, 10s, 2m.", valueName: "duration"),
        transform: DurationArgument.parse
    )
    var requestTimeout: Duration = .seconds(30)

    @Option(
        name: .long,
        parsing: .unconditional,
        help: ArgumentHelp(
            "Status requests per second to each provider, shared by every job in this process.", valueName: "n")
    )
    var rateLimit: Double = RateLimiter.defaultRate

    func validate() throws {
        guard rateLimit.isFinite, rateLimit > 0, rateLimit <= 100_000 else {
            throw ValidationError("--rate-limit must be more than 0 and at most 100000 requests per second")
        }
        guard (0...20).contains(retries) else { throw ValidationError("--retries must be between 0 and 20") }
        guard requestTimeout > .zero else { throw ValidationError("--request-timeout must be more than zero") }
    }

    /// A logger writing to stderr: warnings as `reelwatch: warning: …` lines by default (JSON lines with
    /// `--json`), everything in full with `--verbose`.
    func makeLogger() -> Logger {
        let json = self.json
        guard verbose else { return Logger(label: "reelwatch") { _ in WarningLogHandler(json: json) } }
        return Logger(label: "reelwatch") { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .debug
            return handler
        }
    }

    /// A status client configured from the environment and these options; a malformed setting is printed
    /// and ends the command with its exit status.
    func makeClient(
        report: inout JobReport,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> StatusClient {
        let configuration: Configuration
        do {
            configuration = try Configuration(environment: environment)
        } catch {
            report.print(error)
            throw report.status
        }
        return makeClient(configuration: configuration, logger: makeLogger())
    }

    /// A status client for `configuration` with these options, on the real clocks.
    func makeClient(configuration: Configuration, logger: Logger) -> StatusClient {
        let clock = ContinuousClock()
        return StatusClient(
            configuration: configuration,
            retryPolicy: RetryPolicy(maxRetries: retries),
            requestTimeout: requestTimeout,
            clock: clock,
            wallClock: { Date() },
            rateLimiter: RateLimiter(rate: rateLimit, burst: max(RateLimiter.defaultBurst, rateLimit), clock: clock),
            logger: logger
        )
    }
}

/// Parses duration flags such as `500ms`, `5s`, `2m`, `1h` (the grammar is ``Duration/init(parsing:)``'s).
///
/// Every duration option reads its value with `parsing: .unconditional`, so that `--timeout -5s` reaches this
/// check (and is refused as negative) instead of `-5s` being taken for an option and the value reported missing.
enum DurationArgument {
    static func parse(_ text: String) throws -> Duration {
        if let duration = Duration(parsing: text) { return duration }
        if text.hasPrefix("-"), text.count > 1 { throw ValidationError("must not be negative") }
        throw ValidationError("not a duration; write digits and a unit, e.g. 500ms, 5s, 1.5m or 1h")
    }
}
