import AsyncHTTPClient
import Foundation
import HTTPTypes
import Logging
import ReelWatch
import ReelWatchDaemon
import ReelWatchSimulator
import ReelWatchTerminal
import ReelWatchTestSupport
import ReelWatchTesting
import Testing

/// A provider, a proxy or a shared directory that does whatever it likes: reelwatch never writes outside its
/// own files, never sends a key to another host, never crashes and never hangs. Over real loopback HTTP.
@Suite("Hostile provider")
struct HostileProviderTests {
    static let key = "sekrit-key-1234567890"
    static let ref = JobRef(api: .v3, id: "vid_1")

    static func client(
        _ base: String, retries: Int = 0, requestTimeout: Duration = .seconds(10),
        logger: Logger = SimulatorHarness.quiet
    ) -> StatusClient {
        StatusClient(
            configuration: Configuration(
                heygenBaseURL: BaseURL(base)!, heraBaseURL: BaseURL(base + "/hera")!,
                heygenAPIKey: APIKey(key), heraAPIKey: APIKey("other-secret-987654321")),
            retryPolicy: RetryPolicy(maxRetries: retries, baseDelay: .milliseconds(5), maxDelay: .milliseconds(10)),
            requestTimeout: requestTimeout,
            clock: ContinuousClock(),
            random: { 0.5 },
            wallClock: { SimulatorHarness.epoch },
            logger: logger
        )
    }

    static func status(_ data: String) -> HostileServer.Answer {
        .json(#"{"code": 100, "data": {\#(data)}}"#)
    }

    static func snapshot(
        _ answer: HostileServer.Answer, retries: Int = 0
    ) async throws -> Result<
        JobSnapshot, ReelWatchError
    > {
        try await HostileServer { _ in answer }.run { base in
            await client(base, retries: retries).result(of: ref)
        }
    }

    // MARK: Numbers out of range are absent, never a trap

    @Test("durations, timestamps and link expiries of 1e300 are treated as absent")
    func hugeNumbers() async throws {
        let link = "https://cdn.example/v.mp4?Expires=1e300&Signature=x"
        let amz = "https://s3.example/t.jpg?X-Amz-Date=20251001T082436Z&X-Amz-Expires=1e300"
        let answer = Self.status(
            #""id": "vid_1", "status": "completed", "duration": 1e300, "created_at": 1e300, "completed_at": -1e300, "video_url": "\#(link)", "thumbnail_url": "\#(amz)""#
        )
        let log = LogCapture()
        let snapshot = try await HostileServer { _ in answer }.run { base in
            try await Self.client(base, logger: log.logger).snapshot(of: Self.ref)
        }
        // Each refused number is logged once, as a warning naming the value.
        #expect(log.messages.filter { $0.hasPrefix("ignored a value out of range") }.count == 5, "\(log.messages)")
        #expect(snapshot.durationSeconds == nil)
        #expect(snapshot.createdAt == nil)
        #expect(snapshot.completedAt == nil)
        #expect(snapshot.assets.map(\.expiresAt) == [nil, nil])
        // What the CLI does with it: the text block and the JSON line.
        #expect(SnapshotText(colour: false, now: { Date() }).render(snapshot).contains("no expiry given"))
        #expect(try JSONEncoder().encode(snapshot).count > 0)
    }

    @Test("a huge number of seconds in a duration string or an ISO year past 9999 is absent too")
    func hugeNumbersAsStrings() async throws {
        let snapshot = try await Self.snapshot(
            Self.status(
                #""id": "vid_1", "status": "processing", "duration": "9e18", "created_at": "99999-01-01T00:00:00Z""#)
        ).get()
        #expect(snapshot.durationSeconds == nil)
        #expect(snapshot.createdAt == nil)
        #expect(SnapshotText.format(seconds: 1e300) == "a very long time")
    }

    @Test("Retry-After: 1e300 is ignored: the request is retried on the usual backoff and succeeds")
    func hugeRetryAfter() async throws {
        let calls = Counter()
        try await HostileServer { _ in
            calls.increment() == 1
                ? .json(#"{"error": "slow down"}"#, status: 429, headers: [("Retry-After", "1e300")])
                : Self.status(#""id": "vid_1", "status": "processing""#)
        }.run { base in
            let snapshot = try await Self.client(base, retries: 2).snapshot(of: Self.ref)
            #expect(snapshot.state == .processing)
        }
        #expect(calls.value == 2)
        #expect(RetryPolicy.parseRetryAfter("1e300", now: Date()) == nil)
        #expect(RetryPolicy.parseRetryAfter("-5", now: Date()) == nil)
        #expect(RetryPolicy.parseRetryAfter("120", now: Date()) == .seconds(120))
    }

    @Test("a Hera format of 300 letters names a file of at most 200 bytes, without the format")
    func longFormat() throws {
        let asset = Asset(kind: .video, url: nil, format: String(repeating: "x", count: 300))
        let snapshot = JobSnapshot(ref: JobRef(api: .hera, id: "h"), state: .succeeded, assets: [asset])
        let name = FileNaming().name(for: asset, of: snapshot)
        #expect(name.utf8.count <= FileNaming.maximumLength)
        #expect(!name.contains("xxxxxxxxxxx"))
        let titled = JobSnapshot(
            ref: JobRef(api: .hera, id: "h"), state: .succeeded, title: String(repeating: "é", count: 400),
            assets: [asset])
        #expect(FileNaming(fromTitle: true).name(for: asset, of: titled).utf8.count <= FileNaming.maximumLength)
    }

    @Test("a numeric ID beyond 10^15 is the job asked for, not a mismatch")
    func bigNumericID() async throws {
        let ref = JobRef(api: .v3, id: "1000000000000000123")
        let snapshot = try await HostileServer { _ in
            Self.status(#""id": 1000000000000000123, "status": "processing""#)
        }.run { base in try await Self.client(base).snapshot(of: ref) }
        #expect(snapshot.state == .processing)
    }

    @Test("a UTF-8 byte order mark before valid JSON is read")
    func byteOrderMark() async throws {
        var answer = Self.status(#""id": "vid_1", "status": "completed""#)
        answer.body = [0xEF, 0xBB, 0xBF] + answer.body
        #expect(try await Self.snapshot(answer).get().state == .succeeded)
    }

    // MARK: URLs

    @Test("ports out of range: a base URL is refused with a line naming the port; a link or redirect is an error")
    func badPorts() async throws {
        #expect(BaseURL("http://127.0.0.1:99999") == nil)
        #expect(BaseURL("http://127.0.0.1:0") == nil)
        #expect(throws: ReelWatchError.self) {
            try Configuration(environment: ["REELWATCH_HEYGEN_URL": "http://127.0.0.1:99999"])
        }
        do {
            _ = try Configuration(environment: ["REELWATCH_HEYGEN_URL": "http://127.0.0.1:99999"])
        } catch {
            #expect(error.message == "REELWATCH_HEYGEN_URL names port 99999, outside 1–65535")
            #expect(error.code == .invalidConfiguration)
        }
        let directory = DownloaderTests.directory()
        try await HostileServer { path in
            path.hasPrefix("/redirect")
                ? HostileServer.Answer(status: 302, headers: [("Location", "http://127.0.0.1:99999/v.mp4")])
                : .json("{}", status: 404)
        }.run { base in
            let downloader = Downloader(statusClient: Self.client(base), transport: AsyncHTTPClientTransport())
            for (url, words) in [
                ("http://127.0.0.1:99999/v.mp4", "names port 99999"), ("\(base)/redirect", "names port 99999"),
                ("http:///v.mp4", "has no usable host"),
            ] {
                let item = DownloadItem(
                    ref: Self.ref, asset: Asset(kind: .video, url: url), assetIndex: 0, directory: directory,
                    fileName: "v.mp4")
                let error = await #expect(throws: ReelWatchError.self) { try await downloader.download(item) }
                #expect(error?.code == .downloadFailed)
                #expect(error?.message.contains(words) == true, "\(url): \(error?.message ?? "")")
            }
        }
    }

    @Test("IDs '.' and '..' are refused as refs, and never sent as bare path steps")
    func dotIDs() {
        for text in ["heygen:.", "heygen:..", "hera:.."] {
            #expect(throws: ReelWatchError.self) { try JobRef(parsing: text) }
        }
        #expect(BaseURL.encode("..") == "%2E%2E")
        #expect(BaseURL.encode("a..b") == "a..b")
        #expect(
            HeyGenV3Provider().statusRequest(id: ".", baseURL: BaseURL("https://h.example")!).path == "/v3/videos/%2E")
    }

    // MARK: Keys stay with their host

    @Test("a status redirect to another origin is refused, and the other host never sees the key")
    func crossOriginRedirect() async throws {
        let elsewhere = HostileServer { _ in Self.status(#""id": "vid_1", "status": "completed""#) }
        try await elsewhere.run { other in
            try await HostileServer { _ in
                HostileServer.Answer(status: 302, headers: [("Location", "\(other)/v3/videos/vid_1")])
            }.run { base in
                let error = try #require(await Self.client(base).result(of: Self.ref).failure)
                #expect(error.code == .invalidResponse)
                #expect(error.message.contains("redirected the status request to another origin"))
            }
        }
        #expect(elsewhere.received().isEmpty)
    }

    @Test("a redirect within the provider's own origin is followed, with the key")
    func sameOriginRedirect() async throws {
        let server = HostileServer { path in
            path.hasPrefix("/v3/videos/vid_1")
                ? HostileServer.Answer(status: 307, headers: [("Location", "/moved/vid_1")])
                : Self.status(#""id": "vid_1", "status": "completed""#)
        }
        let state = try await server.run { base in try await Self.client(base).snapshot(of: Self.ref).state }
        #expect(state == .succeeded)
        #expect(server.received().map(\.path) == ["/v3/videos/vid_1", "/moved/vid_1"])
        #expect(server.received().allSatisfy { $0.apiKey == Self.key })
    }

    @Test("a provider that echoes the keys in errors and failures: every text comes back redacted")
    func echoedKey() async throws {
        let refused = try await Self.snapshot(
            .json(#"{"error": {"code": "bad", "message": "key \#(Self.key) and other-secret-987654321"}}"#, status: 418)
        )
        let error = try #require(refused.failure)
        #expect(!error.message.contains(Self.key))
        #expect(!error.message.contains("other-secret-987654321"))
        #expect(error.message.contains("<redacted>"))
        let failed = try await Self.snapshot(
            Self.status(#""id": "vid_1", "status": "failed", "failure_message": "bad key \#(Self.key)""#)
        ).get()
        #expect(failed.failure?.message == "bad key <redacted>")
        let unavailable = try await Self.snapshot(.json(#"{"message": "\#(Self.key)"}"#, status: 503)).failure
        #expect(unavailable?.message.contains(Self.key) == false)
    }

    // MARK: Bodies that never end

    @Test("a status body trickling a byte at a time is cut off at the request timeout")
    func tricklingStatus() async throws {
        var trickling = Self.status(#""id": "vid_1", "status": "completed""#)
        trickling.trickle = .milliseconds(100)
        let answer = trickling
        let error = try await HostileServer { _ in answer }.run { base in
            try #require(await Self.client(base, requestTimeout: .milliseconds(500)).result(of: Self.ref).failure)
        }
        #expect(error.code == .providerUnavailable)
        #expect(error.message.contains("no answer within 500ms"))
    }

    @Test("a watch ends at its timeout even when every answer trickles: no request or retry runs past it")
    func watchDeadline() async throws {
        var trickling = Self.status(#""id": "vid_1", "status": "processing""#)
        trickling.trickle = .milliseconds(200)
        let answer = trickling
        let server = HostileServer { _ in answer }
        let updates = try await server.run { base in
            var client = Self.client(base, retries: 4, requestTimeout: .seconds(30))
            client.finalRequestTimeout = .milliseconds(300)
            let watcher = Watcher(
                refs: [Self.ref], client: client, options: WatchOptions(timeout: .milliseconds(500)))
            var updates: [JobProgress] = []
            for try await update in watcher { updates.append(update) }
            return updates
        }
        // One poll of at most 500 ms (the time left), no retry after the deadline, then the final poll at the
        // deadline with the final request's short timeout: the watch ends timed out, not minutes later.
        let last = try #require(updates.last)
        #expect(last.outcome == .timedOut)
        #expect(last.lastError?.message.contains("until the deadline") == true, "\(last.lastError?.message ?? "")")
        #expect(server.received().count <= 2)
    }

    @Test("bulk status under a deadline, against a host that takes the request and never answers, ends by then")
    func bulkDeadline() async throws {
        let listener = try SilentListener()
        var client = Self.client(listener.url, retries: 4, requestTimeout: .seconds(30))
        client.finalRequestTimeout = .milliseconds(200)
        let started = client.time.now()
        let error = await #expect(throws: ReelWatchError.self) {
            try await client.bulkStatuses(of: [Self.ref], before: started + .milliseconds(500))
        }
        let elapsed = client.time.now() - started
        // The request has until the deadline plus the final request's time; no retry starts after the deadline.
        // (Before, a bulk request knew no deadline: 30 s for each of its five attempts.) It takes 0.7 s; the bound
        // leaves room for the whole suite in parallel on two cores, where a timer can fire seconds late.
        #expect(elapsed < .seconds(12), "\(elapsed)")
        #expect(error?.code == .providerUnavailable)
        #expect(error?.message.contains("until the deadline") == true, "\(error?.message ?? "")")
        extendLifetime(listener)
    }

    @Test("a status body that never ends is refused once it passes the size limit")
    func endlessStatus() async throws {
        let error = try await HostileServer { _ in HostileServer.Answer(endless: 64 << 10) }.run { base in
            try #require(await Self.client(base, requestTimeout: .seconds(60)).result(of: Self.ref).failure)
        }
        #expect(error.code == .invalidResponse)
        #expect(error.message.contains("larger than"))
    }

    @Test("a file trickling below the minimum progress is retried, then fails as a download error")
    func tricklingFile() async throws {
        let directory = DownloaderTests.directory()
        let server = HostileServer { _ in
            HostileServer.Answer(
                headers: [("Content-Length", "100000")], body: Array(repeating: 7, count: 100),
                trickle: .milliseconds(50))
        }
        let error = try await server.run { base in
            let downloader = Downloader(
                statusClient: Self.client(base),
                transport: AsyncHTTPClientTransport(
                    client: .shared, minimumProgress: MinimumProgress(bytes: 1000, window: .milliseconds(300))),
                retryPolicy: RetryPolicy(maxRetries: 1, baseDelay: .milliseconds(5), maxDelay: .milliseconds(5))
            )
            let item = DownloadItem(
                ref: Self.ref, asset: Asset(kind: .video, url: "\(base)/v.mp4"), assetIndex: 0, directory: directory,
                fileName: "v.mp4")
            return await #expect(throws: ReelWatchError.self) { try await downloader.download(item) }
        }
        #expect(error?.code == .downloadFailed)
        #expect(
            error?.message.contains("gave up after 2 attempts") == true
                && error?.message.contains("less than 1000 bytes in 300ms arrived") == true,
            "\(error?.message ?? "")")
        #expect(!FileManager.default.fileExists(atPath: directory + "/v.mp4"))
    }

    @Test("a file server's 503 body echoing the key: the retry log lines and the final error never carry it")
    func keyInRetryLog() async throws {
        let capture = LogCapture()
        let requests = Counter()
        let directory = DownloaderTests.directory()
        let result = try await HostileServer { _ in
            requests.increment() <= 2
                ? HostileServer.Answer(status: 503, body: Array("upstream rejected x-api-key \(Self.key)".utf8))
                : HostileServer.Answer(body: Array(repeating: 9, count: 500))
        }.run { base in
            let downloader = Downloader(
                statusClient: Self.client(base, logger: capture.logger), transport: AsyncHTTPClientTransport(),
                retryPolicy: RetryPolicy(maxRetries: 3, baseDelay: .milliseconds(5), maxDelay: .milliseconds(5)))
            let item = DownloadItem(
                ref: Self.ref, asset: Asset(kind: .video, url: "\(base)/v.mp4"), assetIndex: 0,
                directory: directory, fileName: "v.mp4")
            return try await downloader.download(item)
        }
        #expect(result.bytes == 500)
        let retries = capture.texts.filter { $0.hasPrefix("download interrupted; retrying") }
        #expect(retries.count == 2)
        #expect(retries.allSatisfy { $0.contains("HTTP 503") && $0.contains("<redacted>") }, "\(retries)")
        #expect(!capture.texts.contains { $0.contains(Self.key) }, "\(capture.texts)")
        // Given up on, the error says the same without the key.
        let failing = try await HostileServer { _ in
            HostileServer.Answer(status: 503, body: Array("key=\(Self.key)".utf8))
        }.run { base in
            let downloader = Downloader(
                statusClient: Self.client(base, logger: capture.logger), transport: AsyncHTTPClientTransport(),
                retryPolicy: RetryPolicy(maxRetries: 1, baseDelay: .milliseconds(5), maxDelay: .milliseconds(5)))
            let item = DownloadItem(
                ref: Self.ref, asset: Asset(kind: .video, url: "\(base)/w.mp4"), assetIndex: 0,
                directory: directory, fileName: "w.mp4")
            return await #expect(throws: ReelWatchError.self) { try await downloader.download(item) }
        }
        #expect(failing?.message.contains("<redacted>") == true, "\(failing?.message ?? "")")
        #expect(failing?.message.contains(Self.key) == false)
        #expect(!capture.texts.contains { $0.contains(Self.key) })
    }

    @Test("a link refused before any byte (bad port, bad redirect, HTTP 410) leaves no .part; one with bytes stays")
    func noEmptyPart() async throws {
        let directory = DownloaderTests.directory()
        try await HostileServer { path in
            switch path {
            case "/redirect": HostileServer.Answer(status: 302, headers: [("Location", "http://127.0.0.1:99999/v")])
            case "/gone": .json("{}", status: 410)
            default:
                // 100 bytes of the 100000 announced, then nothing: the transfer stalls at byte 100.
                HostileServer.Answer(
                    headers: [("Content-Length", "100000")], body: Array(repeating: 7, count: 100),
                    trickle: .milliseconds(1))
            }
        }.run { base in
            // The transport's own client, which follows no redirect itself (`HTTPClient.shared` would).
            let downloader = Downloader(
                statusClient: Self.client(base),
                // A window long enough for the first 100 bytes to arrive on a loaded machine (3 s once saw 3 bytes).
                transport: AsyncHTTPClientTransport(minimumProgress: MinimumProgress(bytes: 1, window: .seconds(8))),
                retryPolicy: RetryPolicy(maxRetries: 0))
            for (name, url) in [
                ("port.mp4", "http://127.0.0.1:99999/v.mp4"), ("redirect.mp4", "\(base)/redirect"),
                ("gone.mp4", "\(base)/gone"), ("short.mp4", "\(base)/short"),
            ] {
                let item = DownloadItem(
                    ref: Self.ref, asset: Asset(kind: .video, url: url), assetIndex: 0, directory: directory,
                    fileName: name)
                await #expect(throws: ReelWatchError.self) { try await downloader.download(item) }
            }
        }
        // Only the cut-off file received bytes: its .part stays to be resumed, and nothing else is left.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["short.mp4.part"])
        let part = try FileManager.default.attributesOfItem(atPath: directory + "/short.mp4.part")
        #expect(part[.size] as? Int == 100)
    }

    // MARK: Names

    @Test("sanitized names never start with a dot or dash behind a mark, and drop bidi and zero-width characters")
    func names() {
        #expect(FileNaming.sanitize("\u{301}.hidden") == "hidden")
        #expect(FileNaming.sanitize("\u{200B}-rf") == "rf")
        #expect(FileNaming.sanitize("evil\u{202E}4pm.exe\u{200B}") == "evil4pm.exe")
        #expect(FileNaming.sanitize("../../etc/passwd") == "etc_passwd")
        #expect(FileNaming.sanitize("a..b") == "a.b")
        #expect(FileNaming.sanitize("\u{1B}[31mred") == "[31mred")
    }

    @Test("terminal output escapes control characters in provider URLs")
    func escapedURLs() {
        let snapshot = JobSnapshot(
            ref: Self.ref, state: .succeeded, pageURL: "https://p.example/\u{1B}]0;pwned\u{07}",
            assets: [Asset(kind: .video, url: "https://c.example/v.mp4\u{1B}[2J\u{202E}")])
        let text = SnapshotText(colour: false, now: { Date() }).render(snapshot)
        #expect(!text.unicodeScalars.contains { $0 == "\u{1B}" || $0 == "\u{07}" || $0 == "\u{202E}" })
        #expect(text.contains(#"\u{1B}[2J"#))
    }

    @Test("a finished render with no link, or none of the asked-for files, plans no download: an error")
    func nothingToDownload() {
        let bare = JobSnapshot(ref: Self.ref, state: .succeeded)
        let error = #expect(throws: ReelWatchError.self) { try Downloader.plan(bare, directory: "/tmp") }
        #expect(error?.code == .downloadFailed)
        #expect(error?.message == "nothing to download: the finished render's answer gives no file link")
        let videoOnly = JobSnapshot(
            ref: Self.ref, state: .succeeded, assets: [Asset(kind: .video, url: "https://c.example/v.mp4")])
        let captions = #expect(throws: ReelWatchError.self) {
            try Downloader.plan(videoOnly, selection: .kinds([.captions]), directory: "/tmp")
        }
        #expect(captions?.message.contains("none of the requested files is in the answer (it links: video)") == true)
    }
}

/// A logger whose messages (with their `value` metadata) a test can read.
final class LogCapture: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    private var fullLines: [String] = []

    /// The messages logged so far, `message value`.
    var messages: [String] { lock.withLock { lines } }

    /// Every message logged so far with all its metadata (the logger's and the call's), as one text each.
    var texts: [String] { lock.withLock { fullLines } }

    /// A logger writing here, at every level.
    var logger: Logger {
        Logger(label: "capture") { _ in Handler(capture: self) }
    }

    fileprivate func append(_ line: String, full: String) {
        lock.withLock {
            lines.append(line)
            fullLines.append(full)
        }
    }

    private struct Handler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let all = metadata.merging(event.metadata ?? [:]) { $1 }
            capture.append(
                "\(event.message) \(event.metadata?["value"].map { "\($0)" } ?? "")",
                full: "\(event.message) \(all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" })")
        }
    }
}

/// A thread-safe count for handlers.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0

    /// Adds one and returns the new count.
    @discardableResult
    func increment() -> Int {
        lock.withLock {
            count += 1; return count
        }
    }

    /// The count.
    var value: Int { lock.withLock { count } }
}

extension Result {
    /// The error, when this is a failure.
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
