import Crypto
import Foundation
import GRDB
import ReelWatch
import Testing

@testable import ReelWatchStore

/// The SQLite store on a real file: round trips, phases, history, migrations and files that are not stores.
@Suite("SQLiteJobStore")
struct JobStoreTests {
    static func path() -> String {
        NSTemporaryDirectory() + "reelwatch-store-" + UUID().uuidString + "/reelwatch.sqlite"
    }

    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    static func snapshot(_ ref: JobRef, _ state: JobState, _ word: String) -> JobSnapshot {
        JobSnapshot(ref: ref, state: state, providerStatus: ProviderStatus(rawValue: word), title: "T")
    }

    @Test("a tracked job round-trips; tracking it again updates it, merges its metadata, never duplicates it")
    func roundTrip() async throws {
        let path = Self.path()
        let ref = JobRef(api: .v3, id: "abc")
        let store = try SQLiteJobStore(path: path)
        let first = try await store.track(
            TrackRequest(ref: ref, label: "launch", meta: ["team": "a", "env": "ci"], downloadDirectory: "/tmp/x"),
            at: Self.t0)
        #expect(first.ref == ref)
        #expect(first.phase == .polling)
        #expect(first.nextPollAt == Self.t0)
        #expect(first.state == nil)
        _ = try await store.track(TrackRequest(ref: ref, meta: ["team": "b"]), at: Self.t0.addingTimeInterval(5))

        let reopened = try SQLiteJobStore(path: path)
        let jobs = try await reopened.jobs(in: nil)
        #expect(jobs.count == 1)
        let job = try #require(jobs.first)
        #expect(job.label == "launch")
        #expect(job.meta == ["team": "b", "env": "ci"])
        #expect(job.downloadDirectory == "/tmp/x")
        #expect(job.addedAt == Self.t0)
        #expect(job.updatedAt == Self.t0.addingTimeInterval(5))
    }

    @Test("many jobs are added in one call (existing ones updated, not duplicated), counted by phase, listed in pages")
    func manyJobs() async throws {
        let store = try SQLiteJobStore(path: Self.path())
        let refs = (0..<2500).map { JobRef(api: .v3, id: "bulk-\($0)") }
        _ = try await store.track(TrackRequest(ref: refs[0], label: "first"), at: Self.t0)
        let added = try await store.track(
            all: refs.map { TrackRequest(ref: $0, meta: ["batch": "1"], downloadDirectory: "/d") }, at: Self.t0)
        #expect(added == Set(refs.dropFirst()))
        #expect(try await store.phaseCounts() == [.polling: 2500])
        let first = try #require(try await store.job(refs[0]))
        #expect(first.label == "first")
        #expect(first.meta == ["batch": "1"])

        try await store.record(
            refs.prefix(10).map {
                PollUpdate(
                    ref: $0, snapshot: Self.snapshot($0, .succeeded, "completed"), nextPollAt: Self.t0, at: Self.t0)
            })
        try await store.plan(
            [TrackedFile(name: "v.mp4", kind: .video, path: "/d/v.mp4")], for: refs[3], at: Self.t0)
        #expect(try await store.phaseCounts() == [.polling: 2490, .downloading: 10])
        let page = try await store.jobs(in: [.downloading], limit: 4)
        #expect(page.map(\.ref) == Array(refs.prefix(4)))
        #expect(page[3].files.map(\.name) == ["v.mp4"])
        #expect(try await store.jobs(in: [.polling], limit: 5000).count == 2490)
        // A page goes to the jobs that waited longest: one just tried (and failed) goes to the back.
        try await store.update(
            TrackedFile(name: "v.mp4", kind: .video, path: "/d/v.mp4", status: .failed, error: "403"), of: refs[0],
            at: Self.t0.addingTimeInterval(10))
        #expect(try await store.jobs(in: [.downloading], limit: 4).map(\.ref) == Array(refs[1...4]))
        #expect(try await store.jobs(in: [.downloading]).first?.ref == refs[0], "unpaged: oldest first")
        #expect(try await store.jobs(in: nil).count == 2500)
    }

    @Test("polls move a job through its phases; each state change is in the history once")
    func phasesAndHistory() async throws {
        let store = try SQLiteJobStore(path: Self.path())
        let withFiles = JobRef(api: .v3, id: "files")
        let plain = JobRef(api: .hera, id: "plain")
        let failing = JobRef(api: .v1, id: "fails")
        _ = try await store.track(TrackRequest(ref: withFiles, downloadDirectory: "/d"), at: Self.t0)
        _ = try await store.track(TrackRequest(ref: plain), at: Self.t0)
        _ = try await store.track(TrackRequest(ref: failing), at: Self.t0)
        let t1 = Self.t0.addingTimeInterval(10)
        try await store.record([
            PollUpdate(
                ref: withFiles, snapshot: Self.snapshot(withFiles, .processing, "processing"), nextPollAt: t1,
                at: Self.t0),
            PollUpdate(
                ref: plain, snapshot: Self.snapshot(plain, .processing, "in-progress"), nextPollAt: t1, at: Self.t0),
            PollUpdate(ref: failing, snapshot: Self.snapshot(failing, .queued, "waiting"), nextPollAt: t1, at: Self.t0),
        ])
        #expect(try await store.dueJobs(at: Self.t0, limit: 10).isEmpty)
        #expect(try await store.dueJobs(at: t1, limit: 2).count == 2)
        #expect(try await store.nextDue() == t1)

        try await store.record([
            PollUpdate(
                ref: withFiles, snapshot: Self.snapshot(withFiles, .processing, "processing"), nextPollAt: t1, at: t1),
            PollUpdate(
                ref: withFiles, snapshot: Self.snapshot(withFiles, .succeeded, "completed"), nextPollAt: t1, at: t1),
            PollUpdate(ref: plain, snapshot: Self.snapshot(plain, .succeeded, "success"), nextPollAt: t1, at: t1),
            PollUpdate(ref: failing, snapshot: Self.snapshot(failing, .failed, "failed"), nextPollAt: t1, at: t1),
        ])
        #expect(try await store.job(withFiles)?.phase == .downloading)
        #expect(try await store.job(plain)?.phase == .done)
        #expect(try await store.job(failing)?.phase == .done)
        #expect(try await store.job(withFiles)?.polls == 3)
        #expect(try await store.dueJobs(at: t1.addingTimeInterval(100), limit: 10).isEmpty)
        #expect(try await store.nextDue() == nil)
        let history = try await store.history(of: withFiles)
        #expect(history.map(\.state) == [.processing, .succeeded])
        #expect(history.map(\.providerStatus) == ["processing", "completed"])

        let video = TrackedFile(name: "v.mp4", kind: .video, path: "/d/v.mp4")
        let thumb = TrackedFile(name: "t.jpg", kind: .thumbnail, path: "/d/t.jpg")
        try await store.plan([video, thumb], for: withFiles, at: t1)
        var done = video
        done.status = .done
        done.bytes = 10
        done.sha256 = "ab"
        try await store.update(done, of: withFiles, at: t1)
        #expect(try await store.job(withFiles)?.phase == .downloading)
        var thumbDone = thumb
        thumbDone.status = .done
        try await store.update(thumbDone, of: withFiles, at: t1)
        let finished = try #require(try await store.job(withFiles))
        #expect(finished.phase == .done)
        #expect(finished.files.map(\.status) == [.done, .done])
        #expect(finished.files.first?.sha256 == "ab")
        // Planning again keeps what is done.
        try await store.plan([video], for: withFiles, at: t1)
        #expect(try await store.job(withFiles)?.files.first?.status == .done)
    }

    @Test("a job the provider does not know stops being polled; removing a job removes its history and files")
    func goneAndRemoved() async throws {
        let store = try SQLiteJobStore(path: Self.path())
        let ref = JobRef(api: .translate, id: "nope")
        _ = try await store.track(TrackRequest(ref: ref), at: Self.t0)
        try await store.record([
            PollUpdate(ref: ref, snapshot: nil, error: "not found", nextPollAt: Self.t0, at: Self.t0, gone: true)
        ])
        let job = try #require(try await store.job(ref))
        #expect(job.phase == .done)
        #expect(job.lastError == "not found")
        #expect(try await store.untrack(ref))
        #expect(try await store.untrack(ref) == false)
        #expect(try await store.job(ref) == nil)
        #expect(try await store.history(of: ref).isEmpty)
    }

    @Test("a poll's backoff count is recorded when given and kept when not, on answers and on failed polls")
    func backoffPolls() async throws {
        let store = try SQLiteJobStore(path: Self.path())
        let ref = JobRef(api: .v3, id: "slow")
        #expect(try await store.track(TrackRequest(ref: ref), at: Self.t0).backoffPolls == 0)
        let t1 = Self.t0.addingTimeInterval(60)
        try await store.record([
            PollUpdate(
                ref: ref, snapshot: Self.snapshot(ref, .processing, "processing"), backoffPolls: 7, nextPollAt: t1,
                at: Self.t0)
        ])
        #expect(try await store.job(ref)?.backoffPolls == 7)
        try await store.record([
            PollUpdate(ref: ref, snapshot: Self.snapshot(ref, .processing, "processing"), nextPollAt: t1, at: t1)
        ])
        #expect(try await store.job(ref)?.backoffPolls == 7)
        try await store.record([
            PollUpdate(ref: ref, snapshot: nil, error: "503", polls: 3, nextPollAt: t1, at: t1)
        ])
        #expect(try await store.job(ref)?.backoffPolls == 7)
        try await store.record([
            PollUpdate(ref: ref, snapshot: nil, error: "503", backoffPolls: 8, nextPollAt: t1, at: t1)
        ])
        let job = try #require(try await store.job(ref))
        #expect(job.backoffPolls == 8)
        #expect(job.polls == 6)
        try await store.record([
            PollUpdate(
                ref: ref, snapshot: Self.snapshot(ref, .processing, "processing"), backoffPolls: 0, nextPollAt: t1,
                at: t1)
        ])
        #expect(try await store.job(ref)?.backoffPolls == 0)
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
        #expect(applied == ["v1", "v2", "v3", "v4"])
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
        #expect(applied == ["v1", "v2", "v3", "v4"])
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
