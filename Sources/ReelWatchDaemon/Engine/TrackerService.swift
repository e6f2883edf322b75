import Foundation
import Logging
import ReelWatch
import ReelWatchStore
import ServiceLifecycle

/// The daemon (`reelwatch run`): the engine over its store (``TrackerScope/daemon``) until a graceful shutdown —
/// due jobs polled as they come due, finished ones downloaded side by side. On shutdown, polls stop and downloads
/// are cancelled, each leaving its `.part` to resume from; the store already holds everything else.
public struct TrackerService: Service {
    /// The engine.
    public let tracker: Tracker
    /// Told of everything the engine does.
    public let report: @Sendable (TrackerEvent) async -> Void
    private let logger: Logger

    /// Creates the service.
    ///
    /// - Parameter idleInterval: the longest the daemon goes without looking at the store (jobs added by other
    ///   processes are seen within it); replaces the tracker's ``TrackerOptions/idleInterval``.
    public init(
        tracker: Tracker,
        idleInterval: Duration? = nil,
        logger: Logger,
        report: @escaping @Sendable (TrackerEvent) async -> Void = { _ in }
    ) {
        var options = tracker.options
        if let idleInterval { options.idleInterval = idleInterval }
        self.tracker = tracker.with(options: options)
        self.logger = logger
        self.report = report
    }

    /// Runs until a graceful shutdown (or cancellation), or until the store fails for good.
    ///
    /// A passing failure (``ReelWatchError/transient``: the descriptor table full, the store busy) never stops
    /// the daemon: it is logged once (then at most once a minute, with how many since), and the engine starts again
    /// after ``TrackerOptions/transientRetry``'s backoff on the client's clock — from 1 s, doubling up to 10 s, and
    /// from 1 s again once a run lasted that long — so it goes on polling and downloading within seconds of the
    /// machine recovering. A store that cannot be used at all (corrupt, deleted, read-only, a full disk) ends the
    /// daemon with its error.
    public func run() async throws {
        let time = tracker.client.time
        let retry = tracker.options.transientRetry
        var failures = 0
        var unlogged = 0
        var loggedAt: Duration?
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            let started = time.now()
            var pause = tracker.options.idleInterval
            do {
                _ = try await cancelWhenGracefulShutdown { try await tracker.run(.daemon, report: report) }
            } catch let error as ReelWatchError where error.transient {
                if time.now() - started >= retry.maxDelay { failures = 0 }
                failures += 1
                unlogged += 1
                if loggedAt.map({ time.now() - $0 >= Self.logInterval }) ?? true {
                    logger.warning(
                        "the engine stopped on a passing error; trying again",
                        metadata: ["error": "\(error)", "failures": "\(unlogged)"])
                    loggedAt = time.now()
                    unlogged = 0
                }
                pause = retry.delay(beforeRetry: failures, retryAfter: nil, unitRandom: tracker.client.random())
            } catch let error as ReelWatchError {
                throw error
            } catch {
                // Cancelled: the loop ends.
            }
            let wait = pause
            try? await cancelWhenGracefulShutdown { try await time.sleep(for: wait) }
        }
    }

    /// The least time between two log lines about passing failures.
    static let logInterval: Duration = .seconds(60)
}
