import Foundation
import Logging
import ReelWatch

/// Catches the webhook deliveries that never arrived: pages through HeyGen's list of webhook events
/// (`GET /v3/webhooks/events`, newest first) back to the last reconciliation, and hands every event to the
/// ``WebhookReceiver`` as if it had been delivered — an event recorded before is a duplicate and does nothing, a
/// missed one makes its job due.
///
/// The first reconciliation looks back ``lookBack`` (HeyGen redelivers for 24 hours; older events have long been
/// caught by the safety-net polls); each later one goes back to where the one before started, less ``overlap``
/// for events listed late. A reconciliation that fails leaves that mark where it was, so the next covers the gap.
///
/// Paging stops at a `next_token` the list sent before in the same reconciliation (a list going round in a cycle,
/// said once per reconciler as a warning), and at cancellation: each page checks first.
public actor WebhookReconciler {
    /// Where the events go, as deliveries.
    public nonisolated let receiver: WebhookReceiver
    /// Reads the list of events, with the account's key and the one retry path.
    public nonisolated let client: StatusClient
    /// How far back the first reconciliation looks.
    public nonisolated let lookBack: Duration
    /// How far before the previous reconciliation's start the next one goes back to.
    public nonisolated let overlap: Duration
    /// The most pages one reconciliation reads.
    public nonisolated let maximumPages: Int
    private let logger: Logger
    private var since: Date?
    /// Whether a token cycle was logged already: said once, not every round.
    private var cycleLogged = false

    /// Creates a reconciler.
    public init(
        receiver: WebhookReceiver,
        client: StatusClient,
        lookBack: Duration = .seconds(24 * 3600),
        overlap: Duration = .seconds(3600),
        maximumPages: Int = 1000,
        logger: Logger
    ) {
        self.receiver = receiver
        self.client = client
        self.lookBack = lookBack
        self.overlap = overlap
        self.maximumPages = max(maximumPages, 1)
        self.logger = logger
    }

    /// One reconciliation: the events listed since the last one, each handed to the receiver. Cancelled, it reads
    /// no further page and throws `cancelled`, leaving its mark where it was.
    public func reconcile() async throws(ReelWatchError) -> WebhookReconciliation {
        let start = client.wallClock()
        let from = since ?? start.addingTimeInterval(-lookBack.secondsValue)
        var summary = WebhookReconciliation()
        var token: String?
        var tokens = Set<String>()
        repeat {
            if Task.isCancelled {
                throw ReelWatchError(code: .cancelled, message: "webhook reconciliation cancelled", provider: .heygen)
            }
            let page = try await client.webhookEventPage(token: token)
            summary.pages += 1
            summary.skipped += page.skipped
            var reachedMark = false
            for event in page.events {
                if let created = event.createdAt, created < from {
                    reachedMark = true
                    continue
                }
                summary.seen += 1
                summary.outcomes[await receiver.receiveListed(event), default: 0] += 1
            }
            token = reachedMark ? nil : page.nextToken
            if let next = token, !tokens.insert(next).inserted {
                summary.repeatedToken = true
                if !cycleLogged {
                    cycleLogged = true
                    logger.warning(
                        """
                        HeyGen's list of webhook events sent a next_token it had sent before (a cycle): \
                        reconciliation stops at the repeat (after \(summary.pages) pages), now and in later rounds
                        """)
                }
                break
            }
            if token != nil, summary.pages >= maximumPages {
                summary.truncated = true
                logger.warning(
                    "webhook reconciliation stopped after \(maximumPages) pages; the rest is read next time")
                break
            }
        } while token != nil
        // A round that stopped early resumes from the same mark; otherwise the next goes back to this start.
        if !summary.truncated, !summary.repeatedToken, summary.outcomes[.storeFailed] == nil {
            since = start.addingTimeInterval(-overlap.secondsValue)
        }
        return summary
    }

    /// One reconciliation whose failure is logged, not thrown: what ``IntervalService`` runs in `serve`.
    public func reconcileLogged() async {
        do throws(ReelWatchError) {
            let summary = try await reconcile()
            let level: Logger.Level = summary.recovered > 0 ? .notice : .debug
            logger.log(
                level: level, "webhook reconciliation",
                metadata: [
                    "reconcile.pages": "\(summary.pages)", "reconcile.seen": "\(summary.seen)",
                    "reconcile.recovered": "\(summary.recovered)",
                    "reconcile.not_followed": "\(summary.outcomes[.notFollowed] ?? 0)",
                ])
        } catch {
            if error.code != .cancelled {
                logger.warning(
                    "webhook reconciliation failed; trying again at the next interval", metadata: ["error": "\(error)"])
            }
        }
    }
}
