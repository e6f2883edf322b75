import Testing

@testable import ReelWatchMCP

/// The framing of `reelwatch mcp`'s stdin: lines split wherever the chunks end, the limit inclusive, an over-long
/// line reported once and skipped to its newline.
@Suite("MCP line framing")
struct LineFramerTests {
    /// Feeds `text` in chunks of `size` bytes and returns what came out.
    static func events(_ text: String, limit: Int, chunk size: Int) -> [LineFramer.Event] {
        var framer = LineFramer(limit: limit)
        var events: [LineFramer.Event] = []
        let bytes = Array(text.utf8)
        var start = 0
        while start < bytes.count {
            let end = min(start + size, bytes.count)
            bytes[start..<end].withUnsafeBytes { framer.feed($0) { events.append($0) } }
            start = end
        }
        return events
    }

    static func line(_ text: String) -> LineFramer.Event { .line(Array(text.utf8)) }

    @Test(
        "lines come out whole whatever the chunk size; empty lines and an unterminated tail do not",
        arguments: [1, 2, 3, 7, 64])
    func chunks(size: Int) {
        let events = Self.events("one\ntwo\n\nthree\npartial", limit: 100, chunk: size)
        #expect(events == [Self.line("one"), Self.line("two"), Self.line("three")])
    }

    @Test(
        "a line of exactly the limit passes; one byte more is reported once, skipped to its newline",
        arguments: [1, 4, 100])
    func limit(size: Int) {
        let events = Self.events("12345\n123456789\nok\n123456\n", limit: 5, chunk: size)
        #expect(events == [Self.line("12345"), .tooLong, Self.line("ok"), .tooLong])
    }

    @Test("a long line in one chunk and across many: the same lines, each byte looked at once")
    func longLine() {
        let long = String(repeating: "x", count: 1 << 20)
        let text = long + "\n{}\n"
        for size in [1 << 12, 1 << 18, text.utf8.count] {
            let events = Self.events(text, limit: 4 << 20, chunk: size)
            #expect(events == [Self.line(long), Self.line("{}")])
        }
    }
}
