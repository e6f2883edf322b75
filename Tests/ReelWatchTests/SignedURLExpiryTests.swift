import Foundation
import ReelWatch
import Testing

@Suite("Signed URL expiry")
struct SignedURLExpiryTests {
    @Test("CloudFront Expires=")
    func cloudFront() {
        let url = "https://files2.heygen.ai/a/b.mp4?Expires=1759918068&Signature=Rj6-QTD5~x__&Key-Pair-Id=K38"
        #expect(SignedURLExpiry.expiry(of: url) == Fixture.date(1_759_918_068))
    }

    @Test("S3 SigV4 X-Amz-Date + X-Amz-Expires, any case")
    func s3V4() {
        let url =
            "https://b.s3.amazonaws.com/k.mp4?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=20251001T082436Z&X-Amz-Expires=3600&X-Amz-Signature=ab"
        #expect(SignedURLExpiry.expiry(of: url) == Fixture.date(1_759_307_076 + 3600))
        let lower = "https://b.test/k?x-amz-date=20251001T082436Z&x-amz-expires=60"
        #expect(SignedURLExpiry.expiry(of: lower) == Fixture.date(1_759_307_076 + 60))
    }

    @Test("Google X-Goog-Date + X-Goog-Expires")
    func google() {
        let url =
            "https://storage.googleapis.com/b/k?X-Goog-Date=20251001T082436Z&X-Goog-Expires=900&X-Goog-Signature=1"
        #expect(SignedURLExpiry.expiry(of: url) == Fixture.date(1_759_307_076 + 900))
    }

    @Test("CloudFront custom policy")
    func policy() throws {
        let json =
            #"{"Statement":[{"Resource":"https://d.test/*","Condition":{"DateLessThan":{"AWS:EpochTime":1759918068}}}]}"#
        let policy = Data(json.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "=", with: "_")
            .replacingOccurrences(of: "/", with: "~")
        #expect(
            SignedURLExpiry.expiry(of: "https://d.test/v.mp4?Policy=\(policy)&Signature=s")
                == Fixture.date(1_759_918_068))
    }

    @Test(
        "links that do not say have no expiry",
        arguments: [
            "https://files.heygen.ai/video/abc123.mp4", "https://x.test/v.mp4?X-Amz-Date=garbage&X-Amz-Expires=60",
            "https://x.test/v.mp4?Expires=soon", "not a url at all",
            "https://x.test/v.mp4?X-Amz-Date=20251301T000000Z&X-Amz-Expires=1",
        ]
    )
    func none(url: String) {
        #expect(SignedURLExpiry.expiry(of: url) == nil)
    }
}
