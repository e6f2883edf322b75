import Foundation
import Testing

@testable import ReelWatch

/// An ID is its text: one a provider sends as a JSON number keeps every digit.
@Suite("Numeric IDs")
struct NumericIDTests {
    @Test("a list entry whose ID is a number beyond 2^53 is tracked by its digits, never as a float")
    func listedNumber() throws {
        let body = try JSONValue.parse(
            Array(
                """
                {"data": [{"id": 12345678901234567890123, "status": "processing"},
                          {"id": 9007199254740993, "status": "completed"},
                          {"id": -12345678901234567890, "status": "completed"},
                          {"id": 42, "status": "pending"}], "has_more": false}
                """.utf8))
        let page = try HeyGenV3Provider().listPage(from: body, httpStatus: 200)
        #expect(
            page.renders.map(\.ref.description) == [
                "heygen:12345678901234567890123", "heygen:9007199254740993", "heygen:-12345678901234567890",
                "heygen:42",
            ])
    }

    @Test("a large integer keeps its digits through parsing and writing; its value is still a number")
    func roundTrip() throws {
        let value = try JSONValue.parse(
            Array(#"{"n": 12345678901234567890123, "f": 1.5e300, "i": 9007199254740991}"#.utf8))
        #expect(value["n"] == .largeInteger("12345678901234567890123"))
        #expect(value["n"]?.text == "12345678901234567890123")
        #expect(value["n"]?.number == 1.2345678901234568e22)
        #expect(value["i"] == .number(9_007_199_254_740_991))
        #expect(value["f"] == .number(1.5e300))
        #expect(String(decoding: value.serialized(), as: UTF8.self).contains(#""n":12345678901234567890123"#))
        // Through Codable too (JSONEncoder), every digit.
        let encoded = try JSONEncoder().encode(JSONValue.largeInteger("12345678901234567890123"))
        #expect(String(decoding: encoded, as: UTF8.self) == "12345678901234567890123")
    }
}
