import ReelWatch
import ServiceLifecycle

/// Runs a piece of work every interval beside the engine — the first time at once — on a given clock, until a
/// graceful shutdown or cancellation: the one loop behind `run --sync-every` and `serve`'s reconciliation.
///
/// The interval runs from the start of one round to the start of the next; a round that took longer is followed
/// at once by the next. The work handles its own failures: nothing it does stops the loop. A graceful shutdown
/// cancels a round in progress (the work checks for cancellation between its pages), so that `run` and `serve` stop
/// in seconds even in the middle of reading thousands of pages.
public struct IntervalService: Service {
    /// The time from the start of one round to the start of the next.
    public let interval: Duration
    /// The clock the rounds are timed on.
    public let time: TimeSource
    private let work: @Sendable () async -> Void

    /// Creates the service.
    public init(every interval: Duration, time: TimeSource, work: @escaping @Sendable () async -> Void) {
        self.interval = interval
        self.time = time
        self.work = work
    }

    /// Runs the work every interval until a graceful shutdown (or cancellation).
    public func run() async throws {
        var next = time.now()
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            await cancelWhenGracefulShutdown { await work() }
            next += max(interval, .milliseconds(1))
            if next < time.now() { next = time.now() }
            let until = next
            do {
                try await cancelWhenGracefulShutdown { try await time.sleep(until: until) }
            } catch {
                return
            }
        }
    }
}
