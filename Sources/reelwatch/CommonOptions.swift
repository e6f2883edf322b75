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

    @Option(name: .long, help: "Retries of a transient failure (connection error, 5xx, 429) per request.")
    var retries: Int = RetryPolicy().maxRetries

    @Option(
        name: .long,
        help: ArgumentHelp("The longest one request may take, e.g. 500ms, 10s, 2m.", valueName: "duration"),
        transform: DurationArgument.parse
    )
    var requestTimeout: Duration = .seconds(30)

    @Option(
        name: .long,
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

    /// A logger writing to stderr: warnings by default, everything with `--verbose`.
    func makeLogger() -> Logger {
        let level: Logger.Level = verbose ? .debug : .warning
        return Logger(label: "reelwatch") { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
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

    /// A status client for `configuration` with these options.
    func makeClient(configuration: Configuration, logger: Logger) -> StatusClient {
        StatusClient(
            configuration: configuration,
            retryPolicy: RetryPolicy(maxRetries: retries),
            requestTimeout: requestTimeout,
            rateLimiter: RateLimiter(rate: rateLimit, burst: max(RateLimiter.defaultBurst, rateLimit)),
            logger: logger
        )
    }
}

/// Parses duration flags such as `500ms`, `5s`, `2m`, `1h`.
enum DurationArgument {
    static func parse(_ text: String) throws -> Duration {
        guard let duration = Duration(parsing: text) else {
            throw ValidationError("'\(ReelWatchError.printable(text))' is not a duration; use e.g. 500ms, 5s, 2m or 1h")
        }
        return duration
    }
}
