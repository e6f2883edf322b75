/// Makes JSON texts from a seed, mostly valid and often broken on purpose: odd numbers (`-0`, `1e400`, 30
/// digits), every kind of escape (lone surrogates included), raw UTF-8, duplicate keys, nesting around the
/// parser's limit, then byte mutations (a BOM, trailing garbage, a cut, a stray or invalid byte, a trailing
/// comma). The same seed gives the same documents.
struct JSONDocumentGenerator {
    private var state: UInt64
    private let maximumDepth: Int

    /// Creates a generator; documents nest up to a little past `maximumDepth`.
    init(seed: UInt64, maximumDepth: Int) {
        state = seed
        self.maximumDepth = maximumDepth
    }

    /// The next document.
    mutating func document() -> [UInt8] {
        var bytes: [UInt8]
        switch below(100) {
        case 0..<4: bytes = deeplyNested()
        case 4..<6: bytes = Array(pick(["", " ", "\n\t\r ", "\u{FEFF}", "\u{0}"]).utf8)
        default:
            bytes = []
            whitespace(into: &bytes)
            value(depth: 0, into: &bytes)
            whitespace(into: &bytes)
        }
        if below(100) < 45 {
            for _ in 0...below(3) { mutate(&bytes) }
        }
        return bytes
    }

    // MARK: - Values

    private mutating func value(depth: Int, into out: inout [UInt8]) {
        let choice = depth >= 6 ? below(5) : below(8)
        switch choice {
        case 0: out += Array(pick(["null", "true", "false"]).utf8)
        case 1, 2: number(into: &out)
        case 3, 4: string(into: &out)
        case 5: array(depth: depth, into: &out)
        default: object(depth: depth, into: &out)
        }
    }

    private mutating func array(depth: Int, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "["))
        let count = below(5)
        for index in 0..<count {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            whitespace(into: &out)
            value(depth: depth + 1, into: &out)
            whitespace(into: &out)
        }
        out.append(UInt8(ascii: "]"))
    }

    private mutating func object(depth: Int, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        // Sometimes a number out of range that a later duplicate key replaces: Foundation never looks at it.
        let shadowed = below(8) == 0
        if shadowed { out += Array((#""a":"# + pick(["1e400", "-1e309", "1.7976931348623159e308"]) + ",").utf8) }
        let count = below(5)
        for index in 0..<count {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            whitespace(into: &out)
            // Few distinct keys, so duplicates are common; `é` twice, precomposed and decomposed.
            if below(4) == 0 {
                string(into: &out)
            } else {
                out += Array(pick([#""a""#, #""b""#, #""id""#, #""status""#, #""é""#, #""e\u0301""#, #""""#]).utf8)
            }
            whitespace(into: &out)
            out.append(UInt8(ascii: ":"))
            whitespace(into: &out)
            value(depth: depth + 1, into: &out)
            whitespace(into: &out)
        }
        if shadowed { out += Array(((count > 0 ? "," : "") + #""a":0"#).utf8) }
        out.append(UInt8(ascii: "}"))
    }

    private mutating func number(into out: inout [UInt8]) {
        let text: String
        switch below(12) {
        case 0: text = pick(["0", "-0", "-0.0", "0e5", "-0E-0", "1", "-1", "0.5"])
        case 1: text = pick(["1e400", "-1e400", "1e309", "1e-400", "-1e-400", "5e-324", "2e-324", "3e-324"])
        case 2:
            text = pick([
                "1.7976931348623157e308", "1.7976931348623158e308", "1.7976931348623159e308", "2.2250738585072014e-308",
                "1e2147483648", "1e-2147483649", "9223372036854775807", "9223372036854775808", "-9223372036854775809",
                "18446744073709551616", "9007199254740993",
            ])
        case 3:
            // Long mantissas: Foundation reads these as Decimal.
            let (integerDigits, fractionDigits, exponent) = (18 + below(25), below(20), below(40) - 20)
            var long = (below(2) == 0 ? "-" : "") + digits(count: integerDigits, leadingZero: false)
            if fractionDigits > 0 { long += "." + digits(count: fractionDigits, leadingZero: true) }
            if below(2) == 0 { long += "e" + String(exponent) }
            text = long
        case 4: text = pick(["01", "-", "1.", ".5", "+1", "1e", "1e+", "-.5", "0x10", "1.e5", "NaN", "Infinity"])
        default:
            var number = below(4) == 0 ? "-" : ""
            number += digits(count: 1 + below(8), leadingZero: false)
            if below(2) == 0 { number += "." + digits(count: 1 + below(8), leadingZero: true) }
            if below(3) == 0 {
                let range = below(4) == 0 ? 420 : 30
                number += pick(["e", "E"]) + pick(["", "+", "-"]) + String(below(range))
            }
            text = number
        }
        out += Array(text.utf8)
    }

    private mutating func digits(count: Int, leadingZero: Bool) -> String {
        var text = ""
        for index in 0..<count {
            let digit = index == 0 && !leadingZero ? 1 + below(9) : below(10)
            text += String(digit)
        }
        return text
    }

    private mutating func string(into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for _ in 0..<below(8) {
            switch below(24) {
            case 0..<6:
                out += Array(
                    pick(["a", "id", "video", " ", "x y", "ü", "日本", "🎬", "e\u{301}", "\u{7F}", "\u{FEFF}"]).utf8)
            case 6..<9: out += Array(pick([#"\""#, #"\\"#, #"\/"#, #"\b"#, #"\f"#, #"\n"#, #"\r"#, #"\t"#]).utf8)
            case 9..<11:
                let scalar = below(0x10000)
                out += Array(unicodeEscape(scalar).utf8)
            case 11:
                let (high, low) = (0xD800 + below(0x400), 0xDC00 + below(0x400))
                out += Array((unicodeEscape(high) + unicodeEscape(low)).utf8)
            case 12:
                // A surrogate escape on its own, or before something that is not its other half.
                let lone = below(2) == 0 ? 0xD800 + below(0x400) : 0xDC00 + below(0x400)
                out += Array((unicodeEscape(lone) + pick(["", "x", #"\u0041"#, #"\ud800"#, #"\\"#])).utf8)
            case 13: out += Array(pick([#"\u0000"#, #"\u001f"#, #"\uFEFF"#, #"\uffff"#, #"\u00E9"#]).utf8)
            case 14: out.append(UInt8(below(0x20)))  // a raw control character: not JSON
            case 15:
                out += pick([[0xFF], [0xC3], [0xED, 0xA0, 0x80], [0xC0, 0xAF], [0xF4, 0x90, 0x80, 0x80], [0x80]])
            case 16: out += Array(pick([#"\x41"#, #"\'"#, #"\u12"#, #"\uZZZZ"#, "\\"]).utf8)
            default: out += Array(pick(["b", "status", "completed", "https://x.test/v.mp4?Expires=1"]).utf8)
            }
        }
        if below(30) != 0 { out.append(UInt8(ascii: "\"")) }
    }

    private mutating func unicodeEscape(_ scalar: Int) -> String {
        let hex = String(scalar, radix: 16)
        let padded = String(repeating: "0", count: 4 - hex.count) + hex
        return "\\u" + (below(2) == 0 ? padded : padded.uppercased())
    }

    private mutating func whitespace(into out: inout [UInt8]) {
        out += Array(pick(["", "", "", " ", "\n", "\t", "\r\n", "  "]).utf8)
    }

    /// Arrays and objects nested to around `maximumDepth`, closed properly or not.
    private mutating func deeplyNested() -> [UInt8] {
        let depth = maximumDepth - 3 + below(7)
        var out: [UInt8] = []
        var closers: [UInt8] = []
        for _ in 0..<depth {
            if below(3) == 0 {
                out += Array(#"{"k":"#.utf8)
                closers.append(UInt8(ascii: "}"))
            } else {
                out.append(UInt8(ascii: "["))
                closers.append(UInt8(ascii: "]"))
            }
        }
        out += Array(pick(["1", "\"deep\"", "[]", "{}"]).utf8)
        out += closers.reversed()
        if below(4) == 0 { out.removeLast() }
        return out
    }

    // MARK: - Mutations

    private mutating func mutate(_ bytes: inout [UInt8]) {
        switch below(8) {
        case 0: bytes.insert(contentsOf: [0xEF, 0xBB, 0xBF], at: 0)
        case 1: bytes += Array(pick(["x", " 1", "]", "}", ",", "\u{0}", "{}", " \n"]).utf8)
        case 2: if !bytes.isEmpty { bytes.removeLast(1 + below(bytes.count)) }
        case 3:
            let stray: [UInt8] = [
                0x00, 0x1F, 0x7F, 0x80, 0xC0, 0xC3, 0xED, 0xF5, 0xFF, 0x22, 0x5C, 0x2C, 0x3A, 0x5B, 0x5D, 0x7B, 0x7D,
                0x65, 0x2D, 0x30, 0x2E, 0x20,
            ]
            bytes.insert(pick(stray), at: below(bytes.count + 1))
        case 4: if !bytes.isEmpty { bytes.remove(at: below(bytes.count)) }
        case 5:
            // A comma before a closing bracket: `[1,]`.
            let closers = bytes.indices.filter { bytes[$0] == UInt8(ascii: "]") || bytes[$0] == UInt8(ascii: "}") }
            if !closers.isEmpty { bytes.insert(UInt8(ascii: ","), at: pick(closers)) }
        case 6: if !bytes.isEmpty { bytes[below(bytes.count)] = UInt8(below(256)) }
        default: bytes = Array(bytes.prefix(below(bytes.count + 1))) + bytes
        }
    }

    // MARK: - Randomness (SplitMix64)

    private mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in `0..<bound`.
    private mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }

    private mutating func pick<T>(_ choices: [T]) -> T { choices[below(choices.count)] }
}
