import Foundation

/// How often and how long to retry a request that failed transiently (connection errors, 5xx, 429).
///
/// Delays use full-jitter exponential backoff: before retry *n* (from 1) the delay is drawn uniformly
/// from `0 ... min(maxDelay, baseDelay × 2ⁿ⁻¹)`; a server's `Retry-After` raises it to at least what
/// the server asked for.
public struct RetryPolicy: Sendable, Hashable {
    /// Retries after the first attempt; 0 means a single attempt.
    public var maxRetries: Int
    /// The backoff cap before the first retry.
    public var baseDelay: Duration
    /// The largest backoff cap.
    public var maxDelay: Duration
    /// The longest `Retry-After` honoured; a server asking for more makes the request fail now.
    public var maxRetryAfter: Duration

    /// Creates a policy; the defaults retry 4 times, starting under 0.5 s and never above 30 s per wait.
    public init(
        maxRetries: Int = 4,
        baseDelay: Duration = .milliseconds(500),
        maxDelay: Duration = .seconds(30),
        maxRetryAfter: Duration = .seconds(120)
    ) {
        self.maxRetries = max(0, maxRetries)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxRetryAfter = maxRetryAfter
    }

    /// The backoff cap before retry `retry` (1 for the first retry).
    public func cap(beforeRetry retry: Int) -> Duration {
        let exponent = min(max(retry - 1, 0), 30)
        let grown = baseDelay * (1 << exponent)
        return min(grown, maxDelay)
    }

    /// The delay before retry `retry`: `unitRandom` (in `0..<1`) of the cap, at least `retryAfter`.
    public func delay(beforeRetry retry: Int, retryAfter: Duration?, unitRandom: Double) -> Duration {
        let fraction = min(max(unitRandom, 0), 1)
        let jittered = cap(beforeRetry: retry) * fraction
        guard let retryAfter else { return jittered }
        return max(jittered, retryAfter)
    }

    /// Reads a `Retry-After` value: delta seconds (`120`, `1.5`) or an HTTP date; nil when unreadable or out of
    /// range (negative, not finite, or longer than ``CheckedConversion/longestSeconds``).
    public static func parseRetryAfter(_ value: String, now: Date) -> Duration? {
        let text = value.trimmingCharacters(in: .whitespaces)
        if text.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") }),
            let seconds = Double(text)
        {
            return CheckedConversion.duration(seconds: seconds)
        }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: text) else { return nil }
        return CheckedConversion.duration(seconds: max(0, date.timeIntervalSince(now)))
    }
}
