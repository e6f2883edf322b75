import Foundation
import Logging
import Synchronization

/// How refused deliveries reach the log without letting a flood of them (forged signatures, a scanner) flood it:
/// each one at debug level; at warning level the first at once, then at most one line a ``interval``, counting the
/// ones refused since the last.
final class RefusalLog: Sendable {
    private struct State {
        var lastWarning: Date?
        var since = 0
    }

    /// The shortest time between two warnings.
    static let interval: TimeInterval = 60

    private let state = Mutex(State())

    /// Logs one refusal `message` (its reason in `error`) at `now`.
    func record(_ message: String, error: String, at now: Date, logger: Logger) {
        logger.debug("\(message)", metadata: ["error": "\(error)"])
        let earlier: Int? = state.withLock { state in
            if let last = state.lastWarning, now.timeIntervalSince(last) < Self.interval, now >= last {
                state.since += 1
                return nil
            }
            defer {
                state.lastWarning = now
                state.since = 0
            }
            return state.since
        }
        guard let earlier else { return }
        var metadata: Logger.Metadata = ["error": "\(error)"]
        if earlier > 0 { metadata["refused.since_last_warning"] = "\(earlier)" }
        logger.warning("\(message)", metadata: metadata)
    }
}
