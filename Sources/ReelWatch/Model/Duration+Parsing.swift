import Foundation

extension Duration {
    /// Parses a duration written as a plain decimal number and a unit: `500ms`, `5s`, `2m`, `1h`, `1.5s`; a bare
    /// number is seconds.
    ///
    /// The whole text must be ASCII digits, optionally a `.` and more digits, then optionally one of the units
    /// `ms`, `s`, `m` or `h` (lower case), with nothing before, after or between them. Everything else is refused
    /// (nil), whatever a number parser would make of it: a sign (`-5s`, `+5s`), hexadecimal (`0x10s`), an
    /// exponent (`1e3s`), `inf` or `nan`, a bare `.` at either end (`.5s`, `5.s`), spaces (`5 s`, ` 5s`), digits
    /// of other scripts, upper-case units (`5S`) and the empty text. The value is rounded to the millisecond and
    /// must be under a billion seconds (about 31 years).
    public init?(parsing text: String) {
        let bytes = Array(text.utf8)
        var number = bytes[...]
        var scale = 1.0
        // `ms` before `m` and `s`, which it ends with or starts with.
        for (unit, seconds) in [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        where bytes.count > unit.utf8.count && bytes.suffix(unit.utf8.count).elementsEqual(unit.utf8) {
            number = bytes.dropLast(unit.utf8.count)
            scale = seconds
            break
        }
        let parts = number.split(separator: UInt8(ascii: "."), maxSplits: 1, omittingEmptySubsequences: false)
        let isDigit = { (byte: UInt8) in (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }
        guard parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(isDigit) }),
            let value = Double(String(decoding: number, as: UTF8.self)), value * scale < 1e9
        else { return nil }
        self = .milliseconds(Int64((value * scale * 1000).rounded()))
    }
}

extension Duration {
    /// The duration the way flags write it: `250ms`, `5s`, `1.5s`, `2m`, `2m 30s`, `1h 5m`.
    public var shortDescription: String {
        let ms = milliseconds
        if ms < 1000 { return "\(ms)ms" }
        if ms < 60_000 {
            return ms % 1000 == 0 ? "\(ms / 1000)s" : String(format: "%.1fs", Double(ms) / 1000)
        }
        let seconds = ms / 1000
        if seconds < 3600 { return seconds % 60 == 0 ? "\(seconds / 60)m" : "\(seconds / 60)m \(seconds % 60)s" }
        return seconds % 3600 / 60 == 0 ? "\(seconds / 3600)h" : "\(seconds / 3600)h \(seconds % 3600 / 60)m"
    }
}
