import Foundation

/// A point in time written as ISO 8601 in UTC, such as `2025-10-01T08:24:36Z`.
public struct ISO8601Timestamp: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The point in time.
    public var date: Date

    /// Wraps a date.
    public init(_ date: Date) { self.date = date }

    /// The ISO 8601 text, with fractional seconds only when there are any.
    public var description: String {
        let whole = date.timeIntervalSince1970.rounded(.down) == date.timeIntervalSince1970
        return date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: !whole))
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
