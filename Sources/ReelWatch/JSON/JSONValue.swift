import Foundation

/// Any JSON value, decoded without a schema so that adapters can read provider answers leniently.
///
/// Providers send numbers as strings, `null` anywhere and fields nobody documented; reading through
/// `JSONValue` lets each field be taken in whatever form it arrived.
public enum JSONValue: Sendable, Hashable, Codable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A number.
    case number(Double)
    /// An integer literal beyond 2⁵³, as its digits: a Double would round it, and an ID sent as a number is its text.
    case largeInteger(String)
    /// A string.
    case string(String)
    /// An array.
    case array([JSONValue])
    /// An object.
    case object([String: JSONValue])

    /// Decodes any JSON value.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    /// The largest magnitude up to which every integer is exactly a Double (2⁵³).
    public static let largestExactInteger: Double = 9_007_199_254_740_992

    /// Encodes the value as JSON.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .largeInteger(let digits): try container.encode(Decimal(string: digits) ?? Decimal(Double(digits) ?? 0))
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// The value as compact JSON text with sorted keys (a number that is not finite is written as `null`).
    public func serialized() -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(256)
        write(into: &output)
        return output
    }

    private func write(into output: inout [UInt8]) {
        switch self {
        case .null:
            output.append(contentsOf: "null".utf8)
        case .bool(let value):
            output.append(contentsOf: (value ? "true" : "false").utf8)
        case .number(let value):
            if !value.isFinite {
                output.append(contentsOf: "null".utf8)
            } else if value.rounded() == value, abs(value) < 1e15 {
                output.append(contentsOf: String(Int64(value)).utf8)
            } else {
                output.append(contentsOf: value.description.utf8)
            }
        case .largeInteger(let digits):
            output.append(contentsOf: digits.utf8)
        case .string(let value):
            Self.write(value, into: &output)
        case .array(let elements):
            output.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                element.write(into: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let members):
            output.append(UInt8(ascii: "{"))
            for (index, key) in members.keys.sorted().enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                Self.write(key, into: &output)
                output.append(UInt8(ascii: ":"))
                members[key]?.write(into: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Writes `text` as a JSON string: quotes, backslashes and control characters escaped, the rest as UTF-8.
    private static func write(_ text: String, into output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0A: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0x08: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
            case 0x0C: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
            case 0..<0x20:
                output.append(contentsOf: Array("\\u00".utf8))
                output.append(hexDigits[Int(byte >> 4)])
                output.append(hexDigits[Int(byte & 0x0F)])
            default: output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }

    /// Parses a whole document (strict JSON; nothing but whitespace around it, after an optional UTF-8 byte order
    /// mark, which some servers send).
    public static func parse(_ bytes: some Collection<UInt8>) throws -> JSONValue {
        var array = Array(bytes)
        if array.starts(with: [0xEF, 0xBB, 0xBF]) { array.removeFirst(3) }
        return try JSONParser.parse(array)
    }

    /// A string value, or `null` for nil.
    public static func optional(_ value: String?) -> JSONValue { value.map { .string($0) } ?? .null }

    /// A number value, or `null` for nil.
    public static func optional(_ value: Double?) -> JSONValue { value.map { .number($0) } ?? .null }

    /// The member `key` of an object; nil when this is not an object or the member is absent.
    public subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    /// The first of `keys` that is present and not null.
    public func first(_ keys: String...) -> JSONValue? {
        for key in keys {
            if let value = self[key], value != .null { return value }
        }
        return nil
    }

    /// Whether this is `null`.
    public var isNull: Bool { self == .null }

    /// The members, when this is an object.
    public var objectValue: [String: JSONValue]? {
        if case .object(let members) = self { return members }
        return nil
    }

    /// The elements, when this is an array.
    public var arrayValue: [JSONValue]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    /// The value as text: a string as is (nil when blank), a number or a Boolean spelled out.
    public var text: String? {
        switch self {
        case .string(let value):
            return value.trimmingWhitespaceAndNewlines().isEmpty ? nil : value
        case .number(let value):
            if value.rounded() == value, let integer = CheckedConversion.int64(value) { return String(integer) }
            return String(value)
        case .largeInteger(let digits):
            return digits
        case .bool(let value):
            return String(value)
        case .null, .array, .object:
            return nil
        }
    }

    /// Whether this value, sent as a job's ID, could name `id`: the same text, or the same number (an ID sent as
    /// a JSON number beyond 2⁵³ has lost digits, so it is compared as a number).
    public func couldName(_ id: String) -> Bool {
        if let text, text == id { return true }
        if case .number(let value) = self, let asked = Double(id), asked.isFinite { return asked == value }
        return false
    }

    /// The value as a Boolean: `true`/`false`, or a string or number that spells one.
    public var bool: Bool? {
        switch self {
        case .bool(let value): return value
        case .number(let value): return value != 0
        case .largeInteger: return true
        case .string(let value):
            switch value.trimmingWhitespace().lowercased() {
            case "true", "1", "yes": return true
            case "false", "0", "no": return false
            default: return nil
            }
        default: return nil
        }
    }

    /// The value as a number: a number, or a string that holds one.
    public var number: Double? {
        switch self {
        case .number(let value):
            return value.isFinite ? value : nil
        case .largeInteger(let digits):
            return Double(digits)
        case .string(let value):
            guard let parsed = Double(value.trimmingWhitespace()), parsed.isFinite else { return nil }
            return parsed
        default:
            return nil
        }
    }

    /// The value as a percentage, 0–100 (a number or numeric text; out of range clamped, fractions cut); nil for
    /// anything else, never a trap.
    public var percent: Int? {
        guard let value = number else { return nil }
        return Int(min(max(value, 0), 100).rounded(.down))
    }

    /// The value as a length of time in seconds (a number or a string holding one), when it is in the range
    /// ``CheckedConversion/seconds(_:)`` accepts.
    public var seconds: Double? { number.flatMap(CheckedConversion.seconds) }

    /// The value as a point in time: Unix seconds (or milliseconds), as a number or a string, or ISO 8601 text;
    /// nil for a time before 1970 or after year 9999.
    public var date: Date? {
        if let seconds = number {
            return CheckedConversion.date(unixSeconds: seconds > 1e11 ? seconds / 1000 : seconds)
        }
        guard case .string(let value) = self else { return nil }
        let trimmed = value.trimmingWhitespace()
        let parsed =
            (try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(trimmed))
            ?? (try? Date.ISO8601FormatStyle().parse(trimmed))
        return parsed.flatMap(CheckedConversion.date)
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByNilLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    /// A string literal.
    public init(stringLiteral value: String) { self = .string(value) }
    /// An integer literal.
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    /// A floating-point literal.
    public init(floatLiteral value: Double) { self = .number(value) }
    /// `true` or `false`.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    /// `nil`, meaning `null`.
    public init(nilLiteral: ()) { self = .null }
    /// An array literal.
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    /// A dictionary literal.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}
