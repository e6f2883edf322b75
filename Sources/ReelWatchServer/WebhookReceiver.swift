import Foundation
import HTTPTypes
import Logging
import ReelWatch
import ReelWatchStore
import ReelWatchWebhooks

/// Receives HeyGen's signed webhook deliveries: checks them, records each event once, and turns an event about a
/// tracked job into news for the engine — the job is made due now, and the engine asks the provider (a delivery is
/// a hint, never the truth).
///
/// In order: a secret to check with (503 `not_configured` while there is none: HeyGen delivers again later), the
/// signature (401 when missing or wrong), the timestamp (401 when more than the tolerance off), the
/// body and event ID (400 when unreadable) — none of which changes anything — then the event ID is recorded
/// durably before the answer, and a repeated one answers 200 and does nothing more.
///
/// The event is recorded before its job is made due, so a store that fails in between answers 503 and leaves an
/// event recorded but not acted on: HeyGen's redelivery is then a duplicate, and the job waits for its own next
/// poll (a hint lost, never a state).
public struct WebhookReceiver: Sendable {
    /// The signature header.
    public static let signatureHeader = HTTPField.Name("Heygen-Signature")!
    /// The dispatch time header.
    public static let timestampHeader = HTTPField.Name("Heygen-Timestamp")!
    /// The event ID header.
    public static let eventIDHeader = HTTPField.Name("Heygen-Event-Id")!

    private let secrets: WebhookSecretSource
    private let store: any JobStore
    private let news: WakeSignal?
    private let trackUntracked: Bool
    private let downloadDirectory: String?
    private let tolerance: Duration
    private let wallClock: @Sendable () -> Date
    private let logger: Logger
    private let refusals = RefusalLog()
    private let notFollowed = NotFollowedTally()

    /// Creates a receiver checking signatures with the secrets `secrets` holds at the time of each delivery.
    ///
    /// - Parameters:
    ///   - secrets: the webhook secrets, read again as they change.
    ///   - store: where events are recorded and jobs made due.
    ///   - news: signalled when a job became due (the engine's `Tracker.news`).
    ///   - trackUntracked: whether an event about a job not tracked tracks it (else it is recorded and ignored).
    ///   - downloadDirectory: where the files of jobs tracked that way go; nil to only follow them.
    ///   - tolerance: how far a delivery's timestamp may be from `wallClock`.
    ///   - wallClock: the current date.
    public init(
        secrets: WebhookSecretSource,
        store: any JobStore,
        news: WakeSignal?,
        trackUntracked: Bool = false,
        downloadDirectory: String? = nil,
        tolerance: Duration = WebhookTimestamp.defaultTolerance,
        wallClock: @escaping @Sendable () -> Date,
        logger: Logger
    ) {
        self.secrets = secrets
        self.store = store
        self.news = news
        self.trackUntracked = trackUntracked
        self.downloadDirectory = downloadDirectory
        self.tolerance = tolerance
        self.wallClock = wallClock
        self.logger = logger
    }

    /// Creates a receiver checking signatures with `signature` alone.
    public init(
        signature: WebhookSignature,
        store: any JobStore,
        news: WakeSignal?,
        trackUntracked: Bool = false,
        downloadDirectory: String? = nil,
        tolerance: Duration = WebhookTimestamp.defaultTolerance,
        wallClock: @escaping @Sendable () -> Date,
        logger: Logger
    ) {
        self.init(
            secrets: WebhookSecretSource(constant: signature), store: store, news: news,
            trackUntracked: trackUntracked, downloadDirectory: downloadDirectory, tolerance: tolerance,
            wallClock: wallClock, logger: logger)
    }

    /// How many new events of a type that names no job reelwatch follows were received, by type (at most
    /// ``NotFollowedTally/maximumTypes`` types, the rest under `other`).
    public var notFollowedCount: [String: Int] { notFollowed.counts() }

    /// The current date, from the receiver's wall clock.
    func wallClockNow() -> Date { wallClock() }

    /// Handles one delivery: its raw body and its headers.
    public func receive(body: [UInt8], headers: HTTPFields) async -> WebhookOutcome {
        guard let signature = secrets.signature() else {
            logger.debug("webhook delivery refused: no webhook secret is configured yet")
            return .notConfigured
        }
        let now = wallClock()
        let delivery: WebhookDelivery
        let eventID: String
        do throws(ReelWatchError) {
            guard let given = headers[Self.signatureHeader], signature.isValid(given, for: body) else {
                throw ReelWatchError(code: .webhookRejected, message: "webhook delivery: missing or wrong signature")
            }
            try WebhookTimestamp.check(headers[Self.timestampHeader], now: now, tolerance: tolerance)
            delivery = try WebhookDelivery(parsing: body)
            eventID = try WebhookDelivery.eventID(header: headers[Self.eventIDHeader], body: body)
        } catch {
            refusals.record("webhook refused", error: "\(error)", at: now, logger: logger)
            return error.code == .webhookRejected ? .unauthenticated : .malformed
        }
        return await record(delivery, eventID: eventID, at: now, mayTrack: true)
    }

    /// Handles one per-job callback (`callback_url` deliveries, which HeyGen does not sign): accepted only on the
    /// path whose `token` is the store's capability (404 otherwise, before the body is looked at), and acted on
    /// only for a job the store tracks — never tracked from an unsigned body. Recorded once per event ID as a
    /// signed delivery is.
    public func receiveCallback(token: String, body: [UInt8], headers: HTTPFields) async -> WebhookOutcome {
        let now = wallClock()
        if let refusal = await callbackRefusal(token: token, at: now) { return refusal }
        return await receiveCheckedCallback(body: body, headers: headers, at: now)
    }

    /// Why a per-job callback on `token`'s path is refused before its body is read — 404 when `token` is not the
    /// store's capability, 503 when the store fails — or nil when it is the store's.
    func callbackRefusal(token: String, at now: Date) async -> WebhookOutcome? {
        let expected: String
        do throws(ReelWatchError) {
            expected = try await store.callbackToken()
        } catch {
            logger.error("webhook callback: the store failed", metadata: ["error": "\(error)"])
            return .storeFailed
        }
        guard CallbackToken.matches(token, expected) else {
            refusals.record(
                "webhook callback to an unknown path refused", error: "no such callback token", at: now, logger: logger)
            return .unknownCallback
        }
        return nil
    }

    /// Handles the body of a per-job callback whose path ``callbackRefusal(token:at:)`` accepted: a body shaped as a
    /// signed delivery, or one naming a lipsync or a clipping job (``WebhookDelivery/callback(parsing:)``); of the
    /// jobs it may name, the first the store tracks.
    func receiveCheckedCallback(body: [UInt8], headers: HTTPFields, at now: Date) async -> WebhookOutcome {
        let callback: (eventType: String, refs: [JobRef])
        let eventID: String
        do throws(ReelWatchError) {
            callback = try WebhookDelivery.callback(parsing: body)
            eventID = try WebhookDelivery.eventID(header: headers[Self.eventIDHeader], body: body)
        } catch {
            refusals.record("webhook callback refused", error: "\(error)", at: now, logger: logger)
            return .malformed
        }
        var ref = callback.refs.first
        do throws(ReelWatchError) {
            if callback.refs.count > 1 {
                for candidate in callback.refs where try await store.job(candidate) != nil {
                    ref = candidate
                    break
                }
            }
        } catch {
            logger.error("webhook callback: the store failed", metadata: ["error": "\(error)"])
            return .storeFailed
        }
        let delivery = WebhookDelivery(eventType: callback.eventType, ref: ref)
        return await record(delivery, eventID: eventID, at: now, mayTrack: false)
    }

    /// Records a checked delivery once and acts on it; a store failure answers 503.
    func record(
        _ delivery: WebhookDelivery, eventID: String, at now: Date, mayTrack: Bool
    ) async -> WebhookOutcome {
        var metadata: Logger.Metadata = [
            "webhook.event_id": "\(eventID)", "webhook.event_type": "\(delivery.eventType)",
        ]
        if let ref = delivery.ref { metadata["job.ref"] = "\(ref)" }
        do throws(ReelWatchError) {
            let event = DeliveredEvent(id: eventID, type: delivery.eventType, ref: delivery.ref, receivedAt: now)
            guard try await store.recordDelivery(event) else {
                logger.info("webhook event seen before", metadata: metadata)
                return .duplicate
            }
            let outcome = try await act(on: delivery, at: now, mayTrack: mayTrack)
            if outcome == .notFollowed {
                metadata["webhook.not_followed_total"] = "\(notFollowed.add(delivery.eventType))"
            }
            logger.info("webhook event \(outcome.rawValue)", metadata: metadata)
            return outcome
        } catch {
            metadata["error"] = "\(error)"
            logger.error("webhook event not recorded", metadata: metadata)
            return .storeFailed
        }
    }

    /// Makes the job a new event names due (or tracks it, when `mayTrack` and the receiver tracks untracked jobs),
    /// and wakes the engine when it did. An event announcing more files (a v3 video's GIF or captions) makes a job
    /// that succeeded poll again, so the files it does not have yet are planned and fetched.
    private func act(
        on delivery: WebhookDelivery, at now: Date, mayTrack: Bool
    ) async throws(ReelWatchError) -> WebhookOutcome {
        guard let ref = delivery.ref else { return .notFollowed }
        let due = delivery.announcesFiles ? try await store.reopen(ref, at: now) : try await store.makeDue(ref, at: now)
        if let job = due {
            guard job.phase == .polling else { return .ignored }
            news?.signal()
            return .madeDue
        }
        guard mayTrack, trackUntracked else { return .ignored }
        _ = try await store.track(
            TrackRequest(ref: ref, meta: ["source": "webhook"], downloadDirectory: downloadDirectory), at: now)
        news?.signal()
        return .tracked
    }
}
