import Foundation
import Logging
import ReelWatch
import ReelWatchWebhooks
import Synchronization

/// The secrets `serve` checks deliveries with: those given in `REELWATCH_WEBHOOK_SECRET`, and those of the
/// webhook secret file (each endpoint's current secret and the ones rotated out within the grace period).
///
/// The file is looked at again at most once per ``checkInterval``, with one `lstat`: it is read again only when
/// its inode, size or change times differ, so `reelwatch webhook register` or `rotate` takes effect without a
/// restart while a delivery costs a clock read and an uncontended lock. A file that turns malformed or unsafe is
/// reported once and the secrets read before are kept; a file removed takes its secrets with it.
public final class WebhookSecretSource: Sendable {
    private struct State {
        var signature: WebhookSignature?
        var file: WebhookEndpointFile?
        var identity: WebhookEndpointFile.Identity?
        var lastCheck: Duration?
        var nextExpiry: Date?
    }

    /// How often, at most, the file is looked at.
    public let checkInterval: Duration
    private let fixed: [String]
    private let path: String?
    private let constant: WebhookSignature?
    private let time: TimeSource?
    private let wallClock: @Sendable () -> Date
    private let logger: Logger?
    private let state: Mutex<State>

    /// Always `signature`, never reading a file (for tests and a fixed configuration).
    public init(constant signature: WebhookSignature) {
        self.constant = signature
        self.fixed = []
        self.path = nil
        self.checkInterval = .zero
        self.time = nil
        self.wallClock = { Date(timeIntervalSince1970: 0) }
        self.logger = nil
        self.state = Mutex(State(signature: signature))
    }

    /// The secrets `fixed` plus those of the file at `path` (nil for none).
    ///
    /// Reads the file at once: throws `secret_file_unusable` when it is unsafe or malformed (a file that is absent
    /// is fine; it may be written later).
    ///
    /// - Parameters:
    ///   - checkInterval: how often, at most, the file is looked at for changes.
    ///   - clock: what `checkInterval` is measured on.
    ///   - wallClock: the current date, for the grace period of rotated-out secrets.
    public init(
        fixed: [String],
        file path: String?,
        checkInterval: Duration = .seconds(1),
        clock: some Clock<Duration>,
        wallClock: @escaping @Sendable () -> Date,
        logger: Logger
    ) throws(ReelWatchError) {
        self.constant = nil
        self.fixed = fixed
        self.path = path
        self.checkInterval = checkInterval
        self.time = TimeSource(clock)
        self.wallClock = wallClock
        self.logger = logger
        var initial = State()
        if let path, let read = try WebhookEndpointFile.readWithIdentity(path: path) {
            initial.file = read.file
            initial.identity = read.identity
        }
        Self.rebuild(&initial, fixed: fixed, now: wallClock())
        initial.lastCheck = time?.now()
        self.state = Mutex(initial)
    }

    /// The signature check of the secrets valid now; nil while there is none (deliveries cannot be checked).
    public func signature() -> WebhookSignature? {
        guard let time, let path else { return constant }
        let now = time.now()
        return state.withLock { state in
            if let last = state.lastCheck, now - last < checkInterval { return state.signature }
            state.lastCheck = now
            refresh(&state, path: path)
            return state.signature
        }
    }

    /// The APIs whose jobs the endpoints behind these secrets hear the end of (``WebhookDelivery/coveredAPIs(subscribedTo:)``):
    /// each endpoint of the file by its events, and the secrets of the environment as an endpoint of every event;
    /// none while there is no secret. Looks at the file as ``signature()`` does.
    public func coveredAPIs() -> Set<ProviderAPI> {
        // The file as it is now, not as it was at the last timed check: an endpoint registered a moment ago counts.
        if let path, time != nil { state.withLock { refresh(&$0, path: path) } }
        guard signature() != nil else { return [] }
        if constant != nil || !fixed.isEmpty { return WebhookDelivery.coveredAPIs(subscribedTo: nil) }
        let entries = state.withLock { $0.file?.entries ?? [] }
        return entries.reduce(into: Set<ProviderAPI>()) { covered, entry in
            covered.formUnion(WebhookDelivery.coveredAPIs(subscribedTo: entry.events))
        }
    }

    /// How many secrets are valid now.
    public var secretCount: Int { signature()?.secretCount ?? 0 }

    /// Reads the file again if it changed, and drops the retired secrets whose grace ended.
    private func refresh(_ state: inout State, path: String) {
        let identity = WebhookEndpointFile.identity(path: path)
        if identity != state.identity {
            state.identity = identity
            if identity == nil {
                if state.file != nil {
                    logger?.warning(
                        "the webhook secret file is gone; its secrets are no longer accepted",
                        metadata: ["file": "\(path)"])
                }
                state.file = nil
            } else {
                do {
                    if let read = try WebhookEndpointFile.readWithIdentity(path: path) {
                        state.file = read.file
                        state.identity = read.identity
                        logger?.notice(
                            "webhook secret file read",
                            metadata: ["file": "\(path)", "endpoints": "\(read.file.entries.count)"])
                    } else {
                        state.file = nil
                    }
                } catch {
                    logger?.error(
                        "webhook secret file not used; the secrets read before are kept",
                        metadata: ["error": "\(error.message)", "hint": "\(error.hint ?? "")"])
                }
            }
            Self.rebuild(&state, fixed: fixed, now: wallClock())
            return
        }
        if let expiry = state.nextExpiry {
            let now = wallClock()
            if now >= expiry { Self.rebuild(&state, fixed: fixed, now: now) }
        }
    }

    /// The signature of `fixed` and the file's secrets valid at `now`.
    private static func rebuild(_ state: inout State, fixed: [String], now: Date) {
        let secrets = fixed + (state.file?.validSecrets(at: now) ?? [])
        state.signature = try? WebhookSignature(secrets: secrets)
        state.nextExpiry = state.file?.nextExpiry(after: now)
    }
}
