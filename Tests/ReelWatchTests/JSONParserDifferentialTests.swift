import Foundation
import Testing

@testable import ReelWatch

/// `JSONParser` against Foundation's `JSONSerialization` on generated and hand-picked documents: the same
/// refusals and the same values, except where an ``AgreedDifference`` says otherwise — and there the test checks
/// that each parser does what the difference says, rather than skipping the document.
@Suite("JSON parser against JSONSerialization")
struct JSONParserDifferentialTests {
    @Test("3,000 generated documents: the same answers, differences only where agreed")
    func generatedDocuments() {
        var generator = JSONDocumentGenerator(seed: 2026, maximumDepth: JSONParser.maximumDepth)
        var differences: [AgreedDifference: Int] = [:]
        var accepted = 0
        var mismatches = 0
        for _ in 0..<3000 {
            let document = generator.document()
            let verdict = Differential.compare(document)
            for difference in verdict.differences { differences[difference, default: 0] += 1 }
            if verdict.accepted { accepted += 1 }
            if let mismatch = verdict.mismatch {
                mismatches += 1
                if mismatches <= 20 { Issue.record("\(mismatch); document: \(Differential.escaped(document))") }
            }
        }
        #expect(mismatches == 0)
        // The generator must reach every agreed difference, and both answers often.
        for difference in AgreedDifference.allCases {
            #expect(
                differences[difference, default: 0] >= 5, "\(difference) seen \(differences[difference, default: 0])×")
        }
        #expect((600...2400).contains(accepted), "\(accepted) of 3000 accepted")
    }

    @Test("hand-picked documents: each parser's answer, and the agreed difference it shows", arguments: Nasty.all)
    func nasty(_ nasty: Nasty) {
        let verdict = Differential.compare(nasty.bytes)
        #expect(verdict.mismatch == nil)
        #expect(verdict.accepted == nasty.accepted)
        #expect(verdict.differences == nasty.differences)
    }

    @Test("out-of-range numbers are refused by both; underflow reads as 0 in both")
    func outOfRange() throws {
        for text in ["1e400", "-1e400", "[1e309]", "1.7976931348623159e308", "1" + String(repeating: "0", count: 400)] {
            #expect(throws: (any Error).self) { try JSONValue.parse(Array(text.utf8)) }
            #expect(throws: (any Error).self) {
                try JSONSerialization.jsonObject(with: Data(text.utf8), options: .fragmentsAllowed)
            }
        }
        #expect(try JSONValue.parse(Array("1e-400".utf8)) == .number(0))
        #expect(try JSONValue.parse(Array("1.7976931348623158e308".utf8)) == .number(.greatestFiniteMagnitude))
    }

    @Test("-0 keeps its sign in JSONParser (Foundation answers the integer 0); equal either way")
    func negativeZero() throws {
        let parsed = try JSONValue.parse(Array("-0".utf8))
        guard case .number(let number) = parsed else {
            Issue.record("-0 read as \(parsed)")
            return
        }
        #expect(number == 0 && number.sign == .minus)
        let foundation = try JSONSerialization.jsonObject(with: Data("-0".utf8), options: .fragmentsAllowed)
        #expect((foundation as? NSNumber)?.doubleValue.sign == .plus)
        #expect(parsed == .number(0))
        #expect(String(decoding: parsed.serialized(), as: UTF8.self) == "0")
    }

    @Test("duplicate keys: the last one wins in both")
    func duplicateKeys() throws {
        let text = #"{"a":1,"a":{"b":2},"a":[3]}"#
        #expect(try JSONValue.parse(Array(text.utf8)) == .object(["a": .array([.number(3)])]))
        #expect(Differential.compare(Array(text.utf8)).mismatch == nil)
    }

    @Test("nesting: maximumDepth (512) levels are read, one more is refused, by both")
    func depthLimit() {
        for (depth, accepted) in [(JSONParser.maximumDepth, true), (JSONParser.maximumDepth + 1, false)] {
            for opener in ["[", #"{"k":"#] {
                let closer = opener == "[" ? "]" : "}"
                let text = String(repeating: opener, count: depth) + "1" + String(repeating: closer, count: depth)
                let verdict = Differential.compare(Array(text.utf8))
                #expect(verdict.mismatch == nil)
                #expect(verdict.accepted == accepted, "depth \(depth) \(opener)")
            }
        }
    }
}

/// Where JSONParser and JSONSerialization answer differently by design.
enum AgreedDifference: String, CaseIterable, Sendable {
    /// A UTF-8 BOM before the document: Foundation skips it; JSONParser refuses it as it refuses any byte that is
    /// not JSON (the status client strips one before parsing). What follows it must read the same.
    case leadingBOM
    /// A NUL byte: JSONParser refuses it (neither whitespace nor allowed raw in a string); Foundation may take the
    /// text for UTF-16 or UTF-32 and read it.
    case nulByte
    /// Bytes that are not UTF-8 inside a string: JSONParser reads each bad sequence as U+FFFD, so one stray byte in a
    /// title does not cost the whole status; Foundation refuses the document. JSONParser must read exactly what
    /// Foundation reads from the document with those sequences replaced.
    case invalidUTF8
    /// A `\uD800`–`\uDFFF` escape that is not half of a pair: JSONParser reads U+FFFD; Foundation refuses the
    /// document. JSONParser must read what Foundation reads with the escape written `\uFFFD`.
    case loneSurrogate
    /// A number a Double cannot hold (`1e400`) under a key that a later duplicate replaces: Foundation checks a
    /// number only when it keeps it, so it accepts `{"a":1e400,"a":1}`; JSONParser refuses every such number.
    /// With those numbers written `0`, JSONParser must read what Foundation read.
    case outOfRangeNumber
    /// A comma before `]` or `}`: Foundation accepts `[1,]`; JSONParser refuses it, as RFC 8259 does.
    case trailingComma
    /// A number with more digits than a Double holds: Foundation goes through Decimal, whose conversion to Double
    /// lands several ULPs off (`1.2345678901234567` becomes `1.2345678901234565`); JSONParser rounds the literal
    /// correctly. JSONParser must be within 1 ULP of Decimal's own text (exact to 38 digits).
    case decimalRounding
    /// A raw U+FEFF first in a string or right after an escape (`"\u{FEFF}x"`, `"\n\u{FEFF}"`): Foundation drops it,
    /// taking it for a byte order mark; JSONParser keeps it, as it keeps `\uFEFF`. JSONParser must read what
    /// Foundation reads with it escaped.
    case byteOrderMarkInString
}

/// A hand-picked document, with what JSONParser must answer and the differences it shows.
struct Nasty: Sendable, CustomTestStringConvertible {
    var bytes: [UInt8]
    var accepted: Bool
    var differences: Set<AgreedDifference>

    var testDescription: String { Differential.escaped(bytes) }

    init(_ text: String, _ accepted: Bool, _ differences: Set<AgreedDifference> = []) {
        self.init(bytes: Array(text.utf8), accepted, differences)
    }

    init(bytes: [UInt8], _ accepted: Bool, _ differences: Set<AgreedDifference> = []) {
        self.bytes = bytes
        self.accepted = accepted
        self.differences = differences
    }

    static let all: [Nasty] = [
        Nasty("", false), Nasty(" \n", false), Nasty("[1] x", false), Nasty("{} {}", false), Nasty("[1]]", false),
        Nasty("01", false), Nasty("-", false), Nasty("1.", false), Nasty(".5", false), Nasty("+1", false),
        Nasty("NaN", false), Nasty("1e400", false), Nasty("-1e400", false), Nasty("[1e309]", false),
        Nasty("1e-400", true), Nasty("-0", true), Nasty("-0.0", true), Nasty("5e-324", true), Nasty("2e-324", true),
        Nasty("9007199254740993", true), Nasty("18446744073709551616", true), Nasty("1.0e0", true),
        Nasty("1.2345678901234567", true, [.decimalRounding]),
        Nasty("0.12345678901234567890", true, [.decimalRounding]),
        Nasty(#"{"k":1,"k":2}"#, true), Nasty(#"{"k":1e400,"k":2}"#, false, [.outOfRangeNumber]),
        Nasty(#"{"k":[-1e400],"\u006b":2}"#, false, [.outOfRangeNumber]), Nasty(#"{"k":2,"k":1e400}"#, false),
        Nasty(#"{"":1}"#, true), Nasty(#"["\/"]"#, true),
        Nasty(#""\ud83c\udfac""#, true), Nasty(#""\uD83C\uDFAC""#, true), Nasty(#""\u0000""#, true),
        Nasty(#""\ud800""#, true, [.loneSurrogate]), Nasty(#""\udc00x""#, true, [.loneSurrogate]),
        Nasty(#""\ud800\u0041""#, true, [.loneSurrogate]), Nasty(#""\ud800\ud800\udc00""#, true, [.loneSurrogate]),
        Nasty(#"{"\udfff":1}"#, true, [.loneSurrogate]), Nasty(#""\\ud800""#, true),
        Nasty("\"a\u{1}b\"", false), Nasty("\"tab\there\"", false), Nasty("\"\u{7F}\"", true),
        Nasty("[\"\u{FEFF}x\"]", true, [.byteOrderMarkInString]), Nasty(#"["\uFEFFx"]"#, true),
        Nasty("{\"\u{FEFF}\":\"a\u{FEFF}\"}", true, [.byteOrderMarkInString]),
        Nasty("[\"\\n\u{FEFF}\u{FEFF}\\u0041\u{FEFF}\"]", true, [.byteOrderMarkInString]),
        Nasty(#""\x41""#, false), Nasty(#""\u12""#, false),
        Nasty("[1,]", false, [.trailingComma]), Nasty(#"{"a":1,}"#, false, [.trailingComma]),
        Nasty(#"[[1,] ]"#, false, [.trailingComma]), Nasty("[,]", false), Nasty("[1,,]", false),
        Nasty("\u{FEFF}{}", false, [.leadingBOM]), Nasty("\u{FEFF}", false, [.leadingBOM]),
        Nasty("\u{FEFF}[1,]", false, [.leadingBOM, .trailingComma]), Nasty(" \u{FEFF}1", false),
        Nasty(bytes: [0x22, 0xFF, 0x22], true, [.invalidUTF8]),
        Nasty(bytes: [0x22, 0xED, 0xA0, 0x80, 0x22], true, [.invalidUTF8]),
        Nasty(bytes: [0x22, 0xC0, 0xAF, 0x22], true, [.invalidUTF8]),
        Nasty(bytes: [0x22, 0x61, 0xC3, 0x22], true, [.invalidUTF8]),
        Nasty(bytes: [0x5B, 0xFF, 0x5D], false, [.invalidUTF8]),
        Nasty(bytes: [0x00, 0x5B, 0x00, 0x5D], false, [.nulByte]), Nasty("[1]\u{0}", false, [.nulByte]),
        Nasty("\"a\u{0}b\"", false, [.nulByte]),
    ]
}

/// Runs both parsers on one document and judges the answers.
enum Differential {
    /// The outcome for one document.
    struct Verdict {
        /// Whether JSONParser read the document.
        var accepted: Bool
        /// The agreed differences the document shows.
        var differences: Set<AgreedDifference>
        /// What is wrong, when the answers differ in a way nobody agreed to.
        var mismatch: String?
    }

    private static let bom: [UInt8] = [0xEF, 0xBB, 0xBF]

    static func compare(_ bytes: [UInt8]) -> Verdict {
        let parsed = try? JSONParser.parse(bytes)
        var verdict = Verdict(accepted: parsed != nil, differences: [], mismatch: nil)
        func refuse(_ difference: AgreedDifference, _ what: String) -> Verdict {
            verdict.differences.insert(difference)
            if let parsed { verdict.mismatch = "JSONParser accepted \(what) (read \(parsed))" }
            return verdict
        }

        if bytes.contains(0) { return refuse(.nulByte, "a NUL byte") }
        if bytes.starts(with: bom) {
            // The status client strips the BOM; the rest must compare like any document.
            var rest = compare(Array(bytes.dropFirst(bom.count)))
            rest.differences.insert(.leadingBOM)
            rest.accepted = verdict.accepted
            if let parsed { rest.mismatch = "JSONParser accepted a leading BOM (read \(parsed))" }
            return rest
        }

        var reference = bytes
        if String(validating: bytes, as: UTF8.self) == nil {
            verdict.differences.insert(.invalidUTF8)
            if foundation(bytes) != nil { verdict.mismatch = "Foundation accepted bytes that are not UTF-8" }
            reference = Array(String(decoding: bytes, as: UTF8.self).utf8)
        }
        if let replaced = replacingLoneSurrogates(reference) {
            verdict.differences.insert(.loneSurrogate)
            if foundation(reference) != nil { verdict.mismatch = "Foundation accepted a lone surrogate" }
            reference = replaced
        }
        guard verdict.mismatch == nil else { return verdict }
        if let escaped = escapingLeadingByteOrderMarks(reference) {
            verdict.differences.insert(.byteOrderMarkInString)
            reference = escaped
        }

        guard let expected = foundation(reference) else {
            if let parsed { verdict.mismatch = "JSONParser read \(parsed) where Foundation refuses" }
            return verdict
        }
        var read = parsed
        if let zeroed = replacingOutOfRangeNumbers(reference) {
            // Foundation kept none of them (it refuses the document otherwise), so with zeros in their place
            // JSONParser must read what Foundation read.
            if parsed != nil { return refuse(.outOfRangeNumber, "a number out of range") }
            verdict.differences.insert(.outOfRangeNumber)
            reference = zeroed
            read = try? JSONParser.parse(zeroed)
        }
        if hasTrailingComma(reference) { return refuse(.trailingComma, "a trailing comma") }
        guard let read else {
            verdict.mismatch = "JSONParser refused what Foundation reads as \(expected)"
            return verdict
        }
        var rounded = false
        if let difference = difference(read, expected, rounded: &rounded) {
            verdict.mismatch = "JSONParser read \(read), Foundation \(expected): \(difference)"
        }
        if rounded { verdict.differences.insert(.decimalRounding) }
        return verdict
    }

    private static func foundation(_ bytes: [UInt8]) -> Any? {
        try? JSONSerialization.jsonObject(with: Data(bytes), options: .fragmentsAllowed)
    }

    /// Why `parsed` is not what Foundation read as `expected`; nil when it is. Strings and keys compare by their
    /// UTF-8 (not by Swift's canonical equivalence); numbers exactly, or within 4 ULPs where Foundation went
    /// through Decimal (then `rounded` is set).
    private static func difference(_ parsed: JSONValue, _ expected: Any, rounded: inout Bool) -> String? {
        switch parsed {
        case .null:
            return expected is NSNull ? nil : "null"
        case .bool(let value):
            guard let number = expected as? NSNumber, isBoolean(number) else { return "a Boolean" }
            return number.boolValue == value ? nil : "\(value)"
        case .number(let value):
            guard let number = expected as? NSNumber, !isBoolean(number) else { return "a number" }
            let other = number.doubleValue
            if value == other { return nil }
            // Foundation's Decimal to Double is off; Decimal's own text is exact to 38 digits.
            guard let decimal = number as? NSDecimalNumber, let exact = Double(decimal.description),
                abs(value - exact) <= max(value.ulp, exact.ulp)
            else { return "\(value) against \(other)" }
            rounded = true
            return nil
        case .largeInteger(let digits):
            // Foundation reads such an integer as an Int64, a UInt64 or a Decimal: its text must be these digits.
            guard let number = expected as? NSNumber, !isBoolean(number) else { return "a number" }
            let other = (number as? NSDecimalNumber)?.description ?? number.description
            return Double(other) == Double(digits) ? nil : "\(digits) against \(other)"
        case .string(let value):
            guard let other = expected as? String else { return "a string" }
            return Array(value.utf8) == Array(other.utf8) ? nil : "string \(escaped(Array(value.utf8)))"
        case .array(let elements):
            guard let others = expected as? [Any], others.count == elements.count else { return "an array" }
            for (element, other) in zip(elements, others) {
                if let difference = difference(element, other, rounded: &rounded) { return difference }
            }
            return nil
        case .object(let members):
            guard let others = expected as? [String: Any] else { return "an object" }
            guard Set(members.keys.map { Array($0.utf8) }) == Set(others.keys.map { Array($0.utf8) }) else {
                return "keys \(members.keys.sorted()) against \(others.keys.sorted())"
            }
            for (key, member) in members {
                guard let other = others[key] else { return "key \(key)" }
                if let difference = difference(member, other, rounded: &rounded) { return difference }
            }
            return nil
        }
    }

    private static func isBoolean(_ number: NSNumber) -> Bool { String(cString: number.objCType) == "c" }

    /// `bytes` with every `\uD800`–`\uDFFF` escape that is not half of a pair written `\uFFFD`, the way JSONParser
    /// reads it; nil when there is none.
    static func replacingLoneSurrogates(_ bytes: [UInt8]) -> [UInt8]? {
        func hex4(at index: Int) -> Int? {
            guard index + 4 <= bytes.count else { return nil }
            return Int(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16)
        }
        func escape(at index: Int) -> Int? {
            guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
            else { return nil }
            return hex4(at: index + 2)
        }
        var out: [UInt8] = []
        var replaced = false
        var index = 0
        while index < bytes.count {
            guard bytes[index] == UInt8(ascii: "\\"), index + 1 < bytes.count else {
                out.append(bytes[index])
                index += 1
                continue
            }
            guard let scalar = escape(at: index) else {
                out += bytes[index...index + 1]  // `\\`, `\"`, …: the second byte is never the start of an escape
                index += 2
                continue
            }
            if (0xD800...0xDBFF).contains(scalar), let low = escape(at: index + 6), (0xDC00...0xDFFF).contains(low) {
                out += bytes[index..<index + 12]
                index += 12
            } else if (0xD800...0xDFFF).contains(scalar) {
                out += Array(#"\uFFFD"#.utf8)
                replaced = true
                index += 6
            } else {
                out += bytes[index..<index + 6]
                index += 6
            }
        }
        return replaced ? out : nil
    }

    /// `bytes` with every raw U+FEFF that starts a string or follows an escape written `\uFEFF`; nil when there is
    /// none. (Foundation converts each run of raw bytes between escapes on its own, dropping a leading BOM.)
    static func escapingLeadingByteOrderMarks(_ bytes: [UInt8]) -> [UInt8]? {
        var out: [UInt8] = []
        var replaced = false
        var inString = false
        var runStart = false
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if !inString {
                out.append(byte)
                index += 1
                inString = byte == UInt8(ascii: "\"")
                runStart = inString
            } else if runStart, bytes[index...].starts(with: bom) {
                out += Array(#"\uFEFF"#.utf8)
                index += bom.count
                replaced = true
            } else if byte == UInt8(ascii: "\\") {
                let length = index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "u") ? 6 : 2
                out += bytes[index..<min(index + length, bytes.count)]
                index += length
                runStart = true
            } else {
                out.append(byte)
                index += 1
                inString = byte != UInt8(ascii: "\"")
                runStart = false
            }
        }
        return replaced ? out : nil
    }

    /// `bytes` with every number outside strings that a Double cannot hold (`1e400`) written `0`; nil when there is
    /// none.
    static func replacingOutOfRangeNumbers(_ bytes: [UInt8]) -> [UInt8]? {
        let numberBytes = Set("0123456789+-.eE".utf8)
        var out: [UInt8] = []
        var replaced = false
        var inString = false
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if inString {
                out.append(byte)
                if byte == UInt8(ascii: "\\"), index + 1 < bytes.count {
                    out.append(bytes[index + 1])
                    index += 1
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                index += 1
            } else if byte == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) {
                var end = index
                while end < bytes.count, numberBytes.contains(bytes[end]) { end += 1 }
                let token = bytes[index..<end]
                if let value = Double(String(decoding: token, as: UTF8.self)), !value.isFinite {
                    out.append(UInt8(ascii: "0"))
                    replaced = true
                } else {
                    out += token
                }
                index = end
            } else {
                inString = byte == UInt8(ascii: "\"")
                out.append(byte)
                index += 1
            }
        }
        return replaced ? out : nil
    }

    /// Whether a `,` outside strings is followed (after whitespace) by `]` or `}`.
    static func hasTrailingComma(_ bytes: [UInt8]) -> Bool {
        var inString = false
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if inString {
                if byte == UInt8(ascii: "\\") { index += 1 } else if byte == UInt8(ascii: "\"") { inString = false }
            } else if byte == UInt8(ascii: "\"") {
                inString = true
            } else if byte == UInt8(ascii: ",") {
                var next = index + 1
                while next < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[next]) { next += 1 }
                if next < bytes.count, bytes[next] == UInt8(ascii: "]") || bytes[next] == UInt8(ascii: "}") {
                    return true
                }
            }
            index += 1
        }
        return false
    }

    /// Printable ASCII as is, every other byte as `\xNN`.
    static func escaped(_ bytes: [UInt8]) -> String {
        let shown = bytes.prefix(300).map { byte in
            byte >= 0x20 && byte < 0x7F && byte != UInt8(ascii: "\\")
                ? String(UnicodeScalar(byte)) : "\\x" + String(byte, radix: 16, uppercase: true)
        }
        return shown.joined() + (bytes.count > 300 ? "… (\(bytes.count) bytes)" : "")
    }
}
