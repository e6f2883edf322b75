import Crypto
import Foundation
import HTTPTypes
import ReelWatch
import ReelWatchSimulator
import ReelWatchTestSupport
import ReelWatchTesting
import Testing

/// Downloads over real HTTP against the simulator: retries, resume, fresh links, names.
@Suite("Downloader")
struct DownloaderTests {
    static let size = 300_000

    static func job(_ api: ProviderAPI = .v3, _ id: String = "d", title: String? = nil) -> SimulatedJob {
        SimulatedJob(
            ref: JobRef(api: api, id: id),
            title: title,
            queueTime: .zero,
            renderTime: .zero,
            heraOutputs: [
                .init(format: "mp4", aspectRatio: "16:9", resolution: "1080p"),
                .init(format: "webm", aspectRatio: "9:16", resolution: "720p", failure: "WebM export failed"),
            ],
            videoSize: size
        )
    }

    /// A downloader whose retries wait milliseconds on the real clock; dates are the harness simulator's (frozen),
    /// or `skew` away from them.
    static func downloader(
        _ endpoint: SimulatorServer.Endpoint, apiKey: String, skew: TimeInterval = 0
    ) -> (StatusClient, Downloader) {
        let client = StatusClient(
            configuration: endpoint.configuration(apiKey: apiKey),
            clock: ContinuousClock(),
            random: { 0.5 },
            wallClock: { SimulatorHarness.epoch.addingTimeInterval(skew) },
            logger: SimulatorHarness.quiet
        )
        let downloader = Downloader(
            statusClient: client,
            transport: AsyncHTTPClientTransport(),
            retryPolicy: RetryPolicy(maxRetries: 4, baseDelay: .milliseconds(10), maxDelay: .milliseconds(40))
        )
        return (client, downloader)
    }

    static func directory() -> String {
        let path = NSTemporaryDirectory() + "reelwatch-test-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// The SHA-256 the simulated file `name` of `size` bytes must have.
    static func expectedHash(name: String, size: Int) -> String {
        let bytes = SimulatedFile.bytes(count: size, seed: SimulatedFile.seed(forName: name))
        return SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }

    static func plan(
        _ client: StatusClient, _ ref: JobRef, into directory: String, naming: FileNaming = FileNaming(),
        assets: AssetSelection = .defaults
    )
        async throws -> [DownloadItem]
    {
        try Downloader.plan(
            try await client.snapshot(of: ref), selection: assets, directory: directory, naming: naming)
    }

    @Test("a link that is not live yet (404) is retried until it is")
    func notReadyThenReady() async throws {
        let job = Self.job()
        try await SimulatorHarness.run([job]) { simulator, endpoint in
            await simulator.inject(.notReady, times: 2, forFilesOf: job.ref)
            let (client, downloader) = Self.downloader(endpoint, apiKey: simulator.apiKey)
            let directory = Self.directory()
            let items = try await Self.plan(client, job.ref, into: directory)
            #expect(items.map(\.fileName) == ["heygen-d-video.mp4"])
            let result = try await downloader.download(items[0])
            #expect(result.path == directory + "/heygen-d-video.mp4")
            #expect(result.bytes == Int64(Self.size))
            #expect(result.sha256 == Self.expectedHash(name: "video.mp4", size: Self.size))
            #expect(!FileManager.default.fileExists(atPath: result.path + ".part"))
        }
    }

    @Test("a connection dropped mid-body is resumed with Range; no byte is fetched twice")
    func midBodyDrop() async throws {
        let job = Self.job()
        try await SimulatorHarness.run([job]) { simulator, endpoint in
            await simulator.inject(.dropAfter(bytes: 120_000), forFilesOf: job.ref)
            let (client, downloader) = Self.downloader(endpoint, apiKey: simulator.apiKey)
            let items = try await Self.plan(client, job.ref, into: Self.directory())
            let result = try await downloader.download(items[0])
            #expect(result.sha256 == Self.expectedHash(name: "video.mp4", size: Self.size))
            // Every byte reached the file once: the retry asked for the rest, not the whole file again.
            #expect(result.fetched == Int64(Self.size))
            #expect(result.resumedFrom == 0)
            let ranges = await simulator.requests.filter { $0.path == "/files/v3/d/video.mp4" }.map(\.range)
            #expect(ranges.count == 2)
            #expect(ranges.first == .some(nil))
            let resumedAt = ranges.last??.split(separator: "=").last?.split(separator: "-").first.flatMap { Int($0) }
            #expect(resumedAt.map { $0 > 0 && $0 <= 120_000 } == true)
        }
    }

    @Test("an expired link is refreshed through the status call and the download goes on")
    func expiredLink() async throws {
        let job = Self.job(.v1, "e")
        try await SimulatorHarness.run([job]) { simulator, endpoint in
            await simulator.expireLinks(times: 1, for: job.ref)
            let (client, downloader) = Self.downloader(endpoint, apiKey: simulator.apiKey)
            let items = try await Self.plan(client, job.ref, into: Self.directory())
            let expiry = try #require(items[0].asset.expiresAt)
            #expect(expiry < SimulatorHarness.epoch)
            let result = try await downloader.download(items[0])
            #expect(result.sha256 == Self.expectedHash(name: "video.mp4", size: Self.size))
            #expect(await simulator.statusRequestCount(for: job.ref) == 2)
        }
    }

    @Test(
        "a link the server says has expired (S3's answer, declaration first; CloudFront's AccessDenied) is refreshed",
        arguments: [SimulatedLinkExpiry.s3, .cloudFront]
    )
    func expiredByTheServersClock(refusal: SimulatedLinkExpiry) async throws {
        let job = Self.job(.v3, "s")
        try await SimulatorHarness.run([job]) { simulator, endpoint in
            await simulator.expireLinks(times: 1, for: job.ref, refusal: refusal)
            // The client's clock is an hour behind the server's: by it, the link is good for 59 more minutes.
            let (client, downloader) = Self.downloader(endpoint, apiKey: simulator.apiKey, skew: -3600)
            let items = try await Self.plan(client, job.ref, into: Self.directory())
            #expect(try #require(items[0].asset.expiresAt) > client.wallClock())
            let result = try await downloader.download(items[0])
            #expect(result.sha256 == Self.expectedHash(name: "video.mp4", size: Self.size))
            // One status call to plan, one for the fresh link; the dead link was asked once.
            #expect(await simulator.statusRequestCount(for: job.ref) == 2)
            #expect(await simulator.requests.filter { $0.path == "/files/v3/s/video.mp4" }.count == 2)
        }
    }

    @Test("a 403 that says nothing of expiry asks for a fresh link once, then is retried like any failure")
    func forbiddenRefreshesOnce() async throws {
        let job = Self.job(.v3, "f")
        try await SimulatorHarness.run([job]) { simulator, endpoint in
            await simulator.inject(.forbidden, times: 3, forFilesOf: job.ref)
            let (client, downloader) = Self.downloader(endpoint, apiKey: simulator.apiKey)
            let items = try await Self.plan(client, job.ref, into: Self.directory())
            let result = try await downloader.download(items[0])
            #expect(result.sha256 == Self.expectedHash(name: "video.mp4", size: Self.size))
            #expect(await simulator.statusRequestCount(for: job.ref) == 2)
            #expect(await simulator.requests.filter { $0.path == "/files/v3/f/video.mp4" }.count == 4)
        }
    }

    @Test(
        "a complete file at the name without a record is this one when the server confirms it (empty 206, 503 once)",
        arguments: [SimulatorFileFault.emptyRange, .serverError(status: 503)]
    )
    func completeFileWithoutRecord(fault: SimulatorFileFault) async throws {
        let job = Self.job()
        try await SimulatorHarness.run([job]) { simulator, endpoint in
            let (client, downloader) = Self.downloader(endpoint, apiKey: simulator.apiKey)
            let item = try await Self.plan(client, job.ref, into: Self.directory())[0]
            let bytes = SimulatedFile.bytes(count: Self.size, seed: SimulatedFile.seed(forName: "video.mp4"))
            _ = FileManager.default.createFile(atPath: item.path, contents: Data(bytes))
            await simulator.inject(fault, forFilesOf: job.ref)
            let result = try await downloader.download(item)
            #expect(result.alreadyComplete)
            #expect(result.path == item.path)
            #expect(result.sha256 == Self.expectedHash(name: "video.mp4", size: Self.size))
            #expect(try FileManager.default.contentsOfDirectory(atPath: item.directory) == [item.fileName])
            #expect(await simulator.totalBytesServed == 0)
        }
    }

    @Test("a file at the name with the recorded length and SHA-256 is this one without asking; another is not")
    func recordedLengthAndDigest() async throws {
        let job = Self.job()
        try await SimulatorHarness.run([job]) { simulator, endpoint in
            let (client, downloader) = Self.downloader(endpoint, apiKey: simulator.apiKey)
            var item = try await Self.plan(client, job.ref, into: Self.directory())[0]
            let bytes = SimulatedFile.bytes(count: Self.size, seed: SimulatedFile.seed(forName: "video.mp4"))
            _ = FileManager.default.createFile(atPath: item.path, contents: Data(bytes))
            await simulator.inject(.serverError(status: 503), times: 10, forFilesOf: job.ref)
            item.expectedBytes = Int64(Self.size)
            item.expectedSHA256 = Self.expectedHash(name: "video.mp4", size: Self.size)
            let own = try await downloader.download(item)
            #expect(own.alreadyComplete)
            #expect(own.path == item.path)
            #expect(await simulator.requests.filter { $0.path == "/files/v3/d/video.mp4" }.isEmpty)

            // Another file of the same length at the name: the recorded digest tells them apart.
            await simulator.clearFaults()
            _ = FileManager.default.createFile(
                atPath: item.path, contents: Data(repeating: 0xEE, count: Self.size))
            let other = try await downloader.download(item)
            #expect(!other.alreadyComplete)
            #expect(other.path == DownloadItem.numbered(item.path, 2))
            #expect(other.sha256 == Self.expectedHash(name: "video.mp4", size: Self.size))
        }
    }

    @Test("beforeRename is told where the complete file lands before the rename; throwing leaves the whole .part")
    func beforeRename() async throws {
        let job = Self.job()
        try await SimulatorHarness.run([job]) { simulator, endpoint in
            let (client, downloader) = Self.downloader(endpoint, apiKey: simulator.apiKey)
            let item = try await Self.plan(client, job.ref, into: Self.directory())[0]
            let told = Landings()
            let error = try await #require(throws: ReelWatchError.self) {
                try await downloader.download(
                    item,
                    beforeRename: { landing throws(ReelWatchError) in
                        #expect(!FileManager.default.fileExists(atPath: landing.path))
                        await told.add(landing)
                        throw ReelWatchError(code: .storeUnavailable, message: "killed at the rename", ref: item.ref)
                    })
            }
            #expect(error.message == "killed at the rename")
            let landing = try #require(await told.all.first)
            #expect(landing.path == item.path)
            #expect(landing.bytes == Int64(Self.size))
            #expect(landing.sha256 == Self.expectedHash(name: "video.mp4", size: Self.size))
            let part = try FileManager.default.attributesOfItem(atPath: item.path + ".part")
            #expect(part[.size] as? Int == Self.size)
            // The next run finds the whole file in the .part and fetches nothing more.
            let result = try await downloader.download(item)
            #expect(result.path == item.path)
            #expect(result.resumedFrom == Int64(Self.size))
            #expect(result.fetched == 0)
            #expect(result.sha256 == landing.sha256)
        }
    }

    @Test("a connection dropped after a link was refreshed resumes from the fresh link, not the expired one")
    func dropAfterRefresh() async throws {
        let job = Self.job(.v3, "r")
        try await SimulatorHarness.run([job]) { simulator, endpoint in
            await simulator.expireLinks(times: 1, for: job.ref)
            // The expired link is refused before any fault applies: the drop hits the fresh link's first request.
            await simulator.inject(.dropAfter(bytes: 100_000), forFilesOf: job.ref)
            let (client, downloader) = Self.downloader(endpoint, apiKey: simulator.apiKey)
            let items = try await Self.plan(client, job.ref, into: Self.directory())
            let result = try await downloader.download(items[0])
            #expect(result.sha256 == Self.expectedHash(name: "video.mp4", size: Self.size))
            #expect(result.fetched == Int64(Self.size))
            // One status call to plan, one for the fresh link; none for a second refresh.
            #expect(await simulator.statusRequestCount(for: job.ref) == 2)
            let files = await simulator.requests.filter { $0.path == "/files/v3/r/video.mp4" }
            #expect(files.count == 3)
        }
    }

    @Test("a .part from an earlier run is resumed; a server that ignores Range makes it start over cleanly")
    func resumeAndIgnoredRange() async throws {
        let job = Self.job()
        try await SimulatorHarness.run([job]) { simulator, endpoint in
            let (client, downloader) = Self.downloader(endpoint, apiKey: simulator.apiKey)
            let directory = Self.directory()
            let item = try await Self.plan(client, job.ref, into: directory)[0]
            let seed = SimulatedFile.seed(forName: "video.mp4")
            let half = 100_000

            _ = FileManager.default.createFile(
                atPath: item.path + ".part", contents: Data(SimulatedFile.bytes(count: half, seed: seed)))
            let resumed = try await downloader.download(item)
            #expect(resumed.resumedFrom == Int64(half))
            #expect(resumed.fetched == Int64(Self.size - half))
            #expect(resumed.sha256 == Self.expectedHash(name: "video.mp4", size: Self.size))
            try FileManager.default.removeItem(atPath: item.path)

            // A .part whose bytes are wrong for the file: the server ignores Range, so it all comes again.
            _ = FileManager.default.createFile(
                atPath: item.path + ".part", contents: Data(repeating: 0xEE, count: half))
            await simulator.inject(.ignoreRange, forFilesOf: job.ref)
            let restarted = try await downloader.download(item)
            #expect(restarted.bytes == Int64(Self.size))
            #expect(restarted.sha256 == Self.expectedHash(name: "video.mp4", size: Self.size))
        }
    }

    @Test("a file already complete is not fetched again")
    func alreadyComplete() async throws {
        let job = Self.job()
        try await SimulatorHarness.run([job]) { simulator, endpoint in
            let (client, downloader) = Self.downloader(endpoint, apiKey: simulator.apiKey)
            let item = try await Self.plan(client, job.ref, into: Self.directory())[0]
            let first = try await downloader.download(item)
            let served = await simulator.totalBytesServed
            let second = try await downloader.download(item)
            #expect(second.alreadyComplete)
            #expect(second.fetched == 0)
            #expect(second.sha256 == first.sha256)
            #expect(await simulator.totalBytesServed == served)
        }
    }

    @Test("a link without an extension names the file from Content-Type, and that file counts as complete")
    func bareLink() async throws {
        var bare = Self.job()
        bare.bareLinks = true
        let job = bare
        try await SimulatorHarness.run([job]) { simulator, endpoint in
            let (client, downloader) = Self.downloader(endpoint, apiKey: simulator.apiKey)
            let items = try await Self.plan(client, job.ref, into: Self.directory(), assets: .all)
            #expect(items.map(\.fileName) == ["heygen-d-video", "heygen-d-thumbnail", "heygen-d-gif"])
            var first: [DownloadResult] = []
            for item in items { first.append(try await downloader.download(item)) }
            #expect(
                first.map { ($0.path as NSString).lastPathComponent } == [
                    "heygen-d-video.mp4", "heygen-d-thumbnail.jpg", "heygen-d-gif.gif",
                ])
            #expect(first[0].sha256 == Self.expectedHash(name: "video", size: Self.size))
            let served = await simulator.totalBytesServed
            for (item, earlier) in zip(items, first) {
                let again = try await downloader.download(item)
                #expect(again.alreadyComplete)
                #expect(again.path == earlier.path)
                #expect(again.sha256 == earlier.sha256)
            }
            #expect(await simulator.totalBytesServed == served)
        }
    }

    @Test("two downloads of one file at once: one fetches it, the other waits and finds it complete")
    func concurrentSameFile() async throws {
        let job = Self.job()
        try await SimulatorHarness.run([job]) { simulator, endpoint in
            let (client, downloader) = Self.downloader(endpoint, apiKey: simulator.apiKey)
            let item = try await Self.plan(client, job.ref, into: Self.directory())[0]
            async let first = downloader.download(item)
            async let second = downloader.download(item)
            let results = try await [first, second]
            #expect(results.allSatisfy { $0.sha256 == Self.expectedHash(name: "video.mp4", size: Self.size) })
            #expect(results.filter(\.alreadyComplete).count == 1)
            #expect(await simulator.totalBytesServed == Self.size)
            #expect(try FileManager.default.contentsOfDirectory(atPath: item.directory) == [item.fileName])
        }
    }

    @Test("a hostile title can never write outside the directory")
    func hostileTitle() async throws {
        let job = Self.job(.v3, "t", title: "../../etc/passwd\n\u{7}")
        try await SimulatorHarness.run([job]) { simulator, endpoint in
            let (client, downloader) = Self.downloader(endpoint, apiKey: simulator.apiKey)
            let directory = Self.directory()
            let items = try await Self.plan(client, job.ref, into: directory, naming: FileNaming(fromTitle: true))
            #expect(items.map(\.fileName) == ["etc_passwd_-video.mp4"])
            let result = try await downloader.download(items[0])
            #expect((result.path as NSString).deletingLastPathComponent == directory)
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["etc_passwd_-video.mp4"])
        }
        for hostile in ["..", "/", "a/../../b", "\u{0}", ".hidden", String(repeating: "é", count: 300)] {
            let name = FileNaming.sanitize(hostile)
            #expect(!name.contains("/") && !name.contains("..") && !name.hasPrefix("."), "\(hostile)")
        }
        let long = FileNaming(fromTitle: true).name(
            for: Asset(kind: .video, url: "https://x.test/v.mp4?name=evil.sh"),
            of: JobSnapshot(
                ref: JobRef(api: .v3, id: "x"), state: .succeeded, title: String(repeating: "é", count: 300))
        )
        #expect(long.utf8.count <= FileNaming.maximumLength)
        #expect(long.hasSuffix("-video.mp4") || long.hasSuffix(".mp4"))
    }

    @Test("a Hera job with one failed output downloads the one that succeeded, named by aspect and resolution")
    func heraPartial() async throws {
        let job = Self.job(.hera, "h")
        try await SimulatorHarness.run([job]) { simulator, endpoint in
            let (client, downloader) = Self.downloader(endpoint, apiKey: simulator.apiKey)
            let items = try await Self.plan(client, job.ref, into: Self.directory())
            #expect(items.map(\.fileName) == ["hera-h-video-16x9-1080p.mp4"])
            let result = try await downloader.download(items[0])
            #expect(result.sha256 == Self.expectedHash(name: "output-0.mp4", size: Self.size))
            let all = try Downloader.plan(try await client.snapshot(of: job.ref), selection: .all, directory: "/tmp")
            #expect(all.count == 1)
        }
    }

    @Test("a job still rendering or failed has nothing to download, and says so")
    func notFinished() throws {
        let running = JobSnapshot(ref: JobRef(api: .v3, id: "r"), state: .processing)
        let notReady = try #require(throws: ReelWatchError.self) { try Downloader.plan(running, directory: "/tmp") }
        #expect(notReady.code == .notReady)
        let failed = JobSnapshot(
            ref: JobRef(api: .v3, id: "f"), state: .failed, failure: JobFailure(code: "x", message: "boom"))
        let renderFailed = try #require(throws: ReelWatchError.self) { try Downloader.plan(failed, directory: "/tmp") }
        #expect(renderFailed.code == .renderFailed)
        #expect(renderFailed.message == "render failed: boom (x)")
    }

    @Test("redirects to another scheme and non-http links are refused")
    func schemes() async throws {
        let transport = ScriptedTransport([
            .response(status: 302, headers: [.location: "ftp://files.example/v.mp4"], body: [])
        ])
        let client = StatusClient(
            configuration: .defaults, clock: ManualClock(), wallClock: { SimulatorHarness.epoch },
            logger: SimulatorHarness.quiet)
        let downloader = Downloader(statusClient: client, transport: transport)
        let directory = Self.directory()
        let item = DownloadItem(
            ref: JobRef(api: .v3, id: "x"),
            asset: Asset(kind: .video, url: "https://cdn.example/v.mp4"),
            assetIndex: 0,
            directory: directory,
            fileName: "x.mp4"
        )
        let redirect = try await #require(throws: ReelWatchError.self) { try await downloader.download(item) }
        #expect(redirect.code == .downloadFailed)
        #expect(
            redirect.message.contains(
                "refusing a redirect to a link that is not http or https: ftp://files.example/v.mp4"))
        var local = item
        local.asset.url = "file:///etc/passwd"
        let file = try await #require(throws: ReelWatchError.self) { try await downloader.download(local) }
        #expect(file.message.contains("refusing a link that is not http or https"))
        #expect(transport.requests.count == 1)
    }

    @Test("a download that keeps failing gives up with the file and the reason")
    func givesUp() async throws {
        let job = Self.job()
        try await SimulatorHarness.run([job]) { simulator, endpoint in
            await simulator.inject(.serverError(status: 503), times: 10, forFilesOf: job.ref)
            let (client, downloader) = Self.downloader(endpoint, apiKey: simulator.apiKey)
            let item = try await Self.plan(client, job.ref, into: Self.directory())[0]
            let error = try await #require(throws: ReelWatchError.self) { try await downloader.download(item) }
            #expect(error.code == .downloadFailed)
            #expect(error.message.hasPrefix("heygen-d-video.mp4: gave up after 5 attempts: HTTP 503"))
            #expect(!FileManager.default.fileExists(atPath: item.path))
        }
    }

    @Test("a deadline ends the retries: none starts after it, and the download fails timed_out")
    func deadlineEndsRetries() async throws {
        let job = Self.job()
        try await SimulatorHarness.run([job]) { simulator, endpoint in
            await simulator.inject(.serverError(status: 503), times: 20, forFilesOf: job.ref)
            var (client, downloader) = Self.downloader(endpoint, apiKey: simulator.apiKey)
            // Each retry waits 0.5 s: the retries stop at the deadline, not after 10 of them (5 s).
            downloader.retryPolicy = RetryPolicy(maxRetries: 10, baseDelay: .seconds(1), maxDelay: .seconds(1))
            let item = try await Self.plan(client, job.ref, into: Self.directory())[0]
            downloader.deadline = client.time.now() + .milliseconds(750)
            let error = try await #require(throws: ReelWatchError.self) { try await downloader.download(item) }
            #expect(error.code == .timedOut)
            #expect(
                error.message
                    == "heygen-d-video.mp4: the render finished but its file was still downloading at the deadline")
            #expect(!FileManager.default.fileExists(atPath: item.path + ".part"))
        }
    }
}

/// What ``Downloader/download(_:progress:beforeRename:)`` was told before its renames.
private actor Landings {
    var all: [DownloadResult] = []

    func add(_ landing: DownloadResult) { all.append(landing) }
}
