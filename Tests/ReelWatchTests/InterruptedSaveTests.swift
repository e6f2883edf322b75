import Crypto
import Foundation
import GRDB
import ReelWatch
import ReelWatchDaemon
import ReelWatchSimulator
import ReelWatchStore
import ReelWatchTestSupport
import ReelWatchTesting
import Testing

/// A run killed between renaming a file into place and the store's record of it, then a restart, on a real SQLite
/// file against the simulator over HTTP: the file is recognised as the job's own, never fetched again as `NAME-2`.
@Suite("A kill between the rename and the store's record")
struct InterruptedSaveTests {
    static let size = 60_000

    /// Where the earlier run was killed.
    enum Kill: String, CaseIterable, CustomTestStringConvertible {
        /// After the rename, before the record of the landed file: the store's write of it fails.
        case afterRename
        /// Before anything was recorded: the file is at its name, the store has no file for the job.
        case beforeAnyRecord

        var testDescription: String { rawValue }
    }

    static func tracker(_ endpoint: SimulatorServer.Endpoint, store: any JobStore) -> Tracker {
        // The real clock, for the downloader's backoff: the one retry of a 503 waits a few milliseconds. Dates are
        // the simulator's (frozen).
        let client = StatusClient(
            configuration: endpoint.configuration(apiKey: "sim-key"),
            retryPolicy: RetryPolicy(maxRetries: 2, baseDelay: .milliseconds(10), maxDelay: .milliseconds(20)),
            clock: ContinuousClock(),
            random: { 0.5 },
            wallClock: { SimulatorHarness.epoch },
            logger: SimulatorHarness.quiet
        )
        let downloader = Downloader(
            statusClient: client,
            transport: AsyncHTTPClientTransport(),
            retryPolicy: RetryPolicy(maxRetries: 2, baseDelay: .milliseconds(10), maxDelay: .milliseconds(20))
        )
        return Tracker(store: store, client: client, downloader: downloader)
    }

    @Test(
        "the restart finds the file at NAME as the job's own against a server answering an empty 206 or a 503 once",
        arguments: Kill.allCases, [SimulatorFileFault.emptyRange, .serverError(status: 503)]
    )
    func restart(kill: Kill, fault: SimulatorFileFault) async throws {
        let job = SimulatedJob(
            ref: JobRef(api: .v3, id: "k"), queueTime: .zero, renderTime: .zero, videoSize: Self.size)
        try await SimulatorHarness.run([job]) { simulator, endpoint in
            let path = NSTemporaryDirectory() + "reelwatch-kill-\(UUID().uuidString)/reelwatch.sqlite"
            let directory = NSTemporaryDirectory() + "reelwatch-kill-files-" + UUID().uuidString
            let name = directory + "/heygen-k-video.mp4"
            let store = try SQLiteJobStore(path: path)
            _ = try await store.track(
                TrackRequest(ref: job.ref, downloadDirectory: directory), at: SimulatorHarness.epoch)
            let first = Self.tracker(endpoint, store: store)
            #expect(try await first.pollDue() == 1)

            switch kill {
            case .afterRename:
                // The store refuses the record of the landed file, as a kill right after the rename leaves it.
                let database = try DatabaseQueue(path: path)
                try await database.write { db in
                    try db.execute(
                        sql: """
                            CREATE TRIGGER killed_after_rename BEFORE UPDATE ON file WHEN NEW.status = 'done'
                            BEGIN SELECT RAISE(ABORT, 'killed after the rename'); END
                            """)
                }
                #expect(try await first.downloadPending() == 0)
                #expect(FileManager.default.fileExists(atPath: name))
                let recorded = try #require(try await store.job(job.ref)?.files.first)
                #expect(recorded.status == .pending)
                #expect(recorded.path == name)
                // Recorded before the rename: where the file lands, its length and its SHA-256.
                #expect(recorded.bytes == Int64(Self.size))
                #expect(recorded.sha256?.count == 64)
                try await database.write { db in try db.execute(sql: "DROP TRIGGER killed_after_rename") }
            case .beforeAnyRecord:
                let bytes = SimulatedFile.bytes(count: Self.size, seed: SimulatedFile.seed(forName: "video.mp4"))
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                #expect(FileManager.default.createFile(atPath: name, contents: Data(bytes)))
                #expect(try await store.job(job.ref)?.files == [])
            }
            let servedBefore = await simulator.totalBytesServed

            // The restart: a new process on the same store file, against a server that checks badly.
            await simulator.inject(fault, forFilesOf: job.ref)
            let restarted = try SQLiteJobStore(path: path)
            #expect(try await Self.tracker(endpoint, store: restarted).downloadPending() == 1)
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["heygen-k-video.mp4"])
            let saved = try #require(try await restarted.job(job.ref))
            #expect(saved.phase == .done)
            #expect(saved.files.map(\.path) == [name])
            #expect(saved.files.first?.status == .done)
            #expect(saved.files.first?.bytes == Int64(Self.size))
            let data = try Data(contentsOf: URL(fileURLWithPath: name))
            #expect(saved.files.first?.sha256 == SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined())
            #expect(await simulator.totalBytesServed == servedBefore)
        }
    }
}
