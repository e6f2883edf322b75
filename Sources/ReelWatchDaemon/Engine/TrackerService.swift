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

    /// Runs until a graceful shutdown (or cancellation). A store that fails is logged and the engine starts again
    /// after the idle interval: one bad moment never stops the daemon.
    public func run() async throws {
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            do {
                _ = try await cancelWhenGracefulShutdown { try await tracker.run(.daemon, report: report) }
            } catch {
                logger.error("the engine stopped", metadata: ["error": "\(error)"])
            }
            let pause = tracker.options.idleInterval
            try? await cancelWhenGracefulShutdown { try await tracker.client.time.sleep(for: pause) }
        }
    }
}
