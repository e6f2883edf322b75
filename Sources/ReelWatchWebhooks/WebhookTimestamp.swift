import Foundation
import ReelWatch

/// The freshness check of a webhook delivery: `Heygen-Timestamp`, Unix seconds at dispatch, must be within a
/// tolerance of the receiver's clock. (It is not covered by the signature; the event ID is the replay defence.)
public enum WebhookTimestamp {
    /// How far a delivery's timestamp may be from the receiver's clock, either way: five minutes.
    public static let defaultTolerance: Duration = .seconds(300)

    /// Checks `header` against `now`; throws `webhook_rejected` when it is missing, is not whole Unix seconds, or
    /// is more than `tolerance` away.
    public static func check(
        _ header: String?, now: Date, tolerance: Duration = defaultTolerance
    ) throws(ReelWatchError) {
        guard let header else { throw rejected("no Heygen-Timestamp") }
        let digits = header.utf8
        guard (1...12).contains(digits.count), digits.allSatisfy({ (0x30...0x39).contains($0) }),
            let seconds = Double(header), let sent = CheckedConversion.date(unixSeconds: seconds)
        else {
            throw rejected("Heygen-Timestamp '\(ReelWatchError.printable(header, limit: 20))' is not Unix seconds")
        }
        let allowed = Double(tolerance.components.seconds)
        guard abs(now.timeIntervalSince(sent)) <= allowed else {
            throw rejected("Heygen-Timestamp is more than \(tolerance.components.seconds) s from this clock")
        }
    }

    private static func rejected(_ reason: String) -> ReelWatchError {
        ReelWatchError(code: .webhookRejected, message: "webhook delivery: \(reason)")
    }
}
