import Foundation
import ReelWatch
import ReelWatchStore
import Synchronization
import Testing

/// A store that counts its calls and, once told to, fails every one of them: a mirror that breaks.
actor BreakingJobStore: JobStore {
    private let inner = MemoryJobStore()
    private var broken = false
    /// How many failing calls are held back until they can fail together.
    private var together = 0
    private var held: [CheckedContinuation<Void, Never>] = []
    /// How many calls it has had.
    private(set) var calls = 0

    /// Fails every call from now on; the first `together` calls wait for one another and fail at the same time.
    func breakDown(together: Int = 1) {
        broken = true
        self.together = together
    }

    private func call() async throws(ReelWatchError) {
        calls += 1
        guard broken else { return }
        if held.count + 1 < together {
            await withCheckedContinuation { held.append($0) }
        } else {
            for waiter in held { waiter.resume() }
            held = []
            together = 0
        }
        throw ReelWatchError(code: .storeUnavailable, message: "the job store /broken: disk I/O error")
    }

    func track(_ request: TrackRequest, at now: Date) async throws(ReelWatchError) -> TrackedJob {
        try await call()
        return try await inner.track(request, at: now)
    }

    func track(all requests: [TrackRequest], at now: Date) async throws(ReelWatchError) -> Set<JobRef> {
        try await call()
        return try await inner.track(all: requests, at: now)
    }

    func phaseCounts() async throws(ReelWatchError) -> [TrackedJob.Phase: Int] {
        try await call()
        return try await inner.phaseCounts()
    }

    func untrack(_ ref: JobRef) async throws(ReelWatchError) -> Bool {
        try await call()
        return try await inner.untrack(ref)
    }

    func job(_ ref: JobRef) async throws(ReelWatchError) -> TrackedJob? {
        try await call()
        return try await inner.job(ref)
    }

    func rename(_ old: JobRef, to new: JobRef) async throws(ReelWatchError) -> Bool {
        try await call()
        return try await inner.rename(old, to: new)
    }

    func jobs(in phases: Set<TrackedJob.Phase>?, limit: Int?) async throws(ReelWatchError) -> [TrackedJob] {
        try await call()
        return try await inner.jobs(in: phases, limit: limit)
    }

    func dueJobs(at now: Date, limit: Int) async throws(ReelWatchError) -> [TrackedJob] {
        try await call()
        return try await inner.dueJobs(at: now, limit: limit)
    }

    func takeDue(
        of api: ProviderAPI?, at now: Date, limit: Int, leaseUntil: Date
    ) async throws(ReelWatchError) -> [TrackedJob] {
        try await call()
        return try await inner.takeDue(of: api, at: now, limit: limit, leaseUntil: leaseUntil)
    }

    func reclaimLeases() async throws(ReelWatchError) -> Int {
        try await call()
        return try await inner.reclaimLeases()
    }

    func release(_ refs: [JobRef], dueAt: Date) async throws(ReelWatchError) {
        try await call()
        try await inner.release(refs, dueAt: dueAt)
    }

    func expiringLinks(before date: Date, limit: Int) async throws(ReelWatchError) -> [TrackedJob] {
        try await call()
        return try await inner.expiringLinks(before: date, limit: limit)
    }

    func nextDue() async throws(ReelWatchError) -> Date? {
        try await call()
        return try await inner.nextDue()
    }

    func record(_ updates: [PollUpdate]) async throws(ReelWatchError) {
        try await call()
        try await inner.record(updates)
    }

    @discardableResult
    func plan(_ files: [TrackedFile], for ref: JobRef, at now: Date) async throws(ReelWatchError) -> [TrackedFile] {
        try await call()
        return try await inner.plan(files, for: ref, at: now)
    }

    func update(_ file: TrackedFile, of ref: JobRef, at now: Date) async throws(ReelWatchError) {
        try await call()
        try await inner.update(file, of: ref, at: now)
    }

    func history(of ref: JobRef) async throws(ReelWatchError) -> [StateTransition] {
        try await call()
        return try await inner.history(of: ref)
    }

    func recordDelivery(_ event: DeliveredEvent) async throws(ReelWatchError) -> Bool {
        try await call()
        return try await inner.recordDelivery(event)
    }

    func deliveredEventCount() async throws(ReelWatchError) -> Int {
        try await call()
        return try await inner.deliveredEventCount()
    }

    func makeDue(_ ref: JobRef, at now: Date) async throws(ReelWatchError) -> TrackedJob? {
        try await call()
        return try await inner.makeDue(ref, at: now)
    }

    func reopen(_ ref: JobRef, at now: Date) async throws(ReelWatchError) -> TrackedJob? {
        try await call()
        return try await inner.reopen(ref, at: now)
    }

    func callbackToken() async throws(ReelWatchError) -> String {
        try await call()
        return try await inner.callbackToken()
    }
}

/// The mirror's failures, as reported.
final class MirrorFailures: Sendable {
    private let errors = Mutex<[ReelWatchError]>([])

    func report(_ error: ReelWatchError) { errors.withLock { $0.append(error) } }

    var all: [ReelWatchError] { errors.withLock { $0 } }
}

/// A store in memory mirrored into a SQLite file (or into a mirror that breaks), as `wait` and `download` use it.
@Suite("MirroredJobStore")
struct MirroredJobStoreTests {
    static let t0 = JobStoreTests.t0

    static func at(_ seconds: Double) -> Date { t0.addingTimeInterval(seconds) }

    static func answer(_ ref: JobRef, _ state: JobState, next: Date, at: Date = t0, polls: Int = 1) -> PollUpdate {
        PollUpdate(
            ref: ref, snapshot: JobStoreTests.snapshot(ref, state, state.rawValue), polls: polls, backoffPolls: polls,
            nextPollAt: next, at: at)
    }

    @Test("jobs, answers and files land in both stores; every read comes from the primary")
    func writesReachBoth() async throws {
        let primary = MemoryJobStore()
        let mirror = try SQLiteJobStore(path: JobStoreTests.path())
        let failures = MirrorFailures()
        let store = MirroredJobStore(primary: primary, mirror: mirror, onMirrorFailure: failures.report)
        let a = JobRef(api: .v3, id: "a")
        let b = JobRef(api: .hera, id: "b")
        let elsewhere = JobRef(api: .v1, id: "only-in-the-mirror")
        _ = try await mirror.track(TrackRequest(ref: elsewhere), at: Self.t0)

        let new = try await store.track(
            all: [TrackRequest(ref: a, label: "A", downloadDirectory: "/d"), TrackRequest(ref: b)], at: Self.t0)
        #expect(new == [a, b])
        #expect(try await store.track(TrackRequest(ref: b, downloadDirectory: "/d"), at: Self.t0).label == nil)
        #expect(try await mirror.job(a)?.label == "A")
        #expect(try await mirror.job(b)?.downloadDirectory == "/d")

        // Reads and leases are the primary's.
        #expect(try await store.jobs(in: nil).map(\.ref) == [b, a], "by ref when added together")
        #expect(try await store.job(elsewhere) == nil)
        #expect(try await store.phaseCounts() == [.polling: 2])
        let taken = try await store.takeDue(at: Self.t0, limit: 10, leaseUntil: Self.at(60))
        #expect(taken.map(\.ref).sorted { $0.description < $1.description } == [b, a])
        #expect(try await store.nextDue() == Self.at(60))
        #expect(try await store.dueJobs(at: Self.t0, limit: 10).isEmpty)
        #expect(try await mirror.dueJobs(at: Self.t0, limit: 10).count == 3)

        try await store.record([
            Self.answer(a, .processing, next: Self.at(10), polls: 2),
            Self.answer(b, .succeeded, next: Self.at(10), at: Self.at(5)),
        ])
        for copy in [primary, mirror] as [any JobStore] {
            let jobA = try #require(try await copy.job(a))
            #expect(jobA.polls == 2)
            #expect(jobA.backoffPolls == 2)
            #expect(jobA.state == .processing)
            #expect(jobA.nextPollAt == Self.at(10))
            #expect(try await copy.job(b)?.phase == .downloading)
            #expect(try await copy.history(of: b).map(\.state) == [.succeeded])
        }
        #expect(try await store.history(of: b).map(\.at) == [Self.at(5)])

        let file = TrackedFile(name: "b.mp4", kind: .video, path: "/d/b.mp4")
        #expect(try await store.plan([file], for: b, at: Self.at(6)) == [file])
        var landed = file
        landed.status = .done
        landed.bytes = 42
        landed.sha256 = "0f"
        try await store.update(landed, of: b, at: Self.at(7))
        for copy in [primary, mirror] as [any JobStore] {
            let jobB = try #require(try await copy.job(b))
            #expect(jobB.phase == .done)
            #expect(jobB.files == [landed])
        }

        try await store.release([a], dueAt: Self.at(3))
        #expect(try await primary.job(a)?.nextPollAt == Self.at(3))
        #expect(try await mirror.job(a)?.nextPollAt == Self.at(3))
        #expect(try await store.untrack(b))
        #expect(try await primary.job(b) == nil)
        #expect(try await mirror.job(b) == nil)
        #expect(try await store.expiringLinks(before: Self.at(1000), limit: 10).isEmpty)
        #expect(failures.all.isEmpty)
        #expect(store.mirrorIsUsable)
    }

    @Test("a rename reaches the mirror: the job and its history move there too, and the old ref still finds it")
    func renameReachesMirror() async throws {
        let primary = MemoryJobStore()
        let mirror = try SQLiteJobStore(path: JobStoreTests.path())
        let failures = MirrorFailures()
        let (old, new) = (JobRef(api: .v1, id: "x"), JobRef(api: .v3, id: "x"))
        // Tracked in the mirror by an earlier command, with a label the mirror keeps.
        _ = try await mirror.track(TrackRequest(ref: old, label: "launch"), at: Self.at(-100))
        let store = MirroredJobStore(primary: primary, mirror: mirror, onMirrorFailure: failures.report)
        _ = try await store.track(TrackRequest(ref: old), at: Self.t0)
        try await store.record([Self.answer(old, .processing, next: Self.at(10))])

        #expect(try await store.rename(old, to: new))
        try await store.record([Self.answer(new, .succeeded, next: Self.at(20))])
        #expect(failures.all.isEmpty)
        #expect(try await store.job(old)?.ref == new)
        #expect(try await mirror.jobs(in: nil, limit: nil).map(\.ref) == [new])
        #expect(try await mirror.job(old)?.label == "launch")
        #expect(try await mirror.history(of: old).map(\.state) == [.processing, .succeeded])
    }

    @Test("a job the mirror has keeps its label there; one it lacks is added as the primary has it, read only once")
    func tracksInMirrorBeforeRecording() async throws {
        let primary = MemoryJobStore()
        let mirror = try SQLiteJobStore(path: JobStoreTests.path())
        let failures = MirrorFailures()
        let a = JobRef(api: .v3, id: "a")
        let b = JobRef(api: .hera, id: "b")
        _ = try await mirror.track(TrackRequest(ref: a, label: "launch", meta: ["team": "x"]), at: Self.at(-100))
        // Tracked in the primary before the mirror was attached: the mirror has not heard of them from it.
        _ = try await primary.track(TrackRequest(ref: a, label: "wait", downloadDirectory: "/d"), at: Self.t0)
        _ = try await primary.track(
            TrackRequest(ref: b, label: "B", meta: ["k": "v"], downloadDirectory: "/e"), at: Self.at(1))
        let store = MirroredJobStore(primary: primary, mirror: mirror, onMirrorFailure: failures.report)

        try await store.record([
            Self.answer(a, .processing, next: Self.at(10)), Self.answer(b, .processing, next: Self.at(10)),
        ])
        let mirroredA = try #require(try await mirror.job(a))
        #expect(mirroredA.label == "launch")
        #expect(mirroredA.meta == ["team": "x"])
        #expect(mirroredA.addedAt == Self.at(-100))
        #expect(mirroredA.downloadDirectory == nil)
        #expect(mirroredA.polls == 1)
        let mirroredB = try #require(try await mirror.job(b))
        #expect(mirroredB.label == "B")
        #expect(mirroredB.meta == ["k": "v"])
        #expect(mirroredB.downloadDirectory == "/e")
        #expect(mirroredB.addedAt == Self.at(1))
        #expect(mirroredB.state == .processing)
        #expect(try await primary.job(a)?.label == "wait")

        // Once known, a job costs the mirror one call per write, no read.
        let counting = BreakingJobStore()
        let c = JobRef(api: .v3, id: "c")
        _ = try await primary.track(TrackRequest(ref: c), at: Self.t0)
        let counted = MirroredJobStore(primary: primary, mirror: counting, onMirrorFailure: failures.report)
        try await counted.record([Self.answer(c, .queued, next: Self.at(10))])
        let first = await counting.calls
        #expect(first == 3, "a read, a track and the record")
        try await counted.record([Self.answer(c, .processing, next: Self.at(20))])
        try await counted.update(TrackedFile(name: "c.mp4", kind: .video, path: "/c.mp4"), of: c, at: Self.t0)
        #expect(await counting.calls == first + 2)
        #expect(try await counting.job(c)?.polls == 2)
        // A job the primary does not track is not brought into the mirror.
        try await counted.record([Self.answer(JobRef(api: .v3, id: "stranger"), .queued, next: Self.at(10))])
        #expect(try await counting.job(JobRef(api: .v3, id: "stranger")) == nil)
        #expect(failures.all.isEmpty)
    }

    @Test("files are planned by the mirror: a path another job holds there is numbered, a file that landed is done")
    func plansInMirror() async throws {
        let primary = MemoryJobStore()
        let mirror = try SQLiteJobStore(path: JobStoreTests.path())
        let failures = MirrorFailures()
        // Before this command: a job whose video has the same title, and one whose file landed already.
        let old = JobRef(api: .v3, id: "old")
        let landedBefore = JobRef(api: .v3, id: "landed")
        let title = TrackedFile(name: "Launch-video.mp4", kind: .video, path: "/d/Launch-video.mp4")
        let own = TrackedFile(name: "own.mp4", kind: .video, path: "/d/own.mp4")
        var ownDone = own
        ownDone.status = .done
        ownDone.bytes = 10
        ownDone.sha256 = "ef"
        _ = try await mirror.track(TrackRequest(ref: old, downloadDirectory: "/d"), at: Self.t0)
        try await mirror.plan([title], for: old, at: Self.t0)
        _ = try await mirror.track(
            TrackRequest(ref: landedBefore, label: "user's", downloadDirectory: "/d"), at: Self.t0)
        try await mirror.plan([own], for: landedBefore, at: Self.t0)
        try await mirror.update(ownDone, of: landedBefore, at: Self.t0)

        let store = MirroredJobStore(primary: primary, mirror: mirror, onMirrorFailure: failures.report)
        let new = JobRef(api: .hera, id: "new")
        _ = try await store.track(
            all: [
                TrackRequest(ref: new, downloadDirectory: "/d"),
                TrackRequest(ref: landedBefore, downloadDirectory: "/d"),
            ],
            at: Self.at(1))
        try await store.record([
            Self.answer(new, .succeeded, next: Self.at(10)), Self.answer(landedBefore, .succeeded, next: Self.at(10)),
        ])

        let numbered = try await store.plan([title], for: new, at: Self.at(2))
        #expect(numbered.map(\.path) == ["/d/Launch-video-2.mp4"])
        #expect(try await primary.job(new)?.files.map(\.path) == ["/d/Launch-video-2.mp4"])
        #expect(try await mirror.job(new)?.files.map(\.path) == ["/d/Launch-video-2.mp4"])
        #expect(try await store.job(new)?.phase == .downloading)

        let planned = try await store.plan([own], for: landedBefore, at: Self.at(2))
        #expect(planned == [ownDone])
        let primaryJob = try #require(try await primary.job(landedBefore))
        #expect(primaryJob.files == [ownDone])
        #expect(primaryJob.phase == .done)
        #expect(try await mirror.job(landedBefore)?.phase == .done)
        #expect(try await mirror.job(landedBefore)?.label == "user's")
        #expect(failures.all.isEmpty)
    }

    @Test("a mirror that fails is reported once and dropped; the primary goes on, and plans files itself")
    func mirrorFailure() async throws {
        let primary = MemoryJobStore()
        let mirror = BreakingJobStore()
        let failures = MirrorFailures()
        let store = MirroredJobStore(primary: primary, mirror: mirror, onMirrorFailure: failures.report)
        let a = JobRef(api: .v3, id: "a")
        let b = JobRef(api: .v3, id: "b")
        _ = try await store.track(TrackRequest(ref: a, downloadDirectory: "/d"), at: Self.t0)
        _ = try await mirror.track(TrackRequest(ref: b, downloadDirectory: "/d"), at: Self.t0)
        try await mirror.plan([TrackedFile(name: "v.mp4", kind: .video, path: "/d/v.mp4")], for: b, at: Self.t0)
        await mirror.breakDown()
        let callsBefore = await mirror.calls

        try await store.record([Self.answer(a, .succeeded, next: Self.at(10))])
        #expect(failures.all.map(\.message) == ["the job store /broken: disk I/O error"])
        #expect(!store.mirrorIsUsable)
        #expect(await mirror.calls == callsBefore + 1)

        // The primary's own answer: the path the broken mirror's job holds is not known.
        let file = TrackedFile(name: "v.mp4", kind: .video, path: "/d/v.mp4")
        #expect(try await store.plan([file], for: a, at: Self.at(1)) == [file])
        var landed = file
        landed.status = .done
        try await store.update(landed, of: a, at: Self.at(2))
        _ = try await store.track(TrackRequest(ref: b), at: Self.at(3))
        _ = try await store.track(all: [TrackRequest(ref: b)], at: Self.at(3))
        try await store.record([Self.answer(b, .processing, next: Self.at(10))])
        try await store.release([b], dueAt: Self.at(4))
        #expect(try await store.untrack(b))
        #expect(await mirror.calls == callsBefore + 1, "not used again")
        #expect(failures.all.count == 1)
        let job = try #require(try await primary.job(a))
        #expect(job.phase == .done)
        #expect(job.files == [landed])
        // The primary's errors are thrown.
        await #expect(throws: ReelWatchError.self) {
            try await store.update(file, of: JobRef(api: .v3, id: "untracked"), at: Self.t0)
        }
    }

    @Test("a mirror failing under many concurrent writes is reported once")
    func concurrentFailures() async throws {
        let mirror = BreakingJobStore()
        // Ten writes meet the broken mirror at once: ten errors, one report.
        await mirror.breakDown(together: 10)
        let failures = MirrorFailures()
        let store = MirroredJobStore(primary: MemoryJobStore(), mirror: mirror, onMirrorFailure: failures.report)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<50 {
                group.addTask {
                    _ = try await store.track(TrackRequest(ref: JobRef(api: .hera, id: "j\(index)")), at: Self.t0)
                }
            }
            try await group.waitForAll()
        }
        #expect(failures.all.count == 1)
        #expect(await mirror.calls >= 10)
        #expect(try await store.phaseCounts() == [.polling: 50])
    }
}
