import Crypto
import Foundation
import GRDB
import ReelWatch
import Testing

@testable import ReelWatchStore

/// What only the SQLite store has: a file, which may be corrupt, another program's, a link, or of an older schema.
@Suite("SQLiteJobStore")
struct SQLiteJobStoreTests {
    static func path() -> String { JobStoreTests.path() }

    static let t0 = JobStoreTests.t0

    static func snapshot(_ ref: JobRef, _ state: JobState, _ word: String) -> JobSnapshot {
        JobStoreTests.snapshot(ref, state, word)
    }

    @Test("a file that is not a SQLite database is refused with a clear error, and left as it was")
    func corruptFile() async throws {
        let path = Self.path()
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let garbage = Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
        try garbage.write(to: URL(fileURLWithPath: path))
        #expect {
            try SQLiteJobStore(path: path)
        } throws: { error in
            let error = error as? ReelWatchError
            return error?.code == .storeUnavailable && error?.message.contains("not a SQLite database") == true
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == garbage)
    }

    @Test("another program's SQLite database, or one from a newer reelwatch, is refused")
    func foreignAndNewer() async throws {
        let foreign = Self.path()
        try FileManager.default.createDirectory(
            atPath: (foreign as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let queue = try DatabaseQueue(path: foreign)
        try await queue.write { db in try db.execute(sql: "CREATE TABLE users (id INTEGER PRIMARY KEY)") }
        #expect {
            try SQLiteJobStore(path: foreign)
        } throws: { error in
            (error as? ReelWatchError)?.message.contains("another program (tables: users)") == true
        }

        let newer = Self.path()
        _ = try SQLiteJobStore(path: newer)
        let pool = try DatabaseQueue(path: newer)
        try await pool.write { db in try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99')") }
        #expect {
            try SQLiteJobStore(path: newer)
        } throws: { error in
            (error as? ReelWatchError)?.message.contains("newer reelwatch (schema v99)") == true
        }
    }

    /// The files in `path`'s directory with their SHA-256, so a test can see that nothing there changed.
    static func contents(besides path: String) throws -> [String: String] {
        let directory = (path as NSString).deletingLastPathComponent
        var files: [String: String] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: directory) {
            let data = try Data(contentsOf: URL(fileURLWithPath: directory + "/" + name))
            files[name] = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
        }
        return files
    }

    /// Another program's database at `path`, with a table and rows, in `journalMode`, closed.
    static func foreignDatabase(at path: String, journalMode: String) throws {
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let queue = try DatabaseQueue(path: path)
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA journal_mode = \(journalMode)")
            try db.execute(
                sql: """
                    CREATE TABLE invoices (id INTEGER PRIMARY KEY, customer TEXT NOT NULL, cents INTEGER NOT NULL);
                    INSERT INTO invoices (customer, cents) VALUES ('ACME', 12000), ('Globex', 990);
                    """)
        }
        try queue.close()
    }

    @Test(
        "another program's database (rollback journal or WAL) is refused and left byte for byte, no -wal or -shm made",
        arguments: ["DELETE", "WAL"])
    func foreignUntouched(journalMode: String) async throws {
        let path = Self.path()
        try Self.foreignDatabase(at: path, journalMode: journalMode)
        let before = try Self.contents(besides: path)
        #expect(Array(before.keys) == ["reelwatch.sqlite"])
        #expect {
            try SQLiteJobStore(path: path)
        } throws: { error in
            let error = error as? ReelWatchError
            return error?.code == .storeUnavailable && error?.message.contains(path) == true
                && error?.message.contains("another program (tables: invoices)") == true
        }
        #expect(try Self.contents(besides: path) == before)
    }

    @Test("a symbolic link at the store's path is refused, not followed: its target is neither made nor touched")
    func symlinkRefused() async throws {
        let path = Self.path()
        let directory = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        // A link to nothing yet: following it would create the target.
        let target = directory + "/elsewhere.sqlite"
        try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: target)
        #expect {
            try SQLiteJobStore(path: path)
        } throws: { error in
            (error as? ReelWatchError)?.message.contains("\(path): is a symbolic link (to \(target))") == true
        }
        #expect(!FileManager.default.fileExists(atPath: target))
        // A link to a real store is refused all the same.
        let real = Self.path()
        _ = try SQLiteJobStore(path: real)
        try FileManager.default.removeItem(atPath: path)
        try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: real)
        let before = try Self.contents(besides: real)
        #expect(throws: ReelWatchError.self) { try SQLiteJobStore(path: path) }
        #expect(try Self.contents(besides: real) == before)
    }

    @Test("what is not a regular file, or not a database, is refused without blocking; an empty file becomes a store")
    func notAStoreFile() async throws {
        let directoryPath = Self.path()
        try FileManager.default.createDirectory(atPath: directoryPath, withIntermediateDirectories: true)
        #expect {
            try SQLiteJobStore(path: directoryPath)
        } throws: { error in
            (error as? ReelWatchError)?.message.contains("is a directory") == true
        }

        let fifo = Self.path()
        try FileManager.default.createDirectory(
            atPath: (fifo as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        #expect(mkfifo(fifo, 0o600) == 0)
        #expect {
            try SQLiteJobStore(path: fifo)
        } throws: { error in
            (error as? ReelWatchError)?.message.contains("is not a regular file") == true
        }

        let text = Self.path()
        try FileManager.default.createDirectory(
            atPath: (text as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data("ref,label\nheygen:a,launch\n".utf8).write(to: URL(fileURLWithPath: text))
        let before = try Self.contents(besides: text)
        #expect {
            try SQLiteJobStore(path: text)
        } throws: { error in
            (error as? ReelWatchError)?.message.contains("not a SQLite database") == true
        }
        #expect(try Self.contents(besides: text) == before)

        let empty = Self.path()
        try FileManager.default.createDirectory(
            atPath: (empty as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: empty, contents: Data()))
        let store = try SQLiteJobStore(path: empty)
        _ = try await store.track(TrackRequest(ref: JobRef(api: .hera, id: "e")), at: Self.t0)
        #expect(try await store.jobs(in: nil).count == 1)
    }

    @Test("a store written by the first schema is migrated in place, its jobs intact")
    func migratesFromV1() async throws {
        let path = Self.path()
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let queue = try DatabaseQueue(path: path)
        try StoreSchema.migrator.migrate(queue, upTo: "v1")
        try await queue.write { db in
            try db.execute(
                sql: """
                    INSERT INTO job (ref, label, meta, added_at, updated_at, next_poll_at, phase, polls)
                    VALUES ('heygen:old', 'from v1', '{"k":"v"}', 1800000000, 1800000000, 1800000000, 'polling', 3)
                    """)
        }
        let store = try SQLiteJobStore(path: path)
        let job = try #require(try await store.job(JobRef(api: .v3, id: "old")))
        #expect(job.label == "from v1")
        #expect(job.meta == ["k": "v"])
        #expect(job.polls == 3)
        let applied = try await queue.read { db in
            try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations")
        }
        #expect(applied == StoreSchema.migrator.migrations)
    }

    @Test("a store of schema v2 with planned files is migrated to v3; a path another job holds is numbered")
    func migratesFromV2AndNumbersTakenPaths() async throws {
        let path = Self.path()
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let queue = try DatabaseQueue(path: path)
        try StoreSchema.migrator.migrate(queue, upTo: "v2")
        try await queue.write { db in
            try db.execute(
                sql: """
                    INSERT INTO job (ref, added_at, updated_at, next_poll_at, phase, download_dir, files_planned)
                    VALUES ('heygen:a', 1800000000, 1800000000, 1800000000, 'downloading', '/d', 1);
                    INSERT INTO file (ref, name, kind, path, status, bytes, updated_at)
                    VALUES ('heygen:a', 'Launch-video.mp4', 'video', '/d/Launch-video.mp4', 'done', 10, 1800000000);
                    """)
        }
        let store = try SQLiteJobStore(path: path)
        let indexes = try await queue.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'file'")
        }
        #expect(indexes.contains("file_path"))
        let b = JobRef(api: .v3, id: "b")
        let c = JobRef(api: .v3, id: "c")
        for ref in [b, c] { _ = try await store.track(TrackRequest(ref: ref, downloadDirectory: "/d"), at: Self.t0) }
        let wanted = [TrackedFile(name: "Launch-video.mp4", kind: .video, path: "/d/Launch-video.mp4")]
        // The same title for three jobs: each its own path, recorded, and the same again when planned again.
        #expect(try await store.plan(wanted, for: b, at: Self.t0).map(\.path) == ["/d/Launch-video-2.mp4"])
        #expect(try await store.plan(wanted, for: c, at: Self.t0).map(\.path) == ["/d/Launch-video-3.mp4"])
        #expect(try await store.plan(wanted, for: b, at: Self.t0).map(\.path) == ["/d/Launch-video-2.mp4"])
        #expect(try await store.job(b)?.files.map(\.path) == ["/d/Launch-video-2.mp4"])
        // The job that had the name keeps it, state and all.
        let a = try await store.plan(wanted, for: JobRef(api: .v3, id: "a"), at: Self.t0)
        #expect(a.map(\.path) == ["/d/Launch-video.mp4"])
        #expect(a.map(\.status) == [.done])
    }

    @Test("v4 to v5: translations tracked before keep the v2 API as heygen-translate-v2, history and files too")
    func migratesTranslationsToV2Prefix() async throws {
        let path = Self.path()
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let queue = try DatabaseQueue(path: path)
        try StoreSchema.migrator.migrate(queue, upTo: "v4")
        // What a v4 store wrote for a v2 translation (then `heygen-translate:`) and a v3 video.
        let oldSnapshot =
            #"{"api":"translate","assets":[],"id":"tr-1","provider":"heygen","ref":"heygen-translate:tr-1","#
            + #""state":"processing","title":"heygen-translate: in a title"}"#
        try await queue.write { db in
            try db.execute(
                sql: """
                    INSERT INTO job (ref, added_at, updated_at, next_poll_at, phase, polls, snapshot, state)
                    VALUES ('heygen-translate:tr-1', 1800000000, 1800000000, 1800000100, 'polling', 4, ?, 'processing'),
                           ('heygen:tr-1', 1800000000, 1800000000, 1800000100, 'polling', 1, NULL, NULL);
                    INSERT INTO transition (ref, state, provider_status, at)
                    VALUES ('heygen-translate:tr-1', 'processing', 'running', 1800000050);
                    INSERT INTO file (ref, name, kind, path, updated_at)
                    VALUES ('heygen-translate:tr-1', 'f.mp4', 'video', '/d/f.mp4', 1800000050);
                    """,
                arguments: [oldSnapshot])
        }
        let store = try SQLiteJobStore(path: path)
        let moved = JobRef(api: .translateV2, id: "tr-1")
        #expect(try await store.job(JobRef(api: .translate, id: "tr-1")) == nil)
        let job = try #require(try await store.job(moved))
        #expect(job.polls == 4)
        #expect(job.snapshot?.ref == moved)
        #expect(job.snapshot?.title == "heygen-translate: in a title")
        #expect(job.files.map(\.path) == ["/d/f.mp4"])
        #expect(try await store.history(of: moved).map(\.providerStatus) == ["running"])
        #expect(try await store.job(JobRef(api: .v3, id: "tr-1"))?.polls == 1)
    }

    @Test("a store of schema v3 is migrated to v4, its jobs intact with no backoff polls")
    func migratesFromV3() async throws {
        let path = Self.path()
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let queue = try DatabaseQueue(path: path)
        try StoreSchema.migrator.migrate(queue, upTo: "v3")
        try await queue.write { db in
            try db.execute(
                sql: """
                    INSERT INTO job (ref, label, added_at, updated_at, next_poll_at, phase, polls, links_expire_at)
                    VALUES ('hera:old', 'from v3', 1800000000, 1800000000, 1800000100, 'polling', 12, 1800009000)
                    """)
        }
        let store = try SQLiteJobStore(path: path)
        let ref = JobRef(api: .hera, id: "old")
        let job = try #require(try await store.job(ref))
        #expect(job.label == "from v3")
        #expect(job.polls == 12)
        #expect(job.nextPollAt == Self.t0.addingTimeInterval(100))
        #expect(job.backoffPolls == 0)
        let applied = try await queue.read { db in
            try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations")
        }
        #expect(applied == StoreSchema.migrator.migrations)
        try await store.record([
            PollUpdate(
                ref: ref, snapshot: Self.snapshot(ref, .processing, "processing"), backoffPolls: 7,
                nextPollAt: Self.t0, at: Self.t0)
        ])
        #expect(try await SQLiteJobStore(path: path).job(ref)?.backoffPolls == 7)
    }

    @Test("a directory that cannot be created is a clear error")
    func unusableDirectory() async throws {
        let blocker = NSTemporaryDirectory() + "reelwatch-blocker-" + UUID().uuidString
        try Data("x".utf8).write(to: URL(fileURLWithPath: blocker))
        #expect {
            try SQLiteJobStore(path: blocker + "/home/reelwatch.sqlite")
        } throws: { error in
            let error = error as? ReelWatchError
            return error?.code == .storeUnavailable && error?.message.contains("cannot create the directory") == true
        }
    }
}
