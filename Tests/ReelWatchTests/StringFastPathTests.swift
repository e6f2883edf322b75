import Foundation
import Testing

@testable import ReelWatch

/// The byte-level fast paths that skip Foundation's `NSString` bridging return what Foundation (or the Character
/// rules they stand in for) return, on texts built to hit each edge: every ASCII byte at either end, Unicode
/// whitespace and newlines, combining marks, a character canonically equivalent to an ASCII letter.
@Suite("String fast paths")
struct StringFastPathTests {
    /// Characters at the edges of what the fast paths decide alone.
    static let edges: [String] =
        (0..<128).map { String(UnicodeScalar(UInt8($0))) } + [
            "\u{A0}", "\u{85}", "\u{1680}", "\u{2000}", "\u{200A}", "\u{200B}", "\u{2028}", "\u{2029}", "\u{202F}",
            "\u{3000}", "\u{FEFF}", "\u{301}", "\u{212A}", "é", "e\u{301}", "\r\n", "😀", "",
        ]

    /// Short texts: each edge alone, around a word, and doubled.
    static var texts: [String] {
        edges.flatMap { edge in [edge, edge + "ok" + edge, edge + "a b", "a_b-c" + edge, edge + edge] } + [
            "", "completed", " completed ", "not_found", "NOT-FOUND", "in_progress", "a\u{301}_b", "_\u{301}x",
        ]
    }

    @Test("trimming whitespace, with and without newlines, as Foundation trims")
    func trimming() {
        for text in Self.texts {
            #expect(text.trimmingWhitespace() == text.trimmingCharacters(in: .whitespaces), "\(Array(text.utf8))")
            #expect(
                text.trimmingWhitespaceAndNewlines() == text.trimmingCharacters(in: .whitespacesAndNewlines),
                "\(Array(text.utf8))")
        }
    }

    @Test("replacing - and _ as Foundation replaces")
    func replacing() {
        for text in Self.texts {
            #expect(
                text.replacingOccurrences(ofASCII: "_", with: "-") == text.replacingOccurrences(of: "_", with: "-"))
            #expect(
                text.replacingOccurrences(ofASCII: "-", with: "_") == text.replacingOccurrences(of: "-", with: "_"))
        }
    }

    @Test("searching for a secret as Foundation searches")
    func containing() {
        let secrets = ["sk_live_0123456789", "K2345678", "abcdef", "0123456789", "é23456", "e\u{301}23456"]
        var random = SystemRandomNumberGenerator()
        var texts = Self.texts
        for secret in secrets {
            texts += [
                secret, "x" + secret, secret + "y", "key=\(secret)&a=b", String(secret.dropLast()),
                String(secret.dropFirst()), secret.uppercased(), secret.replacingOccurrences(of: "K", with: "\u{212A}"),
                secret + "\u{301}", "\u{301}" + secret,
            ]
            // Near misses: the secret with one byte changed somewhere in a longer text.
            for _ in 0..<20 {
                var bytes = Array(("https://files.test/v.mp4?Policy=" + secret + "&Signature=abc").utf8)
                let index = Int.random(in: 0..<bytes.count, using: &random)
                bytes[index] = UInt8.random(in: 0x21...0x7E, using: &random)
                texts.append(String(decoding: bytes, as: UTF8.self))
            }
        }
        for text in texts {
            for secret in secrets {
                #expect(text.containsEquivalent(secret) == text.contains(secret), "\(text) ∋ \(secret)")
            }
        }
    }

    @Test("the extension of an ASCII link, read byte by byte as the Character rules read it")
    func pathExtensions() {
        var urls = [
            "https://files.test/a/b.mp4?Expires=1&Signature=x", "https://x.test/a.MP4", "https://x.test/a.mp4/",
            "https://x.test/a.mp4//", "https://x.test/.mp4", "https://x.test/a.", "https://x.test/a", "https://x.test/",
            "", "/", "//", "a.b.c", "https://x.test/v.webm#t=1", "https://x.test/v.mp4#a?b", "https://x.test/v?x=a.mp4",
            "https://x.test/v.abcdef", "https://x.test/v.abcde", "https://x.test/v.a-b", "https://x.test/v.a\r\nb",
            "https://x.test/v.\r\n", "https://x.test/v.mp4\r\n", "https://x.test/a.b/c", "https://x.test/a.b/c.",
        ]
        // Random links from the characters that matter, each tried both ways.
        let alphabet = Array("ab.Z9/?#-_\r\n%")
        var random = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let length = Int.random(in: 0..<16, using: &random)
            urls.append(String((0..<length).map { _ in alphabet.randomElement(using: &random)! }))
        }
        for url in urls {
            #expect(Asset.asciiPathExtension(of: url) == Asset.characterPathExtension(of: url), "\(Array(url.utf8))")
        }
    }

    @Test("a signed link's percent-encoded parameters are still decoded")
    func percentEncodedExpiry() {
        let plain = "https://files.test/a.mp4?Expires=1759918068&Signature=abc"
        let encoded = "https://files.test/a.mp4?Expires=%31%37%35%39918068&Signature=abc"
        #expect(SignedURLExpiry.expiry(of: plain) == Date(timeIntervalSince1970: 1_759_918_068))
        #expect(SignedURLExpiry.expiry(of: encoded) == SignedURLExpiry.expiry(of: plain))
    }
}
