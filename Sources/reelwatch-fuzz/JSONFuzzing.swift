import ReelWatch

/// Any bytes through `JSONValue.parse`; a value it returns must serialize to text that reads back as itself, and
/// every accessor the adapters use must answer without trapping.
enum JSONFuzzing {
    static func run(_ bytes: [UInt8]) {
        guard let value = try? JSONValue.parse(bytes) else { return }
        let text = value.serialized()
        let again = try? JSONValue.parse(text)
        require(again == value, "serialized text does not read back as the same value: \(Escaped(text))")
        var budget = 64
        visit(value, budget: &budget)
    }

    /// Reads every node (the first `budget` of them) the ways adapters read provider fields.
    static func visit(_ value: JSONValue, budget: inout Int) {
        guard budget > 0 else { return }
        budget -= 1
        _ = value.text
        _ = value.bool
        _ = value.number
        _ = value.date
        _ = value.first("id", "video_id")
        switch value {
        case .array(let elements):
            for element in elements { visit(element, budget: &budget) }
        case .object(let members):
            for (_, member) in members { visit(member, budget: &budget) }
        case .null, .bool, .number, .largeInteger, .string:
            break
        }
    }
}

/// Bytes shown the way libFuzzer shows them: printable ASCII as is, the rest as `\xNN`.
struct Escaped: CustomStringConvertible {
    /// The bytes.
    var bytes: [UInt8]

    /// Wraps bytes.
    init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// Wraps the UTF-8 of a text.
    init(_ text: String) { self.bytes = Array(text.utf8) }

    var description: String {
        var out = ""
        for byte in bytes.prefix(600) {
            if byte >= 0x20, byte < 0x7F, byte != UInt8(ascii: "\\") {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                out += "\\x" + String(byte, radix: 16).leftPadded(to: 2)
            }
        }
        return bytes.count > 600 ? out + "… (\(bytes.count) bytes)" : out
    }
}

extension String {
    /// The text with zeros in front up to `width` characters.
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
