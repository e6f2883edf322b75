import Foundation
import ReelWatch
import ReelWatchSimulator
import ReelWatchTestSupport
import ReelWatchTesting
import Testing

/// A download directory someone else can write to: links and files planted at the names reelwatch uses are
/// never written through, and a name another job's file holds is never reported as this job's.
@Suite("Hostile download directory")
struct HostileDirectoryTests {
    static let size = DownloaderTests.size

    /// A file outside the download directory that a planted link points at, and its bytes.
    static func victim() throws -> (path: String, bytes: Data) {
        let path = DownloaderTests.directory() + "/victim.txt"
        let bytes = Data("precious, not yours\n".utf8)
        try bytes.write(to: URL(fileURLWithPath: path))
        return (path, bytes)
    }

    static func contents(_ path: String) -> Data? { FileManager.default.contents(atPath: path) }

    @Test("a symlink planted at NAME.part or NAME.part.etag is replaced, not written through")
    func linkAtPart() async throws {
        let job = SimulatedJob(
            ref: JobRef(api: .v3, id: "p"), queueTime: .zero, renderTime: .zero, videoSize: 1_500_000)
        try await SimulatorHarness.run([job]) { simulator, endpoint in
            let (client, downloader) = DownloaderTests.downloader(endpoint, apiKey: simulator.apiKey)
            let directory = DownloaderTests.directory()
            let item = try await DownloaderTests.plan(client, job.ref, into: directory)[0]
            let part = try Self.victim()
            let etag = try Self.victim()
            try FileManager.default.createSymbolicLink(atPath: item.path + ".part", withDestinationPath: part.path)
            try FileManager.default.createSymbolicLink(
                atPath: item.path + ".part.etag", withDestinationPath: etag.path)
            // Dropped halfway, so the ETag sidecar is written and the .part resumed.
            await simulator.inject(.dropAfter(bytes: 700_000), forFilesOf: job.ref)
            let result = try await downloader.download(item)
            #expect(result.path == item.path)
            #expect(result.sha256 == DownloaderTests.expectedHash(name: "video.mp4", size: 1_500_000))
            #expect(Self.contents(part.path) == part.bytes)
            #expect(Self.contents(etag.path) == etag.bytes)
            #expect(!FileManager.default.fileExists(atPath: item.path + ".part"))
        }
    }

    @Test("a symlink, a directory or another file at the final name: the file lands under NAME-2, nothing else touched")
    func takenFinalName() async throws {
        let job = DownloaderTests.job()
        try await SimulatorHarness.run([job]) { simulator, endpoint in
            let (client, downloader) = DownloaderTests.downloader(endpoint, apiKey: simulator.apiKey)
            let expected = DownloaderTests.expectedHash(name: "video.mp4", size: Self.size)
            // A link to a file of exactly the right size: its size alone must not make it "complete".
            let victim = DownloaderTests.directory() + "/same-size"
            try Data(repeating: 1, count: Self.size).write(to: URL(fileURLWithPath: victim))
            let planted: [(String, (String) throws -> Void)] = [
                ("link", { try FileManager.default.createSymbolicLink(atPath: $0, withDestinationPath: victim) }),
                (
                    "directory",
                    { try FileManager.default.createDirectory(atPath: $0, withIntermediateDirectories: false) }
                ),
                ("longer file", { try Data(repeating: 2, count: Self.size + 1).write(to: URL(fileURLWithPath: $0)) }),
                ("short file", { try Data(repeating: 2, count: 1000).write(to: URL(fileURLWithPath: $0)) }),
            ]
            for (what, plant) in planted {
                let directory = DownloaderTests.directory()
                let item = try await DownloaderTests.plan(client, job.ref, into: directory)[0]
                try plant(item.path)
                let result = try await downloader.download(item)
                #expect(result.path == directory + "/heygen-d-video-2.mp4", "\(what)")
                #expect(!result.alreadyComplete, "\(what)")
                #expect(result.sha256 == expected, "\(what)")
            }
            #expect(Self.contents(victim) == Data(repeating: 1, count: Self.size))
        }
    }

    @Test("NAME and NAME-2 both taken: the file lands under NAME-3")
    func secondNameTaken() async throws {
        let job = DownloaderTests.job()
        try await SimulatorHarness.run([job]) { simulator, endpoint in
            let (client, downloader) = DownloaderTests.downloader(endpoint, apiKey: simulator.apiKey)
            let directory = DownloaderTests.directory()
            let item = try await DownloaderTests.plan(client, job.ref, into: directory)[0]
            for taken in [item.path, directory + "/heygen-d-video-2.mp4"] {
                try FileManager.default.createDirectory(atPath: taken, withIntermediateDirectories: false)
            }
            #expect(try await downloader.download(item).path == directory + "/heygen-d-video-3.mp4")
        }
    }

    @Test("the job's own complete file at the final name is confirmed by the server (one empty 416), not fetched")
    func ownCompleteFile() async throws {
        let job = DownloaderTests.job()
        try await SimulatorHarness.run([job]) { simulator, endpoint in
            let (client, downloader) = DownloaderTests.downloader(endpoint, apiKey: simulator.apiKey)
            let item = try await DownloaderTests.plan(client, job.ref, into: DownloaderTests.directory())[0]
            _ = try await downloader.download(item)
            let again = try await downloader.download(item)
            #expect(again.alreadyComplete)
            #expect(again.path == item.path)
            let probes = await simulator.requests.filter { $0.path == "/files/v3/d/video.mp4" }.map(\.range)
            #expect(probes.count == 2)
            #expect(probes.last == "bytes=\(Self.size)-")
            #expect(await simulator.totalBytesServed == Self.size)
            // With the length known from the store, not even that request.
            var known = item
            known.expectedBytes = Int64(Self.size)
            #expect(try await downloader.download(known).alreadyComplete)
            #expect(await simulator.requests.filter { $0.path == "/files/v3/d/video.mp4" }.count == 2)
        }
    }

    @Test("two renders with the same title under --name-from-title get two files, each its own bytes")
    func sameTitle() async throws {
        let jobs = [
            SimulatedJob(
                ref: JobRef(api: .v3, id: "t1"), title: "Launch", queueTime: .zero, renderTime: .zero,
                videoSize: 200_000),
            SimulatedJob(
                ref: JobRef(api: .v3, id: "t2"), title: "Launch", queueTime: .zero, renderTime: .zero,
                videoSize: 300_000),
        ]
        try await SimulatorHarness.run(jobs) { simulator, endpoint in
            let (client, downloader) = DownloaderTests.downloader(endpoint, apiKey: simulator.apiKey)
            let directory = DownloaderTests.directory()
            var results: [DownloadResult] = []
            for job in jobs {
                let item = try await DownloaderTests.plan(
                    client, job.ref, into: directory, naming: FileNaming(fromTitle: true))[0]
                #expect(item.fileName == "Launch-video.mp4")
                results.append(try await downloader.download(item))
            }
            #expect(results.map(\.path) == [directory + "/Launch-video.mp4", directory + "/Launch-video-2.mp4"])
            #expect(results.map(\.bytes) == [200_000, 300_000])
            #expect(results.map(\.alreadyComplete) == [false, false])
            #expect(results[1].sha256 == DownloaderTests.expectedHash(name: "video.mp4", size: 300_000))
        }
    }

    @Test("IDs that sanitize alike (a/b, a_b, a..b, a.b), same size, no store: each its own file with its own bytes")
    func idsThatSanitizeAlike() async throws {
        let ids = ["a/b", "a_b", "a..b", "a.b"]
        let directory = DownloaderTests.directory()
        let results = try await HostileServer { path in
            // Every file 1000 bytes, each of its own byte: /file/0 is all 0s, /file/1 all 1s, ….
            let index = UInt8(path.split(separator: "/").last.flatMap { Int($0) } ?? 99)
            return HostileServer.Answer(body: Array(repeating: index, count: 1000))
        }.run { base in
            let downloader = Downloader(
                statusClient: HostileProviderTests.client(base), transport: AsyncHTTPClientTransport(),
                retryPolicy: RetryPolicy(maxRetries: 0))
            var results: [DownloadResult] = []
            for (index, id) in ids.enumerated() {
                let snapshot = JobSnapshot(
                    ref: JobRef(api: .v3, id: id), state: .succeeded,
                    assets: [Asset(kind: .video, url: "\(base)/file/\(index)", format: "mp4")])
                let item = try Downloader.plan(snapshot, directory: directory)[0]
                results.append(try await downloader.download(item))
            }
            return results
        }
        #expect(Set(results.map(\.path)).count == ids.count, "\(results.map(\.path))")
        #expect(results.allSatisfy { !$0.alreadyComplete })
        for (index, result) in results.enumerated() {
            #expect(Self.contents(result.path) == Data(repeating: UInt8(index), count: 1000), "\(ids[index])")
        }
        // The plain IDs keep the names they always had; the changed ones carry a digest of the original.
        #expect(results[1].path == directory + "/heygen-a_b-video.mp4")
        #expect(results[3].path == directory + "/heygen-a.b-video.mp4")
        // sha256("a/b") starts c14cddc0.
        #expect(results[0].path == directory + "/heygen-a_b-c14cddc0-video.mp4")
        #expect(results[2].path.hasPrefix(directory + "/heygen-a.b-") && results[2].path.hasSuffix("-video.mp4"))
    }

    @Test(
        "a FIFO or a hard link planted at NAME.part is replaced, never written through, and never hangs",
        .timeLimit(.minutes(1)))
    func fifoAndHardLinkAtPart() async throws {
        let job = DownloaderTests.job()
        try await SimulatorHarness.run([job]) { simulator, endpoint in
            let (client, downloader) = DownloaderTests.downloader(endpoint, apiKey: simulator.apiKey)
            let expected = DownloaderTests.expectedHash(name: "video.mp4", size: Self.size)
            let victim = try Self.victim()
            let planted: [(String, (String) throws -> Void)] = [
                ("fifo", { #expect(mkfifo($0, 0o644) == 0) }),
                ("hard link", { try FileManager.default.linkItem(atPath: victim.path, toPath: $0) }),
            ]
            for (what, plant) in planted {
                let directory = DownloaderTests.directory()
                let item = try await DownloaderTests.plan(client, job.ref, into: directory)[0]
                try plant(item.path + ".part")
                let result = try await downloader.download(item)
                #expect(result.path == item.path, "\(what)")
                #expect(result.sha256 == expected, "\(what)")
                #expect(result.resumedFrom == 0, "\(what)")
                #expect(Self.contents(victim.path) == victim.bytes, "\(what)")
                #expect(!FileManager.default.fileExists(atPath: item.path + ".part"), "\(what)")
            }
            var info = stat()
            #expect(stat(victim.path, &info) == 0 && info.st_nlink == 1)
        }
    }
}
