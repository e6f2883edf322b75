import Foundation
import Logging
import ReelWatch
import ReelWatchStore
import ServiceLifecycle

/// The daemon (`reelwatch run`): passes of a ``Tracker`` until a graceful shutdown, polling due jobs and
/// downloading finished ones side by side. On shutdown, polls stop and downloads are cancelled, each leaving
/// its `.part` to resume from; the store already holds everything else.
public struct TrackerService: Service {
    /// The engine.
    public let tracker: Tracker
    /// The longest the daemon sleeps before looking at the store again (jobs added by other processes are
    /// seen within this).
    public var idleInterval: Duration
    /// Told of everything the tracker does.
    public let report: @Sendable (TrackerEvent) async -> Void
    private let logger: Logger

    /// Creates the service.
    public init(
        tracker: Tracker,
        idleInterval: Duration = .seconds(1),
        logger: Logger,
        report: @escaping @Sendable (TrackerEvent) async -> Void = { _ in }
    ) {
        self.tracker = tracker
        self.idleInterval = idleInterval
        self.logger = logger
        self.report = report
    }

    /// Runs until a graceful shutdown (or cancellation).
    public func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await pollLoop() }
            group.addTask { await downloadLoop() }
        }
    }

    private func pollLoop() async {
        var lastRefresh: Date?
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            do {
                _ = try await cancelWhenGracefulShutdown { try await tracker.pollDue(report: report) }
                // Links are refreshed at most every ten minutes: they last days.
                let now = tracker.wallClock()
                if tracker.options.refreshLinksAhead != nil,
                    lastRefresh.map({ now.timeIntervalSince($0) >= 600 }) ?? true
                {
                    lastRefresh = now
                    _ = try await cancelWhenGracefulShutdown { try await tracker.refreshLinks(report: report) }
                }
            } catch {
                logger.error("polling failed", metadata: ["error": "\(error)"])
            }
            var wait = idleInterval
            if let next = try? await tracker.store.nextDue() {
                let until = Duration.seconds(max(0, next.timeIntervalSince(tracker.wallClock())))
                wait = min(wait, until)
            }
            let pause = wait
            try? await cancelWhenGracefulShutdown { try await tracker.client.time.sleep(for: pause) }
        }
    }

    private func downloadLoop() async {
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            do {
                // A pass takes a batch of jobs: when files landed there may be more waiting, so go on at once.
                let landed = try await cancelWhenGracefulShutdown { try await tracker.downloadPending(report: report) }
                if landed > 0 { continue }
            } catch {
                logger.error("downloading failed", metadata: ["error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await tracker.client.time.sleep(for: idleInterval) }
        }
    }
}
