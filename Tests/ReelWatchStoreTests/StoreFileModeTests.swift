import Foundation
import ReelWatch
import Testing

@testable import ReelWatchStore

/// The store holds the callback token and signed links: other local users must not read it.
@Suite("Store file modes")
struct StoreFileModeTests {
    static func mode(_ path: String) throws -> mode_t {
        var info = stat()
        guard lstat(path, &info) == 0 else { throw CocoaError(.fileNoSuchFile) }
        return info.st_mode & 0o777
    }

    @Test("a new home is made 0700, the store and its -wal and -shm 0600, whatever the umask")
    func newHome() async throws {
        let path = JobStoreTests.path()
        let home = (path as NSString).deletingLastPathComponent
        let previous = umask(0o022)
        defer { umask(previous) }
        let store = try SQLiteJobStore(path: path)
        _ = try await store.track(TrackRequest(ref: try JobRef(parsing: "heygen:abc")), at: JobStoreTests.t0)
        #expect(try Self.mode(home) == 0o700)
        #expect(try Self.mode(path) == 0o600)
        #expect(try Self.mode(path + "-wal") == 0o600)
        #expect(try Self.mode(path + "-shm") == 0o600)
    }

    @Test("the worker lock beside the store is 0600, and one an older reelwatch made 0644 is tightened")
    func workerLock() throws {
        let path = JobStoreTests.path()
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        do {
            let lock = try StoreWorkerLock(storePath: path, command: "reelwatch run")
            #expect(try Self.mode(lock.path) == 0o600)
        }
        #expect(chmod(path + ".worker", 0o644) == 0)
        let lock = try StoreWorkerLock(storePath: path, command: "reelwatch run")
        #expect(try Self.mode(lock.path) == 0o600)
    }

    @Test("an existing store's files are tightened to 0600 on open; the directory the user chose is left as it is")
    func existingStore() async throws {
        let path = JobStoreTests.path()
        let home = (path as NSString).deletingLastPathComponent
        // A store another process keeps open, so its -wal and -shm exist, as an older reelwatch left them.
        let first = try SQLiteJobStore(path: path)
        _ = try await first.track(TrackRequest(ref: try JobRef(parsing: "heygen:abc")), at: JobStoreTests.t0)
        chmod(home, 0o755)
        for file in [path, path + "-wal", path + "-shm"] {
            #expect(chmod(file, 0o644) == 0)
        }
        let store = try SQLiteJobStore(path: path)
        _ = try await store.track(TrackRequest(ref: try JobRef(parsing: "heygen:def")), at: JobStoreTests.t0)
        #expect(try Self.mode(home) == 0o755)
        #expect(try Self.mode(path) == 0o600)
        #expect(try Self.mode(path + "-wal") == 0o600)
        #expect(try Self.mode(path + "-shm") == 0o600)
        _ = try await first.jobs(in: nil)
    }
}
