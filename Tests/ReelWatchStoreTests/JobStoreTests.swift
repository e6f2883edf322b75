import Foundation
import ReelWatch
import Testing

@testable import ReelWatchStore

/// The kinds of store every behaviour is checked against.
enum StoreKind: String, Sendable, CustomTestStringConvertible {
    /// `SQLiteJobStore` on a real file in a new temporary directory.
    case sqlite
    /// `MemoryJobStore`.
    case memory

    var testDescription: String { rawValue }

    /// A new, empty store of this kind.
    func make() throws -> any JobStore {
        switch self {
        case .sqlite: try SQLiteJobStore(path: JobStoreTests.path())
        case .memory: MemoryJobStore()
        }
    }

    /// `store` opened again: the same file for SQLite, the same store in memory.
    func reopen(_ store: any JobStore) throws -> any JobStore {
        guard let store = store as? SQLiteJobStore else { return store }
        return try SQLiteJobStore(path: store.path)
    }
}

/// What every `JobStore` does: round trips, phases, history, file planning, leases and backoff counts, checked
/// against each kind of store.
@Suite("JobStore")
struct JobStoreTests {
    static func path() -> String {
        NSTemporaryDirectory() + "reelwatch-store-" + UUID().uuidString + "/reelwatch.sqlite"
    }

    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    static func snapshot(_ ref: JobRef, _ state: JobState, _ word: String) -> JobSnapshot {
        JobSnapshot(ref: ref, state: state, providerStatus: ProviderStatus(rawValue: word), title: "T")
    }

    /// An answer for `ref` in `state`, next due at `next`.
    static func answer(_ ref: JobRef, _ state: JobState, next: Date, at: Date = t0) -> PollUpdate {
        PollUpdate(ref: ref, snapshot: snapshot(ref, state, state.rawValue), nextPollAt: next, at: at)
    }

    @Test(
        "a tracked job round-trips; tracking it again updates it, merges its metadata, never duplicates it",
        arguments: [StoreKind.sqlite, .memory])
    func roundTrip(kind: StoreKind) async throws {
        let ref = JobRef(api: .v3, id: "abc")
        let store = try kind.make()
        let first = try await store.track(
            TrackRequest(ref: ref, label: "launch", meta: ["team": "a", "env": "ci"], downloadDirectory: "/tmp/x"),
            at: Self.t0)
        #expect(first.ref == ref)
        #expect(first.phase == .polling)
        #expect(first.nextPollAt == Self.t0)
        #expect(first.state == nil)
        #expect(first.polls == 0)
        #expect(first.backoffPolls == 0)
        let second = try await store.track(
            TrackRequest(ref: ref, meta: ["team": "b"]), at: Self.t0.addingTimeInterval(5))
        #expect(second.label == "launch")

        let reopened = try kind.reopen(store)
        let jobs = try await reopened.jobs(in: nil)
        #expect(jobs.count == 1)
        let job = try #require(jobs.first)
        #expect(job.label == "launch")
        #expect(job.meta == ["team": "b", "env": "ci"])
        #expect(job.downloadDirectory == "/tmp/x")
        #expect(job.addedAt == Self.t0)
        #expect(job.updatedAt == Self.t0.addingTimeInterval(5))
        #expect(job == second)
    }

    @Test(
        "an answer that changed nothing moves the counters and times only; the snapshot and history stay as they were",
        arguments: [StoreKind.sqlite, .memory])
    func unchangedSnapshot(kind: StoreKind) async throws {
        let ref = JobRef(api: .v3, id: "same")
        let store = try kind.make()
        _ = try await store.track(TrackRequest(ref: ref), at: Self.t0)
        let processing = Self.snapshot(ref, .processing, "processing")
        try await store.record([
            PollUpdate(ref: ref, snapshot: processing, backoffPolls: 0, nextPollAt: Self.t0, at: Self.t0)
        ])
        try await store.record([
            PollUpdate(
                ref: ref, snapshot: processing, polls: 2, backoffPolls: 3, nextPollAt: Self.t0.addingTimeInterval(30),
                at: Self.t0.addingTimeInterval(20), snapshotUnchanged: true)
        ])
        let job = try #require(try await kind.reopen(store).job(ref))
        #expect(job.snapshot == processing)
        #expect(job.polls == 3)
        #expect(job.backoffPolls == 3)
        #expect(job.nextPollAt == Self.t0.addingTimeInterval(30))
        #expect(job.updatedAt == Self.t0.addingTimeInterval(20))
        #expect(try await store.history(of: ref).map(\.state) == [.processing])
        // Claimed unchanged, but the store holds another state (another writer): written in full.
        let done = Self.snapshot(ref, .succeeded, "completed")
        try await store.record([
            PollUpdate(
                ref: ref, snapshot: done, nextPollAt: Self.t0.addingTimeInterval(40),
                at: Self.t0.addingTimeInterval(40), snapshotUnchanged: true)
        ])
        let after = try #require(try await kind.reopen(store).job(ref))
        #expect(after.snapshot == done)
        #expect(after.phase == .done)
        #expect(try await store.history(of: ref).map(\.state) == [.processing, .succeeded])
    }

    @Test(
        "many jobs are added in one call (existing ones updated, not duplicated), counted by phase, listed in pages",
        arguments: [StoreKind.sqlite, .memory])
    func manyJobs(kind: StoreKind) async throws {
        let store = try kind.make()
        let refs = (0..<2500).map { JobRef(api: .v3, id: "bulk-\($0)") }
        _ = try await store.track(TrackRequest(ref: refs[0], label: "first"), at: Self.t0)
        let added = try await store.track(
            all: refs.map { TrackRequest(ref: $0, meta: ["batch": "1"], downloadDirectory: "/d") }, at: Self.t0)
        #expect(added == Set(refs.dropFirst()))
        #expect(try await store.phaseCounts() == [.polling: 2500])
        let first = try #require(try await store.job(refs[0]))
        #expect(first.label == "first")
        #expect(first.meta == ["batch": "1"])

        try await store.record(refs.prefix(10).map { Self.answer($0, .succeeded, next: Self.t0) })
        try await store.plan(
            [TrackedFile(name: "v.mp4", kind: .video, path: "/d/v.mp4")], for: refs[3], at: Self.t0)
        #expect(try await store.phaseCounts() == [.polling: 2490, .downloading: 10])
        let page = try await store.jobs(in: [.downloading], limit: 4)
        // Ties in time go by ref, as text.
        #expect(page.map(\.ref) == [refs[0], refs[1], refs[2], refs[3]])
        #expect(page[3].files.map(\.name) == ["v.mp4"])
        #expect(try await store.jobs(in: [.polling], limit: 5000).count == 2490)
        // A page goes to the jobs that waited longest: one just tried (and failed) goes to the back.
        try await store.update(
            TrackedFile(name: "v.mp4", kind: .video, path: "/d/v.mp4", status: .failed, error: "403"), of: refs[0],
            at: Self.t0.addingTimeInterval(10))
        #expect(try await store.jobs(in: [.downloading], limit: 4).map(\.ref) == Array(refs[1...4]))
        #expect(try await store.jobs(in: [.downloading], limit: 0).isEmpty)
        #expect(try await store.jobs(in: [.downloading]).first?.ref == refs[0], "unpaged: oldest first")
        #expect(try await store.jobs(in: [.downloading]).first?.files.map(\.status) == [.failed])
        #expect(try await store.jobs(in: [.done, .downloading]).count == 10)
        let all = try await store.jobs(in: nil)
        #expect(all.count == 2500)
        // Added at the same time: by ref as text ("bulk-10" before "bulk-2").
        #expect(all.map(\.ref.description) == refs.map(\.description).sorted())
    }

    @Test(
        "polls move a job through its phases; each state change is in the history once",
        arguments: [StoreKind.sqlite, .memory])
    func phasesAndHistory(kind: StoreKind) async throws {
        let store = try kind.make()
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

        // A failed poll keeps the snapshot and notes the error; the next answer clears it.
        try await store.record([PollUpdate(ref: plain, snapshot: nil, error: "timeout", nextPollAt: t1, at: t1)])
        let erred = try #require(try await store.job(plain))
        #expect(erred.lastError == "timeout")
        #expect(erred.state == .processing)
        #expect(erred.phase == .polling)
        #expect(erred.updatedAt == t1)

        try await store.record([
            PollUpdate(
                ref: withFiles, snapshot: Self.snapshot(withFiles, .processing, "processing"), nextPollAt: t1, at: t1),
            PollUpdate(
                ref: withFiles, snapshot: Self.snapshot(withFiles, .succeeded, "completed"), nextPollAt: t1, at: t1),
            PollUpdate(ref: plain, snapshot: Self.snapshot(plain, .succeeded, "success"), nextPollAt: t1, at: t1),
            PollUpdate(ref: failing, snapshot: Self.snapshot(failing, .failed, "failed"), nextPollAt: t1, at: t1),
            // Untracked: ignored.
            Self.answer(JobRef(api: .v3, id: "stranger"), .succeeded, next: t1),
        ])
        #expect(try await store.job(withFiles)?.phase == .downloading)
        #expect(try await store.job(plain)?.phase == .done)
        #expect(try await store.job(plain)?.lastError == nil)
        #expect(try await store.job(plain)?.polls == 3)
        #expect(try await store.job(failing)?.phase == .done)
        #expect(try await store.job(withFiles)?.polls == 3)
        #expect(try await store.job(JobRef(api: .v3, id: "stranger")) == nil)
        #expect(try await store.dueJobs(at: t1.addingTimeInterval(100), limit: 10).isEmpty)
        #expect(try await store.nextDue() == nil)
        let history = try await store.history(of: withFiles)
        #expect(history.map(\.state) == [.processing, .succeeded])
        #expect(history.map(\.providerStatus) == ["processing", "completed"])
        #expect(history.map(\.at) == [Self.t0, t1])
        // A terminal job answered again stays where it is.
        try await store.record([Self.answer(failing, .processing, next: t1, at: t1)])
        #expect(try await store.job(failing)?.phase == .done)
        #expect(try await store.history(of: failing).map(\.state) == [.queued, .failed, .processing])

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
        let t2 = t1.addingTimeInterval(5)
        try await store.update(thumbDone, of: withFiles, at: t2)
        let finished = try #require(try await store.job(withFiles))
        #expect(finished.phase == .done)
        #expect(finished.updatedAt == t2)
        #expect(finished.files.map(\.status) == [.done, .done])
        #expect(finished.files.first?.sha256 == "ab")
        // Planning again keeps what is done.
        try await store.plan([video], for: withFiles, at: t1)
        #expect(try await store.job(withFiles)?.files.first?.status == .done)

        // A job that finished without a directory goes on to downloading when given one; it has no files yet.
        let moved = try await store.track(TrackRequest(ref: plain, downloadDirectory: "/e"), at: t2)
        #expect(moved.phase == .downloading)
        #expect(try await store.track(TrackRequest(ref: failing, downloadDirectory: "/e"), at: t2).phase == .done)
        // Planning no files finishes it.
        #expect(try await store.plan([], for: plain, at: t2).isEmpty)
        #expect(try await store.job(plain)?.phase == .done)
        #expect(try await store.phaseCounts() == [.done: 3])
    }

    @Test(
        "a job the provider does not know stops being polled; removing a job removes its history and files",
        arguments: [StoreKind.sqlite, .memory])
    func goneAndRemoved(kind: StoreKind) async throws {
        let store = try kind.make()
        let ref = JobRef(api: .translate, id: "nope")
        _ = try await store.track(TrackRequest(ref: ref, downloadDirectory: "/d"), at: Self.t0)
        try await store.record([Self.answer(ref, .queued, next: Self.t0)])
        try await store.plan([TrackedFile(name: "v.mp4", kind: .video, path: "/d/v.mp4")], for: ref, at: Self.t0)
        try await store.record([
            PollUpdate(ref: ref, snapshot: nil, error: "not found", nextPollAt: Self.t0, at: Self.t0, gone: true)
        ])
        let job = try #require(try await store.job(ref))
        #expect(job.phase == .done)
        #expect(job.lastError == "not found")
        #expect(try await store.nextDue() == nil)
        #expect(try await store.untrack(ref))
        #expect(try await store.untrack(ref) == false)
        #expect(try await store.job(ref) == nil)
        #expect(try await store.history(of: ref).isEmpty)
        #expect(try await store.phaseCounts() == [:])
        // Tracked again, it starts afresh: no history, no files, and the path is free.
        _ = try await store.track(TrackRequest(ref: ref, downloadDirectory: "/d"), at: Self.t0)
        #expect(try await store.job(ref)?.files == [])
        #expect(try await store.history(of: ref).isEmpty)
        let other = JobRef(api: .v3, id: "other")
        _ = try await store.track(TrackRequest(ref: other, downloadDirectory: "/d"), at: Self.t0)
        let planned = try await store.plan(
            [TrackedFile(name: "v.mp4", kind: .video, path: "/d/v.mp4")], for: other, at: Self.t0)
        #expect(planned.map(\.path) == ["/d/v.mp4"])
    }

    @Test(
        "a path another job's file holds is numbered; a job's own files keep theirs; a freed path is free again",
        arguments: [StoreKind.sqlite, .memory])
    func plansNumberedPaths(kind: StoreKind) async throws {
        let store = try kind.make()
        let (a, b, c, d) = (
            JobRef(api: .v3, id: "a"), JobRef(api: .v3, id: "b"), JobRef(api: .v3, id: "c"), JobRef(api: .v3, id: "d")
        )
        for ref in [a, b, c, d] {
            _ = try await store.track(TrackRequest(ref: ref, downloadDirectory: "/d"), at: Self.t0)
        }
        let wanted = [
            TrackedFile(name: "Launch-video.mp4", kind: .video, path: "/d/Launch-video.mp4"),
            TrackedFile(name: "Launch", kind: .captions, path: "/d/Launch"),
        ]
        let first = try await store.plan(wanted, for: a, at: Self.t0)
        #expect(first.map(\.path) == ["/d/Launch-video.mp4", "/d/Launch"])
        var landed = first[0]
        landed.status = .done
        landed.bytes = 10
        landed.sha256 = "cd"
        try await store.update(landed, of: a, at: Self.t0)
        // The same titles for three jobs: each its own paths, recorded, and the same again when planned again.
        #expect(
            try await store.plan(wanted, for: b, at: Self.t0).map(\.path) == ["/d/Launch-video-2.mp4", "/d/Launch-2"])
        #expect(
            try await store.plan(wanted, for: c, at: Self.t0).map(\.path) == ["/d/Launch-video-3.mp4", "/d/Launch-3"])
        #expect(
            try await store.plan(wanted, for: b, at: Self.t0).map(\.path) == ["/d/Launch-video-2.mp4", "/d/Launch-2"])
        let bFiles = try #require(try await store.job(b)).files
        #expect(bFiles.map(\.path) == ["/d/Launch-video-2.mp4", "/d/Launch-2"])
        #expect(bFiles.map(\.status) == [.pending, .pending])
        // The job that had the name keeps it, state and all.
        let again = try await store.plan(wanted, for: a, at: Self.t0)
        #expect(again.map(\.path) == ["/d/Launch-video.mp4", "/d/Launch"])
        #expect(again.map(\.status) == [.done, .pending])
        #expect(again.first?.bytes == 10)
        // A file moved to another path frees its old one and holds the new one.
        var moved = bFiles[0]
        moved.path = "/d/elsewhere.mp4"
        try await store.update(moved, of: b, at: Self.t0)
        let elsewhere = [TrackedFile(name: "x.mp4", kind: .video, path: "/d/elsewhere.mp4")]
        #expect(try await store.plan(elsewhere, for: d, at: Self.t0).map(\.path) == ["/d/elsewhere-2.mp4"])
        let freed = [TrackedFile(name: "y.mp4", kind: .video, path: "/d/Launch-video-2.mp4")]
        #expect(try await store.plan(freed, for: d, at: Self.t0).map(\.path) == ["/d/Launch-video-2.mp4"])
        // Untracking a job frees its paths.
        #expect(try await store.untrack(a))
        let reused = [TrackedFile(name: "z.mp4", kind: .video, path: "/d/Launch-video.mp4")]
        #expect(try await store.plan(reused, for: d, at: Self.t0).map(\.path) == ["/d/Launch-video.mp4"])
        #expect(try await store.job(d)?.files.map(\.name) == ["x.mp4", "y.mp4", "z.mp4"])
    }

    @Test(
        "a renamed job keeps its history, files and schedule under the new ref; the old ref still finds and removes it",
        arguments: [StoreKind.sqlite, .memory])
    func rename(kind: StoreKind) async throws {
        let store = try kind.make()
        let (old, new) = (JobRef(api: .v1, id: "x"), JobRef(api: .v3, id: "x"))
        let other = JobRef(api: .v3, id: "other")
        _ = try await store.track(TrackRequest(ref: old, label: "launch", downloadDirectory: "/d"), at: Self.t0)
        _ = try await store.track(TrackRequest(ref: other, downloadDirectory: "/d"), at: Self.t0)
        try await store.record([Self.answer(old, .processing, next: Self.t0.addingTimeInterval(30))])
        let file = TrackedFile(name: "x.mp4", kind: .video, path: "/d/x.mp4")
        #expect(try await store.plan([file], for: old, at: Self.t0).map(\.path) == ["/d/x.mp4"])

        #expect(try await store.rename(old, to: new))
        #expect(try await store.rename(old, to: new) == false)
        let reopened = try kind.reopen(store)
        let job = try #require(try await reopened.job(new))
        #expect(job.ref == new)
        #expect(job.snapshot?.ref == new)
        #expect(job.label == "launch")
        #expect(job.polls == 1)
        #expect(job.nextPollAt == Self.t0.addingTimeInterval(30))
        #expect(job.files.map(\.path) == ["/d/x.mp4"])
        #expect(try await reopened.job(old)?.ref == new)
        #expect(try await reopened.history(of: new).map(\.state) == [.processing])
        #expect(try await reopened.history(of: old).map(\.state) == [.processing])
        #expect(try await reopened.jobs(in: nil, limit: nil).map(\.ref) == [other, new])
        // Recorded under the new ref from then on; its file's path is still its own.
        try await reopened.record([Self.answer(new, .succeeded, next: Self.t0.addingTimeInterval(60))])
        #expect(try await reopened.history(of: old).map(\.state) == [.processing, .succeeded])
        #expect(try await reopened.plan([file], for: other, at: Self.t0).map(\.path) == ["/d/x-2.mp4"])

        #expect(try await reopened.untrack(old))
        #expect(try await reopened.job(new) == nil)
        #expect(try await reopened.job(old) == nil)
        #expect(try await reopened.untrack(old) == false)
        #expect(try await reopened.jobs(in: nil, limit: nil).map(\.ref) == [other])
    }

    @Test(
        "renaming onto a ref tracked already drops the old job; the old ref names the one kept",
        arguments: [StoreKind.sqlite, .memory])
    func renameOntoTracked(kind: StoreKind) async throws {
        let store = try kind.make()
        let (old, new) = (JobRef(api: .translateV2, id: "t"), JobRef(api: .translate, id: "t"))
        _ = try await store.track(TrackRequest(ref: old), at: Self.t0)
        _ = try await store.track(TrackRequest(ref: new, label: "kept"), at: Self.t0)
        #expect(try await store.rename(old, to: new))
        #expect(try await store.jobs(in: nil, limit: nil).map(\.ref) == [new])
        #expect(try await store.job(old)?.label == "kept")
    }

    @Test(
        "files of a job that is not tracked are refused, and nothing is recorded",
        arguments: [StoreKind.sqlite, .memory])
    func filesOfUntrackedJob(kind: StoreKind) async throws {
        let store = try kind.make()
        let ref = JobRef(api: .hera, id: "ghost")
        let file = TrackedFile(name: "v.mp4", kind: .video, path: "/d/v.mp4")
        await #expect {
            try await store.plan([file], for: ref, at: Self.t0)
        } throws: { error in
            (error as? ReelWatchError)?.code == .storeUnavailable
        }
        await #expect {
            try await store.update(file, of: ref, at: Self.t0)
        } throws: { error in
            (error as? ReelWatchError)?.code == .storeUnavailable
        }
        #expect(try await store.plan([], for: ref, at: Self.t0).isEmpty)
        // The path is still free.
        let other = JobRef(api: .hera, id: "real")
        _ = try await store.track(TrackRequest(ref: other, downloadDirectory: "/d"), at: Self.t0)
        #expect(try await store.plan([file], for: other, at: Self.t0).map(\.path) == ["/d/v.mp4"])
        #expect(try await store.job(ref) == nil)
    }

    @Test(
        "a poll's backoff count is recorded when given and kept when not, on answers and on failed polls",
        arguments: [StoreKind.sqlite, .memory])
    func backoffPolls(kind: StoreKind) async throws {
        let store = try kind.make()
        let ref = JobRef(api: .v3, id: "slow")
        #expect(try await store.track(TrackRequest(ref: ref), at: Self.t0).backoffPolls == 0)
        let t1 = Self.t0.addingTimeInterval(60)
        try await store.record([
            PollUpdate(
                ref: ref, snapshot: Self.snapshot(ref, .processing, "processing"), backoffPolls: 7, nextPollAt: t1,
                at: Self.t0)
        ])
        #expect(try await kind.reopen(store).job(ref)?.backoffPolls == 7)
        try await store.record([Self.answer(ref, .processing, next: t1, at: t1)])
        #expect(try await store.job(ref)?.backoffPolls == 7)
        try await store.record([PollUpdate(ref: ref, snapshot: nil, error: "503", polls: 3, nextPollAt: t1, at: t1)])
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
        // Tracking it again does not reset it.
        try await store.record([PollUpdate(ref: ref, snapshot: nil, backoffPolls: 3, nextPollAt: t1, at: t1)])
        #expect(try await store.track(TrackRequest(ref: ref, label: "x"), at: t1).backoffPolls == 3)
    }

    @Test(
        "links about to expire are listed soonest first, only for jobs that succeeded",
        arguments: [StoreKind.sqlite, .memory])
    func expiringLinks(kind: StoreKind) async throws {
        let store = try kind.make()
        func answer(_ ref: JobRef, _ state: JobState, expiring: [Double?]) -> PollUpdate {
            let assets = expiring.map { seconds in
                Asset(kind: .video, url: "https://cdn/x", expiresAt: seconds.map { Self.t0.addingTimeInterval($0) })
            }
            let snapshot = JobSnapshot(
                ref: ref, state: state, providerStatus: ProviderStatus(rawValue: "s"), assets: assets)
            return PollUpdate(ref: ref, snapshot: snapshot, nextPollAt: Self.t0, at: Self.t0)
        }
        let refs = (0..<5).map { JobRef(api: .hera, id: "links-\($0)") }
        _ = try await store.track(all: refs.map { TrackRequest(ref: $0) }, at: Self.t0)
        try await store.record([
            answer(refs[0], .succeeded, expiring: [300, 100]),
            answer(refs[1], .succeeded, expiring: [50]),
            answer(refs[2], .processing, expiring: [10]),
            answer(refs[3], .succeeded, expiring: [nil]),
            answer(refs[4], .succeeded, expiring: [5000]),
        ])
        let soon = try await store.expiringLinks(before: Self.t0.addingTimeInterval(1000), limit: 10)
        #expect(soon.map(\.ref) == [refs[1], refs[0]])
        #expect(
            try await store.expiringLinks(before: Self.t0.addingTimeInterval(1000), limit: 1).map(\.ref) == [refs[1]])
        #expect(try await store.expiringLinks(before: Self.t0.addingTimeInterval(50), limit: 10).isEmpty)
        // A fresh answer with fresh links replaces the old expiry.
        try await store.record([answer(refs[1], .succeeded, expiring: [2000])])
        #expect(
            try await store.expiringLinks(before: Self.t0.addingTimeInterval(1000), limit: 10).map(\.ref) == [refs[0]])
    }

    // MARK: Leases

    /// `count` jobs tracked at `t0` and answered "processing", due `1…count` seconds after `t0` in ref order.
    static func trackDue(_ store: any JobStore, count: Int) async throws -> [JobRef] {
        let refs = (1...count).map { JobRef(api: .v3, id: "due-\($0)") }
        // Tracked in reverse, so that the order of due jobs is not the order they were added in.
        _ = try await store.track(all: refs.reversed().map { TrackRequest(ref: $0) }, at: t0)
        try await store.record(
            refs.enumerated().map { index, ref in
                Self.answer(ref, .processing, next: t0.addingTimeInterval(Double(index + 1)))
            })
        return refs
    }

    @Test(
        "takeDue leases the most overdue jobs up to its limit, hidden from the next takeDue, dueJobs and nextDue",
        arguments: [StoreKind.sqlite, .memory])
    func takeDueLeases(kind: StoreKind) async throws {
        let store = try kind.make()
        let refs = try await Self.trackDue(store, count: 5)
        let later = JobRef(api: .hera, id: "later")
        _ = try await store.track(TrackRequest(ref: later), at: Self.t0)
        try await store.record([Self.answer(later, .queued, next: Self.t0.addingTimeInterval(50))])
        let now = Self.t0.addingTimeInterval(10)
        let leaseUntil = Self.t0.addingTimeInterval(300)

        #expect(try await store.takeDue(at: now, limit: 0, leaseUntil: leaseUntil).isEmpty)
        let taken = try await store.takeDue(at: now, limit: 3, leaseUntil: leaseUntil)
        #expect(taken.map(\.ref) == Array(refs.prefix(3)))
        // As they were before the lease.
        #expect(taken.map(\.nextPollAt) == (1...3).map { Self.t0.addingTimeInterval(Double($0)) })
        #expect(taken.map(\.state) == [.processing, .processing, .processing])
        #expect(taken.map(\.polls) == [1, 1, 1])
        #expect(try await store.dueJobs(at: now, limit: 10).map(\.ref) == Array(refs.suffix(2)))
        let rest = try await store.takeDue(at: now, limit: 10, leaseUntil: leaseUntil)
        #expect(rest.map(\.ref) == Array(refs.suffix(2)))
        #expect(try await store.takeDue(at: now, limit: 10, leaseUntil: leaseUntil).isEmpty)
        #expect(try await store.dueJobs(at: now, limit: 10).isEmpty)
        #expect(try await store.nextDue() == Self.t0.addingTimeInterval(50))
        // Nothing else about them changed.
        #expect(try await store.phaseCounts() == [.polling: 6])
        #expect(try await store.job(refs[0])?.polls == 1)
    }

    @Test(
        "recording an update for a leased job ends its lease: it is due at its new time",
        arguments: [StoreKind.sqlite, .memory])
    func updateEndsLease(kind: StoreKind) async throws {
        let store = try kind.make()
        let refs = try await Self.trackDue(store, count: 2)
        let now = Self.t0.addingTimeInterval(10)
        let taken = try await store.takeDue(at: now, limit: 10, leaseUntil: Self.t0.addingTimeInterval(600))
        #expect(taken.count == 2)
        let next = Self.t0.addingTimeInterval(20)
        try await store.record([Self.answer(refs[0], .processing, next: next, at: now)])
        #expect(try await store.nextDue() == next)
        #expect(try await store.takeDue(at: next.addingTimeInterval(-1), limit: 10, leaseUntil: next).isEmpty)
        let again = try await store.takeDue(at: next, limit: 10, leaseUntil: Self.t0.addingTimeInterval(600))
        #expect(again.map(\.ref) == [refs[0]])
        #expect(again.first?.nextPollAt == next)
        #expect(again.first?.polls == 2)
        // A failed poll ends it too.
        try await store.record([PollUpdate(ref: refs[1], snapshot: nil, error: "503", nextPollAt: next, at: now)])
        #expect(try await store.dueJobs(at: next, limit: 10).map(\.ref) == [refs[1]])
    }

    @Test(
        "released jobs are due again at the given time; those no longer polling stay as they are",
        arguments: [StoreKind.sqlite, .memory])
    func releaseMakesDue(kind: StoreKind) async throws {
        let store = try kind.make()
        let refs = try await Self.trackDue(store, count: 3)
        let now = Self.t0.addingTimeInterval(10)
        let leaseUntil = Self.t0.addingTimeInterval(600)
        #expect(try await store.takeDue(at: now, limit: 10, leaseUntil: leaseUntil).count == 3)
        try await store.record([Self.answer(refs[2], .succeeded, next: leaseUntil, at: now)])
        let dueAt = Self.t0.addingTimeInterval(30)
        try await store.release([refs[0], refs[2], JobRef(api: .v3, id: "unknown")], dueAt: dueAt)
        try await store.release([], dueAt: dueAt)
        #expect(try await store.nextDue() == dueAt)
        #expect(try await store.dueJobs(at: dueAt.addingTimeInterval(-1), limit: 10).isEmpty)
        let due = try await store.takeDue(at: dueAt, limit: 10, leaseUntil: leaseUntil)
        #expect(due.map(\.ref) == [refs[0]])
        #expect(due.first?.nextPollAt == dueAt)
        let done = try #require(try await store.job(refs[2]))
        #expect(done.phase == .done)
        #expect(done.nextPollAt == leaseUntil)
        #expect(try await store.job(JobRef(api: .v3, id: "unknown")) == nil)
    }

    @Test(
        "a lease that ended (its worker gone) makes the job due again",
        arguments: [StoreKind.sqlite, .memory])
    func leaseEnds(kind: StoreKind) async throws {
        let store = try kind.make()
        let refs = try await Self.trackDue(store, count: 2)
        let leaseUntil = Self.t0.addingTimeInterval(30)
        #expect(
            try await store.takeDue(at: Self.t0.addingTimeInterval(1), limit: 10, leaseUntil: leaseUntil).count == 1)
        #expect(try await store.nextDue() == Self.t0.addingTimeInterval(2))
        #expect(
            try await store.takeDue(at: Self.t0.addingTimeInterval(2), limit: 10, leaseUntil: leaseUntil).count == 1)
        #expect(try await store.nextDue() == leaseUntil)
        #expect(
            try await store.takeDue(at: leaseUntil.addingTimeInterval(-1), limit: 10, leaseUntil: leaseUntil).isEmpty)
        let expired = try await store.takeDue(
            at: leaseUntil.addingTimeInterval(5), limit: 10, leaseUntil: leaseUntil.addingTimeInterval(60))
        #expect(Set(expired.map(\.ref)) == Set(refs))
    }

    @Test(
        "the next worker reclaims a dead worker's leases: each job due again when it was, a renewed lease keeping the first time",
        arguments: [StoreKind.sqlite, .memory])
    func reclaimLeases(kind: StoreKind) async throws {
        let store = try kind.make()
        let refs = try await Self.trackDue(store, count: 4)
        let now = Self.t0.addingTimeInterval(10)
        let leaseUntil = Self.t0.addingTimeInterval(70)
        #expect(try await store.takeDue(at: now, limit: 4, leaseUntil: leaseUntil).count == 4)
        // refs[0]'s lease ran out with its poll still in flight: taken again, it keeps the time it was due.
        let renewed = try await store.takeDue(
            at: leaseUntil, limit: 10, leaseUntil: leaseUntil.addingTimeInterval(60))
        #expect(Set(renewed.map(\.ref)) == Set(refs))
        // refs[1] was answered, refs[2] released: no lease left on them.
        let next = Self.t0.addingTimeInterval(500)
        try await store.record([Self.answer(refs[1], .processing, next: next, at: now)])
        try await store.release([refs[2]], dueAt: Self.t0.addingTimeInterval(400))
        #expect(try await store.takeDue(at: now, limit: 10, leaseUntil: leaseUntil).isEmpty)
        #expect(try await store.nextDue() == Self.t0.addingTimeInterval(130))

        // The worker dies; the next one (a new process: the store opened again) reclaims what it held.
        let reopened = try kind.reopen(store)
        #expect(try await reopened.reclaimLeases() == 2)
        #expect(try await reopened.nextDue() == Self.t0.addingTimeInterval(1))
        let due = try await reopened.takeDue(at: now, limit: 10, leaseUntil: leaseUntil)
        #expect(due.map(\.ref) == [refs[0], refs[3]])
        #expect(due.map(\.nextPollAt) == [Self.t0.addingTimeInterval(1), Self.t0.addingTimeInterval(4)])
        #expect(try await reopened.job(refs[1])?.nextPollAt == next)
        #expect(try await reopened.job(refs[2])?.nextPollAt == Self.t0.addingTimeInterval(400))
        #expect(try await reopened.reclaimLeases() == 2)
        #expect(try await reopened.reclaimLeases() == 0)
    }

    @Test(
        "takeDue of one API takes only that API's due jobs, leaving the others due",
        arguments: [StoreKind.sqlite, .memory])
    func takeDueOfOneAPI(kind: StoreKind) async throws {
        let store = try kind.make()
        let refs = try await Self.trackDue(store, count: 2)
        let translation = JobRef(api: .translate, id: "due-1")
        let v2 = JobRef(api: .translateV2, id: "due-2")
        _ = try await store.track(all: [TrackRequest(ref: translation), TrackRequest(ref: v2)], at: Self.t0)
        let now = Self.t0.addingTimeInterval(10)
        let leaseUntil = Self.t0.addingTimeInterval(600)
        let videos = try await store.takeDue(of: .v3, at: now, limit: 10, leaseUntil: leaseUntil)
        #expect(videos.map(\.ref) == refs)
        #expect(try await store.takeDue(of: .v3, at: now, limit: 10, leaseUntil: leaseUntil).isEmpty)
        #expect(
            try await store.takeDue(of: .translate, at: now, limit: 10, leaseUntil: leaseUntil).map(\.ref) == [
                translation
            ])
        #expect(try await store.takeDue(at: now, limit: 10, leaseUntil: leaseUntil).map(\.ref) == [v2])
    }

    @Test(
        "takeDue over thousands of jobs hands each out once, in batches",
        arguments: [StoreKind.sqlite, .memory])
    func takeDueInBatches(kind: StoreKind) async throws {
        let store = try kind.make()
        let refs = (0..<2500).map { JobRef(api: .hera, id: "batch-\($0)") }
        _ = try await store.track(all: refs.map { TrackRequest(ref: $0) }, at: Self.t0)
        let now = Self.t0.addingTimeInterval(1)
        let leaseUntil = Self.t0.addingTimeInterval(600)
        var batches: [[TrackedJob]] = []
        for _ in 0..<4 { batches.append(try await store.takeDue(at: now, limit: 1000, leaseUntil: leaseUntil)) }
        #expect(batches.map(\.count) == [1000, 1000, 500, 0])
        let taken = batches.joined().map(\.ref)
        #expect(Set(taken) == Set(refs))
        #expect(taken.count == refs.count)
        #expect(try await store.nextDue() == leaseUntil)
        try await store.release(refs, dueAt: now)
        #expect(try await store.dueJobs(at: now, limit: 5000).count == 2500)
    }
}
