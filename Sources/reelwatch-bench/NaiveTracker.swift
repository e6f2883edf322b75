import ArgumentParser
import Foundation
import Logging
import ReelWatch

/// `reelwatch-bench naive-tracker` (hidden): the baseline `reelwatch-bench track` measures `reelwatch run`
/// against — one task per job, each polling its job's status alone and sleeping a fixed interval in between,
/// until every job has finished. It keeps nothing on disk and downloads nothing.
struct NaiveTracker: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "naive-tracker",
        abstract: "The track benchmark's baseline: one task per HeyGen v3 job, sleeping its interval.",
        shouldDisplay: false
    )

    @Option(help: "The jobs' IDs are PREFIX0 … PREFIX(count-1).")
    var prefix: String

    @Option(help: "How many jobs.")
    var count: Int

    @Option(help: "The interval each task sleeps between polls.", transform: DurationArgument.parse)
    var interval: Duration

    @Option(help: "Status requests per second (the same shared limiter as reelwatch).")
    var rateLimit: Double

    func validate() throws {
        guard count > 0 else { throw ValidationError("--count must be more than zero") }
        guard interval > .zero else { throw ValidationError("--interval must be more than zero") }
        guard rateLimit > 0 else { throw ValidationError("--rate-limit must be more than zero") }
    }

    func run() async throws {
        let quiet = Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() })
        let configuration = try Configuration(environment: ProcessInfo.processInfo.environment)
        let clock = ContinuousClock()
        let client = StatusClient(
            configuration: configuration, clock: clock, wallClock: { Date() },
            rateLimiter: RateLimiter(rate: rateLimit, burst: rateLimit, clock: clock), logger: quiet)
        let interval = self.interval
        let finished = await withTaskGroup(of: Bool.self) { group in
            for index in 0..<count {
                let ref = JobRef(api: .v3, id: "\(prefix)\(index)")
                group.addTask {
                    while !Task.isCancelled {
                        if case .success(let snapshot) = await client.result(of: ref), snapshot.state.isTerminal {
                            return true
                        }
                        try? await Task.sleep(for: interval)
                    }
                    return false
                }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        print("finished \(finished)")
    }
}

/// Parses duration options such as `500ms` or `2s`.
enum DurationArgument {
    static func parse(_ text: String) throws -> Duration {
        guard let duration = Duration(parsing: text) else {
            throw ValidationError("'\(text)' is not a duration; use e.g. 500ms, 5s or 2m")
        }
        return duration
    }
}
