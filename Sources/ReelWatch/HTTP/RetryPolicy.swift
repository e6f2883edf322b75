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

    /// Reads an HTTP date in its one current form (IMF-fixdate: `Sun, 06 Nov 1994 08:49:37 GMT`), field by field
    /// on ASCII bytes; nil for anything else. (Foundation's `DateFormatter` was found by fuzzing to crash on a
    /// combining mark inside a date-like header: a provider's header must never reach it.)
    static func httpDate(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count == 29, bytes[3] == UInt8(ascii: ","), bytes[25] == UInt8(ascii: " "),
            bytes[26...28].elementsEqual("GMT".utf8)
        else { return nil }
        for (index, separator) in [(4, " "), (7, " "), (11, " "), (16, " "), (19, ":"), (22, ":")]
        where bytes[index] != UInt8(ascii: Unicode.Scalar(separator)!) {
            return nil
        }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for byte in bytes[range] {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        guard let monthIndex = months.firstIndex(where: { $0.utf8.elementsEqual(bytes[8..<11]) }),
            let day = number(5..<7), let year = number(12..<16), let hour = number(17..<19),
            let minute = number(20..<22), let second = number(23..<25),
            (1...31).contains(day), year >= 1970, hour < 24, minute < 60, second <= 60
        else { return nil }
        // Days from 1970-01-01 to the civil date (Howard Hinnant's algorithm), in the proleptic Gregorian calendar.
        let month = monthIndex + 1
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = shiftedYear / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        return Date(timeIntervalSince1970: Double(days * 86_400 + hour * 3_600 + minute * 60 + second))
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
        guard let date = httpDate(text) else { return nil }
        return CheckedConversion.duration(seconds: max(0, date.timeIntervalSince(now)))
    }
}
