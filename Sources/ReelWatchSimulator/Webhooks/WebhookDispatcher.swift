import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import ReelWatch
import ReelWatchWebhooks

/// Delivers a ``Simulator``'s webhook events as HeyGen does: a signed JSON POST per event and destination, retried
/// a few times when it gets no 2xx, through the faults the simulator was given (``WebhookFaults``).
///
/// Each round takes the events of renders that ended since the last round (``Simulator/takeEndedEvents(fileBase:)``)
/// and sends them, at most ``maximumConcurrentDeliveries`` at once. What became of each delivery is kept in
/// ``Simulator/webhookDeliveries`` and counted in ``Simulator/counts``. The dispatcher itself holds no state: run
/// one at a time for a simulator.
public struct WebhookDispatcher: Sendable {
    /// How long one request may take by default, answer included.
    public static let defaultDeliveryTimeout: Duration = .seconds(10)
    /// HeyGen retries for a day; the simulator waits these real-time pauses between its few attempts.
    public static let defaultRetryDelays: [Duration] = [.milliseconds(200), .milliseconds(500), .seconds(1)]

    /// The simulator whose events are delivered.
    public let simulator: Simulator
    /// The scheme and authority of the simulator's file links (`http://127.0.0.1:PORT`).
    public let fileBase: String
    /// How many deliveries may be in flight at once.
    public let maximumConcurrentDeliveries: Int
    /// The pauses before the second, third … attempt of a delivery that got no 2xx (and not 401).
    public let retryDelays: [Duration]
    /// How long one request may take, answer included (AsyncHTTPClient keeps trying to connect until then).
    public let deliveryTimeout: Duration
    private let destinations: @Sendable () async -> [WebhookDestination]
    private let client: HTTPClient
    private let time: TimeSource
    private let wallClock: @Sendable () -> Date
    private let logger: Logger

    /// Creates a dispatcher for `simulator`'s events.
    ///
    /// - Parameters:
    ///   - simulator: whose events to deliver, with its faults and its destinations.
    ///   - fileBase: the scheme and authority of the simulator's file links, such as `http://127.0.0.1:8089`.
    ///   - destinations: where to deliver, asked every round; nil for the simulator's own
    ///     (``Simulator/allWebhookDestinations()``: those added, and the endpoints registered through the API).
    ///   - client: the HTTP client; the default follows no redirects.
    ///   - maximumConcurrentDeliveries: how many deliveries may be in flight at once.
    ///   - retryDelays: the pauses between the attempts of a delivery; their count is the most retries.
    ///   - deliveryTimeout: how long one request may take, answer included.
    ///   - clock: what fault delays and retry pauses sleep on.
    ///   - wallClock: the real date, for `Heygen-Timestamp` (never simulated time: a receiver compares it with its
    ///     own clock).
    ///   - logger: where each delivery is logged, at debug level.
    public init(
        simulator: Simulator,
        fileBase: String,
        destinations: (@Sendable () async -> [WebhookDestination])? = nil,
        client: HTTPClient = AsyncHTTPClientTransport.sharedClient,
        maximumConcurrentDeliveries: Int = 16,
        retryDelays: [Duration] = defaultRetryDelays,
        deliveryTimeout: Duration = defaultDeliveryTimeout,
        clock: some Clock<Duration> = ContinuousClock(),
        wallClock: @escaping @Sendable () -> Date,
        logger: Logger
    ) {
        self.simulator = simulator
        self.fileBase = fileBase
        self.destinations = destinations ?? { await simulator.allWebhookDestinations() }
        self.client = client
        self.maximumConcurrentDeliveries = max(1, maximumConcurrentDeliveries)
        self.retryDelays = retryDelays
        self.deliveryTimeout = deliveryTimeout
        self.time = TimeSource(clock)
        self.wallClock = wallClock
        self.logger = logger
    }

    /// One event to send to one destination, with the faults it meets.
    private struct Delivery: Sendable {
        var event: SimulatedWebhookEvent
        var body: [UInt8]
        var plan: WebhookFaults.Plan
        var destination: WebhookDestination
    }

    /// Delivers the events of renders that ended since the last round (and those held back from it), and returns
    /// what became of each delivery, in the order they finished. Events made while no destination is set are
    /// taken all the same, and sent nowhere.
    @discardableResult
    public func deliverDue() async -> [WebhookDeliveryRecord] {
        let round = await simulator.takeWebhookRound(fileBase: fileBase)
        guard !round.isEmpty else { return [] }
        let targets = await destinations()
        var deliveries: [Delivery] = []
        for (event, plan) in round {
            let body = event.body.serialized()
            for destination in targets where destination.accepts(event.type) {
                deliveries.append(Delivery(event: event, body: body, plan: plan, destination: destination))
            }
        }
        var records: [WebhookDeliveryRecord] = []
        await withBoundedConcurrency(limit: maximumConcurrentDeliveries, over: deliveries) { delivery in
            await deliver(delivery)
        } handle: { record in
            records.append(record)
        }
        await simulator.record(records)
        return records
    }

    /// Delivers due events every `interval` until the task is cancelled.
    public func run(every interval: Duration) async {
        while !Task.isCancelled {
            await deliverDue()
            do {
                try await time.sleep(for: interval)
            } catch {
                return
            }
        }
    }

    /// Sends one delivery as its plan says: not at all, late, twice, or with a bad signature.
    private func deliver(_ delivery: Delivery) async -> WebhookDeliveryRecord {
        var record = WebhookDeliveryRecord(
            eventID: delivery.event.id, eventType: delivery.event.type, ref: delivery.event.ref,
            url: delivery.destination.url, plan: delivery.plan)
        var logger = self.logger
        logger[metadataKey: "webhook.event"] = "\(delivery.event.id)"
        logger[metadataKey: "webhook.url"] = "\(delivery.destination.url)"
        guard !delivery.plan.dropped else {
            logger.debug("webhook dropped by a fault")
            return record
        }
        if delivery.plan.delay > .zero {
            do {
                try await time.sleep(for: delivery.plan.delay)
            } catch {
                return record
            }
        }
        for _ in 0..<(delivery.plan.duplicated ? 2 : 1) {
            await sendWithRetries(delivery, record: &record, logger: logger)
        }
        return record
    }

    /// Sends `delivery` until it is answered 2xx or 401, or the retries are spent.
    private func sendWithRetries(_ delivery: Delivery, record: inout WebhookDeliveryRecord, logger: Logger) async {
        for attempt in 0...retryDelays.count {
            if attempt > 0 {
                do {
                    try await time.sleep(for: retryDelays[attempt - 1])
                } catch {
                    return
                }
            }
            record.attempts += 1
            do {
                let status = try await send(delivery)
                record.lastStatus = status
                record.lastError = nil
                logger.debug("webhook answered", metadata: ["http.status": "\(status)"])
                if (200..<300).contains(status) {
                    record.delivered = true
                    return
                }
                // A receiver that refuses the signature refuses it again: HeyGen gives up on 401.
                if status == 401 { return }
            } catch {
                record.lastStatus = nil
                record.lastError = "\(error)"
                logger.debug("webhook not answered", metadata: ["error": "\(error)"])
                if Task.isCancelled { return }
            }
        }
    }

    /// POSTs one copy of `delivery`, stamped with the wall clock now; returns the answer's status.
    private func send(_ delivery: Delivery) async throws -> Int {
        var request = HTTPClientRequest(url: delivery.destination.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "reelwatch-simulator")
        request.headers.add(name: "Heygen-Event-Id", value: delivery.event.id)
        request.headers.add(
            name: "Heygen-Timestamp", value: String(Int(wallClock().timeIntervalSince1970.rounded(.down))))
        if let signature = signature(of: delivery) {
            request.headers.add(name: "Heygen-Signature", value: signature)
        }
        request.body = .bytes(delivery.body)
        let response = try await client.execute(request, timeout: TimeAmount(deliveryTimeout), logger: logger)
        // The answer's body is read (and dropped) so the connection can be used again.
        _ = try? await response.body.collect(upTo: 1 << 20)
        return Int(response.status.code)
    }

    /// The `Heygen-Signature` of `delivery`: the HMAC of the body under the destination's secret, with its first
    /// digit changed when the plan says so; none for an unsigned destination unless it is to be a bad one.
    private func signature(of delivery: Delivery) -> String? {
        let secret = delivery.destination.secret
        guard secret != nil || delivery.plan.badSignature else { return nil }
        let good = WebhookSignature.sign(delivery.body, secret: secret ?? "")
        guard delivery.plan.badSignature else { return good }
        return (good.first == "0" ? "1" : "0") + good.dropFirst()
    }
}
