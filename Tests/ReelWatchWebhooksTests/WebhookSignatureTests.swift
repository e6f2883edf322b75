import Foundation
import ReelWatch
import ReelWatchWebhooks
import Testing

/// HeyGen's signature check: the hex HMAC-SHA256 of the raw body under any configured secret.
@Suite("WebhookSignature")
struct WebhookSignatureTests {
    static let body = Array(#"{"event_type":"avatar_video.success","event_data":{"video_id":"v1"}}"#.utf8)
    static let secret = "whsec_current"
    static let oldSecret = "whsec_previous"

    @Test("the signature of the body under the secret is valid, in either case; the same for another body is not")
    func rightAndWrong() throws {
        let signature = try WebhookSignature(secrets: [Self.secret])
        let signed = WebhookSignature.sign(Self.body, secret: Self.secret)
        #expect(signed.count == 64)
        #expect(signed == signed.lowercased())
        #expect(signature.isValid(signed, for: Self.body))
        #expect(signature.isValid(signed.uppercased(), for: Self.body))
        #expect(!signature.isValid(signed, for: Self.body + [0x20]))
        var flipped = Array(signed.utf8)
        flipped[63] = flipped[63] == UInt8(ascii: "0") ? UInt8(ascii: "1") : UInt8(ascii: "0")
        #expect(!signature.isValid(String(decoding: flipped, as: UTF8.self), for: Self.body))
    }

    @Test("a signature made with another secret is refused")
    func otherSecret() throws {
        let signature = try WebhookSignature(secrets: [Self.secret])
        #expect(!signature.isValid(WebhookSignature.sign(Self.body, secret: "whsec_other"), for: Self.body))
    }

    @Test("rotation: with the old and the new secret configured, both sign validly; a third does not")
    func rotation() throws {
        let signature = try WebhookSignature(
            environment: [WebhookSignature.environmentVariable: " \(Self.oldSecret) , \(Self.secret) "])
        #expect(signature.secretCount == 2)
        #expect(signature.isValid(WebhookSignature.sign(Self.body, secret: Self.oldSecret), for: Self.body))
        #expect(signature.isValid(WebhookSignature.sign(Self.body, secret: Self.secret), for: Self.body))
        #expect(!signature.isValid(WebhookSignature.sign(Self.body, secret: "whsec_third"), for: Self.body))
    }

    @Test("a signature of the wrong length, or with a character that is not hex, is refused")
    func malformed() throws {
        let signature = try WebhookSignature(secrets: [Self.secret])
        let signed = WebhookSignature.sign(Self.body, secret: Self.secret)
        #expect(!signature.isValid("", for: Self.body))
        #expect(!signature.isValid(String(signed.dropLast()), for: Self.body))
        #expect(!signature.isValid(signed + "0", for: Self.body))
        #expect(!signature.isValid("sha256=" + signed, for: Self.body))
        // Same length, one digit replaced by a letter beyond f (g is 0x67: ASCII arithmetic must not read it as 0).
        for bad in ["g", "G", "/", ":", "@", "`", " ", "\u{0}"] {
            let forged = bad + signed.dropFirst()
            #expect(!signature.isValid(forged, for: Self.body), "\(bad.unicodeScalars.first!.value)")
        }
        // Non-ASCII of the right byte length.
        #expect(!signature.isValid("é" + signed.dropFirst(2), for: Self.body))
    }

    @Test("secrets never show: not in the description, not in an error")
    func secretsStayHidden() throws {
        let signature = try WebhookSignature(secrets: [Self.secret, Self.oldSecret])
        #expect(!"\(signature)".contains("whsec"))
        #expect(!String(reflecting: signature).contains("whsec"))
        #expect("\(signature)" == "WebhookSignature(2 secrets)")
        #expect {
            try WebhookSignature(environment: [:])
        } throws: { ($0 as? ReelWatchError)?.code == .invalidConfiguration }
        #expect {
            try WebhookSignature(environment: [WebhookSignature.environmentVariable: " , "])
        } throws: { ($0 as? ReelWatchError)?.message == "REELWATCH_WEBHOOK_SECRET: no webhook secret is given" }
        #expect {
            try WebhookSignature(secrets: ["whsec_\u{7}bell"])
        } throws: { error in
            let error = error as? ReelWatchError
            return error?.code == .invalidConfiguration && error?.message.contains("whsec") == false
        }
    }
}
