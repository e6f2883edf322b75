import Foundation

// Foundation's string methods bridge to `NSString` on Linux: trimming, searching or replacing costs 5,000 to 15,000
// instructions a call even when there is nothing to do, and every field of every status answer goes through them
// (measured in the README's "Profile" of the track benchmark). These return what Foundation would, doing the work
// only when there is some: each decides from the bytes alone when the answer is certain, and asks Foundation
// otherwise.

extension String {
    /// `trimmingCharacters(in: .whitespaces)`, without Foundation's cost when neither end is whitespace.
    func trimmingWhitespace() -> String {
        trimming(.whitespaces) { $0 == 0x20 || $0 == 0x09 }
    }

    /// `trimmingCharacters(in: .whitespacesAndNewlines)`, without Foundation's cost when neither end is whitespace
    /// or a newline.
    func trimmingWhitespaceAndNewlines() -> String {
        trimming(.whitespacesAndNewlines) { $0 == 0x20 || (0x09...0x0D).contains($0) }
    }

    /// The set's ASCII members are those `inSet` accepts (whitespace: space and tab; with newlines, also LF, VT, FF
    /// and CR); when the first and the last byte are ASCII and not members, nothing is trimmed.
    private func trimming(_ set: CharacterSet, asciiMember inSet: (UInt8) -> Bool) -> String {
        guard let first = utf8.first, let last = utf8.last else { return self }
        if first < 0x80, last < 0x80, !inSet(first), !inSet(last) { return self }
        return trimmingCharacters(in: set)
    }

    /// `replacingOccurrences(of: String(target), with: replacement)` for an ASCII punctuation `target` (one no
    /// other character is canonically equivalent to, such as `-` or `_`): the text itself when the byte is absent.
    func replacingOccurrences(ofASCII target: Unicode.Scalar, with replacement: String) -> String {
        guard utf8.contains(UInt8(ascii: target)) else { return self }
        return replacingOccurrences(of: String(target), with: replacement)
    }

    /// Whether every byte is ASCII.
    var isAllASCII: Bool { utf8.allSatisfy { $0 < 0x80 } }

    /// `contains(other)` as Foundation searches (canonical equivalence: `\u{212A}`, the Kelvin sign, contains `K`),
    /// searching the bytes when both texts are ASCII, where equivalence is equality.
    func containsEquivalent(_ other: String) -> Bool {
        guard isAllASCII, other.isAllASCII, !other.isEmpty else { return contains(other) }
        var text = self
        var other = other
        return text.withUTF8 { text in
            other.withUTF8 { other in
                guard other.count <= text.count else { return false }
                for start in 0...(text.count - other.count) where text[start] == other[0] {
                    if UnsafeBufferPointer(rebasing: text[start..<start + other.count]).elementsEqual(other) {
                        return true
                    }
                }
                return false
            }
        }
    }
}
