import Foundation
import ReelWatch
import Testing

/// `JSONValue.parse` reads bytes itself (strict RFC 8259): the same values as `JSONDecoder`, the same refusals.
@Suite("JSON parser")
struct JSONParserTests {
    static let fixtures = [
        "seed-hera-404.json", "seed-hera-failed.json", "seed-hera-in-progress.json", "seed-hera-partial.json",
        "seed-hera-success.json", "seed-translate-failed.json", "seed-translate-pending.json",
        "seed-translate-running.json", "seed-translate-success.json", "seed-v1-completed.json",
        "seed-v1-failed.json", "seed-v1-legacy-completed.json", "seed-v1-legacy-failed.json",
        "seed-v1-pending.json", "seed-v1-processing.json", "seed-v1-waiting.json", "seed-v3-completed.json",
        "seed-v3-error.json", "seed-v3-failed.json",
    ]

    @Test("every seed answer parses to what JSONDecoder makes of it", arguments: fixtures)
    func sameAsFoundation(name: String) throws {
        let bytes = try Fixture.bytes(name)
        let foundation = try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
        #expect(try JSONValue.parse(bytes) == foundation)
    }

    @Test("scalars, nesting, escapes, surrogate pairs and whitespace")
    func values() throws {
        let text =
            #" { "a" : [1, -2.5e3, 0, true, false, null, "x\"\\\/\b\f\n\r\t\u00e9\ud83c\udfac\ud800"], "b": {} , "c": [] } "#
        let value = try JSONValue.parse(Array(text.utf8))
        #expect(
            value
                == .object([
                    "a": .array([
                        .number(1), .number(-2500), .number(0), .bool(true), .bool(false), .null,
                        .string("x\"\\/\u{8}\u{c}\n\r\té🎬\u{FFFD}"),
                    ]),
                    "b": .object([:]), "c": .array([]),
                ]))
        #expect(try JSONValue.parse(Array("\"caf\u{e9}\"".utf8)) == .string("café"))
        #expect(try JSONValue.parse(Array(#"{"k":1,"k":2}"#.utf8)) == .object(["k": .number(2)]))
    }

    @Test(
        "what is not JSON is refused",
        arguments: [
            "", " ", "{", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "01", "1.", "-", "1e", ".5", "+1", "tru",
            "nul", "\"open", "\"tab\there\"", "\"bad \\x escape\"", "\"\\u12\"", "[1] 2", "{} {}", "1e999",
            "[" + String(repeating: "[", count: 600) + String(repeating: "]", count: 601),
        ]
    )
    func refusals(text: String) {
        #expect(throws: (any Error).self) { try JSONValue.parse(Array(text.utf8)) }
    }

    @Test("the translate seed's verbatim failed answer (a missing comma) is refused, as JSONDecoder refuses it")
    func verbatimSeed() throws {
        let bytes = try Fixture.bytes("seed-translate-failed-verbatim.txt")
        #expect(throws: (any Error).self) { try JSONDecoder().decode(JSONValue.self, from: Data(bytes)) }
        #expect(throws: (any Error).self) { try JSONValue.parse(bytes) }
    }

    @Test("serialized text reads back as the same value, and matches JSONEncoder's sorted output", arguments: fixtures)
    func serializeRoundTrip(name: String) throws {
        let value = try JSONValue.parse(try Fixture.bytes(name))
        #expect(try JSONValue.parse(value.serialized()) == value)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        #expect(try JSONDecoder().decode(JSONValue.self, from: encoder.encode(value)) == value)
    }

    @Test("serialization escapes what JSON requires and nothing else")
    func serializeEscapes() {
        let value = JSONValue.object([
            "b": .array([.number(1), .number(2.5), .number(-3), .null, .bool(true), .number(.infinity)]),
            "a": .string("q\"b\\s/n\nt\tc\u{1}é🎬"),
        ])
        #expect(
            String(decoding: value.serialized(), as: UTF8.self)
                == #"{"a":"q\"b\\s/n\nt\tc\u0001é🎬","b":[1,2.5,-3,null,true,null]}"#)
    }

    @Test("deep but allowed nesting parses")
    func deepNesting() throws {
        let text = String(repeating: "[", count: 500) + String(repeating: "]", count: 500)
        var value = try JSONValue.parse(Array(text.utf8))
        var depth = 0
        while case .array(let elements) = value, let first = elements.first {
            value = first
            depth += 1
        }
        #expect(depth == 499)
    }
}
