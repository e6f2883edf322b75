import Foundation
import ReelWatch
import Synchronization

/// A `JobStore` that works on one store and records, best effort, everything written into another: `wait` and
/// `download` run the engine over a ``MemoryJobStore`` and mirror it into the user's durable store, so that
/// `track list` and `run` see those jobs and can finish them.
///
/// Every read comes from the primary. Every write goes to the primary (whose errors are thrown), then to the
/// mirror; the mirror's first error is reported once through `onMirrorFailure`, and the mirror is not used again.
/// A job the mirror does not know yet is tracked there before anything is recorded for it (with the primary's
/// download directory, label and metadata), and a job it knows already keeps what the user gave it there.
/// Files are planned by the mirror first, since it knows the files of other jobs and those that landed before.
/// A job the mirror was already polling (tracked, or followed before) continues its poll schedule: it keeps the
/// time it was added there and its backoff count, so that `wait` polls it as `run` would.
public struct MirroredJobStore: JobStore {
    /// What the mirror is known to hold, and whether it still works.
    private struct State: Sendable {
        var usable = true
        var known: Set<JobRef> = []
    }

    /// The store every read comes from.
    public let primary: MemoryJobStore
    /// The store written to after the primary, best effort.
    public let mirror: any JobStore
    private let onMirrorFailure: @Sendable (ReelWatchError) -> Void
    private let state = SharedState()

    /// Creates a store working on `primary` and mirroring its writes into `mirror`; `onMirrorFailure` hears of the
    /// mirror's first error, after which it is no longer used.
    public init(
        primary: MemoryJobStore, mirror: any JobStore, onMirrorFailure: @escaping @Sendable (ReelWatchError) -> Void
    ) {
        self.primary = primary
        self.mirror = mirror
        self.onMirrorFailure = onMirrorFailure
    }

    /// Whether the mirror has not failed yet.
    public var mirrorIsUsable: Bool {
        state.mutex.withLock { $0.usable }
    }

    public func track(_ request: TrackRequest, at now: Date) async throws(ReelWatchError) -> TrackedJob {
        let job = try await primary.track(request, at: now)
        await mirrored { mirror throws(ReelWatchError) in
            let known = try await mirror.job(request.ref)
            _ = try await mirror.track(request, at: now)
            remember([request.ref])
            if let known { await continueSchedule(of: known) }
        }
        return try await primary.job(request.ref) ?? job
    }

    public func track(all requests: [TrackRequest], at now: Date) async throws(ReelWatchError) -> Set<JobRef> {
        let new = try await primary.track(all: requests, at: now)
        await mirrored { mirror throws(ReelWatchError) in
            let newInMirror = try await mirror.track(all: requests, at: now)
            remember(requests.map(\.ref))
            var seen = Set<JobRef>()
            for request in requests where !newInMirror.contains(request.ref) && seen.insert(request.ref).inserted {
                if let known = try await mirror.job(request.ref) { await continueSchedule(of: known) }
            }
        }
        return new
    }

    /// Gives the primary's job what the mirror knows of its poll schedule, when the mirror was still polling it.
    private func continueSchedule(of known: TrackedJob) async {
        guard known.phase == .polling else { return }
        await primary.continueSchedule(of: known.ref, addedAt: known.addedAt, backoffPolls: known.backoffPolls)
    }

    public func phaseCounts() async throws(ReelWatchError) -> [TrackedJob.Phase: Int] {
        try await primary.phaseCounts()
    }

    public func untrack(_ ref: JobRef) async throws(ReelWatchError) -> Bool {
        let untracked = try await primary.untrack(ref)
        await mirrored { mirror throws(ReelWatchError) in
            state.mutex.withLock { _ = $0.known.remove(ref) }
            _ = try await mirror.untrack(ref)
        }
        return untracked
    }

    public func rename(_ old: JobRef, to new: JobRef) async throws(ReelWatchError) -> Bool {
        let renamed = try await primary.rename(old, to: new)
        await mirrored { mirror throws(ReelWatchError) in
            state.mutex.withLock { _ = $0.known.remove(old) }
            if try await mirror.rename(old, to: new) { remember([new]) }
        }
        return renamed
    }

    public func job(_ ref: JobRef) async throws(ReelWatchError) -> TrackedJob? {
        try await primary.job(ref)
    }

    public func jobs(in phases: Set<TrackedJob.Phase>?, limit: Int?) async throws(ReelWatchError) -> [TrackedJob] {
        try await primary.jobs(in: phases, limit: limit)
    }

    public func dueJobs(at now: Date, limit: Int) async throws(ReelWatchError) -> [TrackedJob] {
        try await primary.dueJobs(at: now, limit: limit)
    }

    public func takeDue(
        of api: ProviderAPI?, at now: Date, limit: Int, leaseUntil: Date
    ) async throws(ReelWatchError) -> [TrackedJob] {
        try await primary.takeDue(of: api, at: now, limit: limit, leaseUntil: leaseUntil)
    }

    /// Leases are taken in the primary store only; the mirror never holds one.
    public func reclaimLeases() async throws(ReelWatchError) -> Int {
        try await primary.reclaimLeases()
    }

    public func release(_ refs: [JobRef], dueAt: Date) async throws(ReelWatchError) {
        try await primary.release(refs, dueAt: dueAt)
        await mirrored { mirror throws(ReelWatchError) in try await mirror.release(refs, dueAt: dueAt) }
    }

    public func expiringLinks(before date: Date, limit: Int) async throws(ReelWatchError) -> [TrackedJob] {
        try await primary.expiringLinks(before: date, limit: limit)
    }

    public func nextDue() async throws(ReelWatchError) -> Date? {
        try await primary.nextDue()
    }

    public func record(_ updates: [PollUpdate]) async throws(ReelWatchError) {
        try await primary.record(updates)
        let refs = updates.map(\.ref)
        guard let newcomers = try await newcomers(among: refs) else { return }
        await mirrored { mirror throws(ReelWatchError) in
            let tracked = try await trackInMirror(newcomers, among: refs)
            let mirrored = updates.filter { tracked.contains($0.ref) }
            if !mirrored.isEmpty { try await mirror.record(mirrored) }
        }
    }

    @discardableResult
    public func plan(
        _ files: [TrackedFile], for ref: JobRef, at now: Date
    ) async throws(ReelWatchError) -> [TrackedFile] {
        let planned: [TrackedFile]??
        if let newcomers = try await newcomers(among: [ref]) {
            planned = await mirrored { mirror throws(ReelWatchError) -> [TrackedFile]? in
                guard try await trackInMirror(newcomers, among: [ref]).contains(ref) else { return nil }
                return try await mirror.plan(files, for: ref, at: now)
            }
        } else {
            planned = nil
        }
        guard let planned = planned ?? nil else { return try await primary.plan(files, for: ref, at: now) }
        // The primary records the mirror's answer: its paths, and the files that landed before as they are.
        try await primary.plan(planned, for: ref, at: now)
        let recorded = try await primary.job(ref)?.files ?? []
        for file in planned where !recorded.contains(file) {
            try await primary.update(file, of: ref, at: now)
        }
        return planned
    }

    public func update(_ file: TrackedFile, of ref: JobRef, at now: Date) async throws(ReelWatchError) {
        try await primary.update(file, of: ref, at: now)
        guard let newcomers = try await newcomers(among: [ref]) else { return }
        await mirrored { mirror throws(ReelWatchError) in
            if try await trackInMirror(newcomers, among: [ref]).contains(ref) {
                try await mirror.update(file, of: ref, at: now)
            }
        }
    }

    public func history(of ref: JobRef) async throws(ReelWatchError) -> [StateTransition] {
        try await primary.history(of: ref)
    }

    public func recordDelivery(_ event: DeliveredEvent) async throws(ReelWatchError) -> Bool {
        try await primary.recordDelivery(event)
    }

    public func deliveredEventCount() async throws(ReelWatchError) -> Int {
        try await primary.deliveredEventCount()
    }

    public func callbackToken() async throws(ReelWatchError) -> String {
        try await primary.callbackToken()
    }

    public func makeDue(_ ref: JobRef, at now: Date) async throws(ReelWatchError) -> TrackedJob? {
        let job = try await primary.makeDue(ref, at: now)
        await mirrored { mirror throws(ReelWatchError) in _ = try await mirror.makeDue(ref, at: now) }
        return job
    }

    public func reopen(_ ref: JobRef, at now: Date) async throws(ReelWatchError) -> TrackedJob? {
        let job = try await primary.reopen(ref, at: now)
        await mirrored { mirror throws(ReelWatchError) in _ = try await mirror.reopen(ref, at: now) }
        return job
    }

    /// Runs `body` on the mirror unless it failed before; its first error is reported, and the mirror dropped.
    @discardableResult
    private func mirrored<T: Sendable>(
        _ body: (any JobStore) async throws(ReelWatchError) -> T
    ) async -> T? {
        guard mirrorIsUsable else { return nil }
        do {
            return try await body(mirror)
        } catch {
            let first = state.mutex.withLock { state in
                defer { state.usable = false }
                return state.usable
            }
            if first { onMirrorFailure(error) }
            return nil
        }
    }

    /// The primary's jobs among `refs` that the mirror is not known to track yet (reading each only until it is);
    /// nil when the mirror is no longer used.
    private func newcomers(among refs: [JobRef]) async throws(ReelWatchError) -> [TrackedJob]? {
        let unknown = state.mutex.withLock { state in
            state.usable ? Set(refs.filter { !state.known.contains($0) }) : nil
        }
        guard let unknown else { return nil }
        var jobs: [TrackedJob] = []
        // A job the primary no longer tracks is not brought into the mirror.
        for ref in unknown { if let job = try await primary.job(ref) { jobs.append(job) } }
        return jobs
    }

    /// Makes sure the mirror tracks `newcomers`, adding those it does not have with what the primary knows of
    /// them (a job it has keeps what the user gave it there); returns the refs among `refs` the mirror tracks.
    private func trackInMirror(
        _ newcomers: [TrackedJob], among refs: [JobRef]
    ) async throws(ReelWatchError) -> Set<JobRef> {
        var missing: [TrackedJob] = []
        for job in newcomers {
            if try await mirror.job(job.ref) == nil { missing.append(job) }
        }
        // One write for the jobs added together, in the order they were added to the primary.
        for (addedAt, jobs) in Dictionary(grouping: missing, by: \.addedAt).sorted(by: { $0.key < $1.key }) {
            let requests = jobs.map { job in
                TrackRequest(ref: job.ref, label: job.label, meta: job.meta, downloadDirectory: job.downloadDirectory)
            }
            _ = try await mirror.track(all: requests, at: addedAt)
        }
        remember(newcomers.map(\.ref))
        return state.mutex.withLock { state in Set(refs.filter { state.known.contains($0) }) }
    }

    private func remember(_ refs: [JobRef]) {
        state.mutex.withLock { $0.known.formUnion(refs) }
    }

    /// The state shared by the copies of a store.
    private final class SharedState: Sendable {
        let mutex = Mutex(State())
    }
}
