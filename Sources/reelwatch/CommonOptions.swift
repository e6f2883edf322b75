import ArgumentParser
import AsyncHTTPClient
import Foundation
import Logging
import ReelWatch
import ReelWatchSimulator

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
        help: ArgumentHelp(
            "Retries of a transient failure (connection error, 5xx, 429) per request: a status request "
                + "(default \(RetryPolicy().maxRetries)) or a file download (default "
                + "\(Downloader.defaultRetryPolicy.maxRetries)).",
            valueName: "n"))
    var retries: Int?

    /// Not shown in `--help`: the window over which a download must make its minimum progress (1 KiB a second;
    /// default a minute), so that tests can stall a transfer without waiting a minute.
    @Option(
        name: .long, parsing: .unconditional, help: .private, transform: DurationArgument.parse)
    var stallWindow: Duration?

    /// The retry policy of status requests: `--retries`, else the default.
    var statusRetryPolicy: RetryPolicy { RetryPolicy(maxRetries: retries ?? RetryPolicy().maxRetries) }

    /// The retry policy of file downloads: `--retries`, else the download default, with the download backoff.
    var downloadRetryPolicy: RetryPolicy {
        var policy = Downloader.defaultRetryPolicy
        if let retries { policy.maxRetries = retries }
        return policy
    }

    /// A downloader for `client` fetching through `http`, retrying as `--retries` says.
    func makeDownloader(client: StatusClient, http: HTTPClient) -> Downloader {
        var progress = MinimumProgress.default
        if let stallWindow, stallWindow > .zero {
            progress = MinimumProgress(
                bytes: Int64(min(max(1, Double(stallWindow.milliseconds) * 1.024), 1e15)), window: stallWindow)
        }
        return Downloader(
            statusClient: client, transport: AsyncHTTPClientTransport(client: http, minimumProgress: progress),
            retryPolicy: downloadRetryPolicy)
    }

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
        if let retries, !(0...20).contains(retries) {
            throw ValidationError("--retries must be between 0 and 20")
        }
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
            return PrintableLogHandler(handler)
        }
    }

    /// A status client configured from the environment and these options; a malformed setting is printed
    /// and ends the command with its exit status.
    func makeClient(
        report: inout JobReport,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        timeScale: Double = 1
    ) throws -> StatusClient {
        let configuration: Configuration
        do {
            configuration = try Configuration(environment: environment)
        } catch {
            report.print(error)
            throw report.status
        }
        return makeClient(configuration: configuration, logger: makeLogger(), timeScale: timeScale)
    }

    /// A status client for `configuration` with these options, on the real clocks — or, for a benchmark against the
    /// simulator, on time running `timeScale` times faster (the rate limit stays in real seconds).
    func makeClient(configuration: Configuration, logger: Logger, timeScale: Double = 1) -> StatusClient {
        let realClock = ContinuousClock()
        let rateLimiter = RateLimiter(
            rate: rateLimit, burst: max(RateLimiter.defaultBurst, rateLimit), clock: realClock)
        guard timeScale != 1 else {
            return StatusClient(
                configuration: configuration, retryPolicy: statusRetryPolicy,
                requestTimeout: requestTimeout, clock: realClock, wallClock: { Date() }, rateLimiter: rateLimiter,
                logger: logger)
        }
        let clock = CompressedClock(scale: timeScale)
        let epoch = Date()
        return StatusClient(
            configuration: configuration, retryPolicy: statusRetryPolicy,
            requestTimeout: requestTimeout, clock: clock,
            wallClock: { epoch.addingTimeInterval(clock.now.offset.secondsValue) }, rateLimiter: rateLimiter,
            logger: logger)
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
