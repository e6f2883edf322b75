import Logging
import ReelWatch
import ServiceLifecycle

/// Runs an ``AccountSync`` every interval beside the daemon (`reelwatch run --sync-every`), the first at once, on
/// the sync's client clock, and wakes the engine when it added jobs.
///
/// A sync that fails is logged and tried again at the next interval: it never stops the daemon.
public struct AccountSyncService: Service {
    /// The sync run each time.
    public let sync: AccountSync
    /// The time from the start of one sync to the start of the next.
    public let interval: Duration
    /// Signalled when a sync added jobs (the engine's ``Tracker/news``).
    public let wake: WakeSignal?
    /// Told of each sync's summary.
    public let report: @Sendable (AccountSyncSummary) async -> Void
    private let logger: Logger

    /// Creates the service.
    public init(
        sync: AccountSync,
        every interval: Duration,
        wake: WakeSignal?,
        logger: Logger,
        report: @escaping @Sendable (AccountSyncSummary) async -> Void = { _ in }
    ) {
        self.sync = sync
        self.interval = interval
        self.wake = wake
        self.logger = logger
        self.report = report
    }

    /// Syncs every interval until a graceful shutdown (or cancellation).
    public func run() async throws {
        try await IntervalService(every: interval, time: sync.client.time) { await syncOnce() }.run()
    }

    /// One sync: the jobs it added wake the engine, its failures are logged.
    private func syncOnce() async {
        do throws(ReelWatchError) {
            let summary = try await sync.run()
            if !summary.added.isEmpty { wake?.signal() }
            for failure in summary.failures {
                logger.warning("account sync: a list could not be read", metadata: ["error": "\(failure)"])
            }
            logger.debug(
                "account sync",
                metadata: [
                    "sync.added": "\(summary.added.count)", "sync.seen": "\(summary.seen)",
                    "sync.pages": "\(summary.pages)",
                ])
            await report(summary)
        } catch {
            if error.code != .cancelled {
                logger.error("account sync failed; trying again at the next interval", metadata: ["error": "\(error)"])
            }
        }
    }
}
