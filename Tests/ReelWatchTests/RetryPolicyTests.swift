import Foundation
import HTTPTypes
import Testing

@testable import ReelWatch

@Suite("Retry policy and messages")
struct RetryPolicyTests {
    let policy = RetryPolicy(maxRetries: 6, baseDelay: .milliseconds(500), maxDelay: .seconds(4))

    @Test("backoff caps double from the base and stop at the maximum")
    func caps() {
        #expect(
            (1...6).map(policy.cap(beforeRetry:)) == [
                .milliseconds(500), .seconds(1), .seconds(2), .seconds(4), .seconds(4), .seconds(4),
            ])
    }

    @Test("full jitter stays within 0...cap")
    func jitter() {
        for retry in 1...6 {
            #expect(policy.delay(beforeRetry: retry, retryAfter: nil, unitRandom: 0) == .zero)
            #expect(policy.delay(beforeRetry: retry, retryAfter: nil, unitRandom: 1) == policy.cap(beforeRetry: retry))
            let half = policy.delay(beforeRetry: retry, retryAfter: nil, unitRandom: 0.5)
            #expect(half == policy.cap(beforeRetry: retry) / 2)
        }
    }

    @Test("Retry-After raises the delay to at least what the server asked")
    func retryAfter() {
        #expect(policy.delay(beforeRetry: 1, retryAfter: .seconds(3), unitRandom: 0.9) == .seconds(3))
        #expect(policy.delay(beforeRetry: 4, retryAfter: .milliseconds(100), unitRandom: 1) == .seconds(4))
    }

    @Test("Retry-After as seconds or as an HTTP date")
    func parseRetryAfter() {
        let now = Fixture.date(1_759_307_076)  // Wed, 01 Oct 2025 08:24:36 GMT
        #expect(RetryPolicy.parseRetryAfter("7", now: now) == .seconds(7))
        #expect(RetryPolicy.parseRetryAfter(" 1.5 ", now: now) == .milliseconds(1500))
        #expect(RetryPolicy.parseRetryAfter("Wed, 01 Oct 2025 08:25:36 GMT", now: now) == .seconds(60))
        #expect(RetryPolicy.parseRetryAfter("Wed, 01 Oct 2025 08:20:00 GMT", now: now) == .zero)
        #expect(RetryPolicy.parseRetryAfter("soon", now: now) == nil)
        // HTTP dates are read field by field: a combining mark (which crashed Foundation's DateFormatter), a
        // month or a field out of place is no date.
        #expect(RetryPolicy.parseRetryAfter("We\u{31C}841 Oct 2015 07:28:00 GMT", now: now) == nil)
        #expect(RetryPolicy.parseRetryAfter("Wed, 01 Okt 2025 08:25:36 GMT", now: now) == nil)
        #expect(RetryPolicy.parseRetryAfter("Wed, 01 Oct 2025 24:25:36 GMT", now: now) == nil)
        #expect(RetryPolicy.parseRetryAfter("Wed, 01 Oct 2025 08:25:36 UTC", now: now) == nil)
        #expect(RetryPolicy.parseRetryAfter("Thu, 29 Feb 2024 00:00:00 GMT", now: Fixture.date(1_709_164_800)) == .zero)
        #expect(
            RetryPolicy.parseRetryAfter("Thu, 01 Jan 2026 00:01:00 GMT", now: Fixture.date(1_767_225_600))
                == .seconds(60))
        #expect(RetryPolicy.parseRetryAfter("-3", now: now) == nil)
    }

    @Test("durations as flags write them")
    func durations() {
        #expect(Duration(parsing: "500ms") == .milliseconds(500))
        #expect(Duration(parsing: "5s") == .seconds(5))
        #expect(Duration(parsing: "2m") == .seconds(120))
        #expect(Duration(parsing: "1h") == .seconds(3600))
        #expect(Duration(parsing: "1.5s") == .milliseconds(1500))
        #expect(Duration(parsing: "30") == .seconds(30))
        #expect(Duration(parsing: "0.25m") == .seconds(15))
        #expect(Duration(parsing: "007s") == .seconds(7))
        #expect(Duration(parsing: "1.0004s") == .seconds(1))
        #expect(Duration(parsing: "0s") == .zero)
        #expect(Duration(parsing: "999999999s") == .seconds(999_999_999))
    }

    @Test(
        "durations: only plain decimal numbers with ms, s, m or h; signs, hex, exponents, spaces and the rest refused",
        arguments: [
            "", "s", "ms", "-1s", "-5s", "+5s", "5x", "1e400s", "1e3s", "1E3", "ms5", "0x10s", "0x10", "0X1As", "inf",
            "infs", "nan", "nans", "5 s", " 5s", "5s ", "\t5s", "5\ns", ".5s", "5.s", "5..0s", "1.2.3s", "5S", "5MS",
            "5sec", "5ss", "1,5s", "١٠s", "５s", "1_000s", "1000000000s", "16666667m", "5s5", "5m30s", "--5s",
        ]
    )
    func durationsRefused(text: String) {
        #expect(Duration(parsing: text) == nil)
    }

    @Test("body excerpts drop secrets and signed URL queries, and say what the body looked like")
    func excerpts() {
        let html = BodyExcerpt.describe(
            Array("<html>\n<title>502</title>  key sk-123 </html>".utf8), secrets: ["sk-123"])
        #expect(html == #"an HTML page, not JSON: "<html> <title>502</title> key <redacted> </html>""#)
        let json = BodyExcerpt.describe(
            Array(#"{"url": "https://cdn.test/v.mp4?Expires=1&Signature=abc", "x"#.utf8), secrets: [])
        #expect(json == #"malformed or truncated JSON: "{"url": "https://cdn.test/v.mp4?…", "x""#)
        #expect(BodyExcerpt.describe([], secrets: []) == "an empty body")
        let long = BodyExcerpt.describe(Array(String(repeating: "a", count: 500).utf8), secrets: [], limit: 10)
        #expect(long == #"text, not JSON: "aaaaaaaaaa…""#)
    }

    @Test("API keys never print")
    func apiKeyRedacted() throws {
        let key = try #require(APIKey(" sk-secret\n"))
        #expect(key.secret == "sk-secret")
        #expect("\(key)" == "<redacted>")
        #expect(String(reflecting: key) == "APIKey(<redacted>)")
        #expect(APIKey("") == nil)
        #expect(APIKey("a\u{0}b") == nil)
    }

    @Test("base URLs keep their path prefix and refuse anything but http(s)")
    func baseURLs() throws {
        let url = try #require(BaseURL("https://gw.example.com/proxy/hera/v1/"))
        #expect(url.pathPrefix == "/proxy/hera/v1")
        #expect(url.request(path: "/videos/x").path == "/proxy/hera/v1/videos/x")
        #expect(BaseURL("http://127.0.0.1:8080")?.authority == "127.0.0.1:8080")
        for bad in ["ftp://x.test", "api.heygen.com", "https://", "https://u:p@x.test", "https://x.test/?q=1"] {
            #expect(BaseURL(bad) == nil, "\(bad)")
        }
        let error = try #require(throws: ReelWatchError.self) {
            try Configuration(environment: ["REELWATCH_HERA_URL": "file:///etc"])
        }
        #expect(error.code == .invalidConfiguration)
        #expect(error.message.contains("REELWATCH_HERA_URL"))
    }
}

@Suite("Duration text")
struct DurationTextTests {
    @Test("durations print the way flags write them")
    func short() {
        #expect(Duration.milliseconds(250).shortDescription == "250ms")
        #expect(Duration.seconds(5).shortDescription == "5s")
        #expect(Duration.milliseconds(1500).shortDescription == "1.5s")
        #expect(Duration.seconds(120).shortDescription == "2m")
        #expect(Duration.seconds(150).shortDescription == "2m 30s")
        #expect(Duration.seconds(3900).shortDescription == "1h 5m")
        #expect(Duration.seconds(7200).shortDescription == "2h")
    }
}
