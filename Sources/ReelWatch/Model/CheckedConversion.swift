import Foundation

/// The one place numbers from outside (provider answers, headers, signed links, URLs) become `Int64`, `Duration`
/// or `Date`: a value out of range is refused (nil, so callers treat it as absent) instead of trapping.
///
/// `Int64(1e300)`, `Duration.seconds(.infinity)` and a `Date` far past year 9999 all crash or misbehave; a crash
/// on one provider answer would repeat on every pass of the daemon.
public enum CheckedConversion {
    /// The latest point in time accepted: 9999-12-31T23:59:59Z, in Unix seconds.
    public static let latestUnixSeconds: Double = 253_402_300_799

    /// The longest length of time accepted from outside: about 31 years, in seconds.
    public static let longestSeconds: Double = 1e9

    /// Where the values refused while a provider's answer is read are noted, so that the ``StatusClient`` can log
    /// them; nil (nothing noted) elsewhere.
    @TaskLocal public static var refused: RefusedValues?

    /// `value`, refused: noted (when someone listens) and nil.
    private static func refuse<T>(_ value: Double) -> T? {
        refused?.append(value)
        return nil
    }

    /// `value` as an `Int64` when it is finite and within ±2⁶², else nil.
    public static func int64(_ value: Double) -> Int64? {
        guard value.isFinite, abs(value) < 4.6e18 else { return nil }
        return Int64(value)
    }

    /// A length of `seconds` (finite, `0...longestSeconds`), to the millisecond; nil otherwise.
    public static func duration(seconds: Double) -> Duration? {
        guard seconds.isFinite, seconds >= 0, seconds <= longestSeconds else { return refuse(seconds) }
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }

    /// A length in `0...longestSeconds` seconds, or nil (negative, not finite, or longer).
    public static func seconds(_ value: Double) -> Double? {
        guard value.isFinite, value >= 0, value <= longestSeconds else { return refuse(value) }
        return value
    }

    /// The point `seconds` after 1970 (finite, after 1970 and before year 10000); nil otherwise.
    public static func date(unixSeconds seconds: Double) -> Date? {
        // 0 is how providers say "not yet": absent without a note.
        guard seconds != 0 else { return nil }
        guard seconds.isFinite, seconds > 0, seconds <= latestUnixSeconds else { return refuse(seconds) }
        return Date(timeIntervalSince1970: seconds)
    }

    /// A date within the range ``date(unixSeconds:)`` accepts, or nil.
    public static func date(_ date: Date) -> Date? {
        self.date(unixSeconds: date.timeIntervalSince1970)
    }

    /// A TCP port: `1...65535`; nil for anything else.
    public static func port(_ value: Int?) -> Int? {
        guard let value, (1...65535).contains(value) else { return nil }
        return value
    }

    /// A decimal count of bytes (`Content-Length`, `Content-Range`): ASCII digits only, at most 18 of them.
    public static func byteCount(_ text: some StringProtocol) -> Int64? {
        let trimmed = String(text).trimmingWhitespace()
        guard (1...18).contains(trimmed.utf8.count), trimmed.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
            return nil
        }
        return Int64(trimmed)
    }
}

/// The out-of-range numbers refused while one answer was read.
public final class RefusedValues: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Double] = []

    /// Creates an empty list.
    public init() {}

    /// Notes a refused value.
    public func append(_ value: Double) { lock.withLock { values.append(value) } }

    /// The values refused so far.
    public var all: [Double] { lock.withLock { values } }
}
