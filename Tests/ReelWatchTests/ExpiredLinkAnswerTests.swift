import Testing

@testable import ReelWatch

/// What a refused file link's answer says: S3's and CloudFront's error documents, XML or JSON, in any order.
@Suite("Expired link answer")
struct ExpiredLinkAnswerTests {
    static func answer(_ text: String) -> ExpiredLinkAnswer { ExpiredLinkAnswer(body: Array(text.utf8)) }

    /// S3's answer to a presigned URL past its time: the declaration alone fills an 80-character excerpt.
    static let s3 = """
        <?xml version="1.0" encoding="UTF-8"?>
        <Error><Code>AccessDenied</Code><Message>Request has expired</Message><X-Amz-Expires>3600</X-Amz-Expires>\
        <Expires>2026-12-07T10:00:00Z</Expires><ServerTime>2026-12-07T11:00:00Z</ServerTime>\
        <RequestId>X1</RequestId><HostId>aG9zdA==</HostId></Error>
        """

    @Test(
        "expiry answers are recognised by code or message, XML or JSON, in any position",
        arguments: [
            s3,
            // The message before the code, after other elements, with a long preamble.
            "<?xml version=\"1.0\"?>\n<!-- \(String(repeating: "x", count: 300)) -->\n<Error><RequestId>1</RequestId>"
                + "<Message>Request has expired</Message><Code>AccessDenied</Code></Error>",
            // CloudFront's expired policy, and an expired token.
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>AccessDenied</Code>"
                + "<Message>Access denied: Policy has expired</Message></Error>",
            "<Error><Code>ExpiredToken</Code><Message>The provided token has expired.</Message></Error>",
            "<error><code>ExpiredToken</code></error>",
            "<Error><Code>TokenRefreshRequired</Code><Message>The provided token must be refreshed.</Message></Error>",
            // JSON, top level or under "error", keys in any case and order.
            #"{"RequestId":"1","Message":"Request has expired","Code":"AccessDenied"}"#,
            #"{"error":{"message":"Policy has expired","code":"AccessDenied"}}"#,
            #"{"Error":{"Code":"ExpiredToken"}}"#,
            #"{"error":"Request has expired"}"#,
            // No document at all: the word anywhere in what is read.
            "Forbidden. This link expired yesterday.",
        ]
    )
    func expired(body: String) {
        #expect(Self.answer(body).saysExpired, "\(body)")
    }

    @Test(
        "refusals that do not say the link expired are not taken for expiry",
        arguments: [
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>AccessDenied</Code>"
                + "<Message>Access denied</Message></Error>",
            // `Expires` is the link's expiry field, not a statement that it has passed.
            "<Error><Code>AccessDenied</Code><Message>Access Denied</Message><Expires>2026-12-07</Expires></Error>",
            #"{"Code":"AccessDenied","Message":"Access Denied"}"#,
            "<html><body><h1>403 Forbidden</h1></body></html>",
            "",
        ]
    )
    func notExpired(body: String) {
        #expect(!Self.answer(body).saysExpired, "\(body)")
    }

    @Test("the code and message are read past the declaration; the summary carries no control characters")
    func summary() {
        let s3 = Self.answer(Self.s3)
        #expect(s3.code == "AccessDenied")
        #expect(s3.message == "Request has expired")
        #expect(s3.summary == "AccessDenied: Request has expired")
        let hostile = Self.answer(
            "<Error><Code>Denied\u{1b}[31m</Code><Message>see https://x.test/a?sig=SECRET</Message>")
        #expect(hostile.summary == "Denied\\u{1B}[31m: see https://x.test/a?…")
        #expect(Self.answer("<html>403</html>").summary == nil)
    }

    @Test("only the first 8 KiB are read: an expiry said after them is not seen")
    func bounded() {
        let padding = String(repeating: " ", count: ExpiredLinkAnswer.readLimit)
        #expect(!Self.answer(padding + "<Error><Message>Request has expired</Message></Error>").saysExpired)
        #expect(Self.answer("<Error><Message>Request has expired</Message></Error>" + padding).saysExpired)
    }
}
