import AsyncHTTPClient
import Foundation
import HTTPTypes
import NIOCore
import ReelWatchSimulator
import ReelWatchTestSupport
import ReelWatchTesting
import Synchronization
import Testing

@testable import ReelWatch

#if canImport(Glibc)
    import Glibc
#endif

/// What makes a large download fast, checked over real HTTP against the simulator: big socket reads, disk
/// blocks reserved up front.
@Suite("Large downloads")
struct LargeDownloadTests {
    /// Records the largest chunk a transport hands over; the first chunks it holds up for a moment, so that
    /// the socket has a backlog to read from.
    final class ChunkSizes: BodySink {
        private let state = Mutex((largest: 0, chunks: 0, bytes: 0))

        func accept(_ head: HTTPResponse) -> Bool { head.status.code == 200 }

        func consume(_ chunk: ByteBuffer) throws {
            let chunks = state.withLock { state in
                state.largest = max(state.largest, chunk.readableBytes)
                state.chunks += 1
                state.bytes += chunk.readableBytes
                return state.chunks
            }
            if chunks <= 32 { usleep(2000) }
        }

        var largest: Int { state.withLock { $0.largest } }
        var bytes: Int { state.withLock { $0.bytes } }
    }

    static func job(size: Int) -> SimulatedJob {
        SimulatedJob(ref: JobRef(api: .v3, id: "large"), queueTime: .zero, renderTime: .zero, videoSize: size)
    }

    @Test("the download client reads more than 64 KiB at a time from a busy connection; NIO's default does not")
    func largeReads() async throws {
        let size = 16 << 20
        try await SimulatorHarness.run([Self.job(size: size)]) { simulator, endpoint in
            let client = SimulatorHarness.client(endpoint)
            let url = try #require(try await client.snapshot(of: Self.job(size: size).ref).assets.first?.url)
            let request = try #require(HTTPRequest(linkTo: url))
            var largest: [Int] = []
            for configuration in [AsyncHTTPClientTransport.downloadConfiguration, HTTPClient.Configuration()] {
                let sink = ChunkSizes()
                let (head, _) = try await Self.withClient(configuration) { http in
                    try await AsyncHTTPClientTransport(client: http).receive(request, into: sink)
                }
                #expect(head.status.code == 200)
                #expect(sink.bytes == size)
                largest.append(sink.largest)
            }
            #expect(largest[0] > 64 * 1024)
            #expect(largest[0] <= AsyncHTTPClientTransport.largestRead)
            #expect(largest[1] <= 64 * 1024)
        }
    }

    @Test("a large file's blocks are reserved up front; a dropped download leaves a .part of what arrived")
    func reservedBlocks() async throws {
        let size = 4 << 20
        let job = Self.job(size: size)
        try await SimulatorHarness.run([job]) { simulator, endpoint in
            await simulator.inject(.dropAfter(bytes: 1_500_000), forFilesOf: job.ref)
            let client = SimulatorHarness.client(endpoint)
            let directory = DownloaderTests.directory()
            let item = try Downloader.plan(try await client.snapshot(of: job.ref), directory: directory)[0]
            try await Self.withClient(AsyncHTTPClientTransport.downloadConfiguration) { http in
                let once = Downloader(
                    statusClient: client, transport: AsyncHTTPClientTransport(client: http),
                    retryPolicy: RetryPolicy(maxRetries: 0))
                await #expect(throws: ReelWatchError.self) { try await once.download(item) }

                var part = stat()
                #expect(stat(item.path + ".part", &part) == 0)
                #expect(part.st_size > 0 && part.st_size <= 1_500_000)
                if Self.fileSystemAllocates(in: directory) {
                    #expect(Int(part.st_blocks) * 512 >= size)
                }

                let again = Downloader(statusClient: client, transport: AsyncHTTPClientTransport(client: http))
                let result = try await again.download(item)
                #expect(result.resumedFrom == Int64(part.st_size))
                #expect(result.bytes == Int64(size))
                #expect(PartialFile.entry(at: item.path) == .file(size: Int64(size)))
                #expect(result.sha256 == DownloaderTests.expectedHash(name: "video.mp4", size: size))
            }
            try? FileManager.default.removeItem(atPath: directory)
        }
    }

    /// Runs `body` with a client set up by `configuration`, and shuts the client down however `body` ends.
    static func withClient<Value: Sendable>(
        _ configuration: HTTPClient.Configuration, _ body: (HTTPClient) async throws -> Value
    ) async throws -> Value {
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        do {
            let value = try await body(http)
            try await http.shutdown()
            return value
        } catch {
            try? await http.shutdown()
            throw error
        }
    }

    /// Whether the file system under `directory` allocates blocks ahead of the data (`posix_fallocate`
    /// succeeds and the blocks show up), independently of the code under test.
    static func fileSystemAllocates(in directory: String) -> Bool {
        let probe = directory + "/probe"
        let descriptor = open(probe, O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { return false }
        defer {
            close(descriptor)
            unlink(probe)
        }
        var info = stat()
        return posix_fallocate(descriptor, 0, 1 << 20) == 0 && fstat(descriptor, &info) == 0
            && Int(info.st_blocks) * 512 >= 1 << 20
    }
}
