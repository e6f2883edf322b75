import Foundation

/// A point in time written as ISO 8601 in UTC, such as `2025-10-01T08:24:36Z`.
public struct ISO8601Timestamp: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The point in time.
    public var date: Date

    /// Wraps a date.
    public init(_ date: Date) { self.date = date }

    /// The ISO 8601 text, with fractional seconds only when there are any.
    public var description: String {
        let seconds = date.timeIntervalSince1970
        let whole = seconds.rounded(.down) == seconds
        // Whole seconds from 1970 to 9999 (every time a provider sends) are written by hand: Foundation's formatter
        // costs tens of thousands of instructions a call, and the store writes several times on every answer.
        if whole, seconds >= 0, seconds < Self.year10000 { return Self.text(wholeSeconds: Int64(seconds)) }
        return date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: !whole))
    }

    /// 10000-01-01T00:00:00Z in seconds since 1970.
    private static let year10000 = 253_402_300_800.0

    /// `YYYY-MM-DDThh:mm:ssZ` for `seconds` since 1970 (0 up to the year 10000), in the proleptic Gregorian
    /// calendar, as Foundation writes it.
    static func text(wholeSeconds seconds: Int64) -> String {
        let days = seconds / 86_400
        let time = seconds % 86_400
        // Days to a civil date (Howard Hinnant's `civil_from_days`), for days >= 0.
        let shifted = days + 719_468
        let era = shifted / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(20)
        func append(_ value: Int64, digits: Int) {
            var divisor: Int64 = 1
            for _ in 1..<digits { divisor *= 10 }
            var value = value
            while divisor > 0 {
                bytes.append(UInt8(ascii: "0") + UInt8(value / divisor))
                value %= divisor
                divisor /= 10
            }
        }
        append(year, digits: 4)
        bytes.append(UInt8(ascii: "-"))
        append(month, digits: 2)
        bytes.append(UInt8(ascii: "-"))
        append(day, digits: 2)
        bytes.append(UInt8(ascii: "T"))
        append(time / 3600, digits: 2)
        bytes.append(UInt8(ascii: ":"))
        append(time / 60 % 60, digits: 2)
        bytes.append(UInt8(ascii: ":"))
        append(time % 60, digits: 2)
        bytes.append(UInt8(ascii: "Z"))
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Decodes ISO 8601 text, with or without fractional seconds.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let date = JSONValue.string(text).date else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an ISO 8601 time: \(text)")
        }
        self.date = date
    }

    /// Encodes the ISO 8601 text.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
