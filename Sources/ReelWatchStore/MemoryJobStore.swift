import Foundation
import ReelWatch

/// A `JobStore` in memory, for a command that follows only its own jobs (`wait`, `download`): it behaves as
/// ``SQLiteJobStore`` does, and is gone when the process ends.
///
/// Jobs are kept by ref, with the set of those still polling and the files by path beside them, so that a call
/// costs at most one scan of the jobs still polling, whatever the history.
public actor MemoryJobStore: JobStore {
    /// A job as stored: the job, and what the store keeps about it besides.
    private struct Entry {
        var job: TrackedJob
        /// The ref as text: SQLite orders jobs by it (byte by byte) where their times tie.
        let key: String
        /// Insertion order: SQLite returns due jobs with the same time in the order of their rows.
        let sequence: Int
        /// Whether its files have been planned; until then it cannot finish downloading.
        var filesPlanned = false
        /// When its earliest link expires, from its latest answer.
        var linksExpireAt: Date?
        /// Its state changes, oldest first.
        var history: [StateTransition] = []
        /// While it is leased, when it was due before it was taken.
        var leasedDue: Date?
    }

    private var entries: [JobRef: Entry] = [:]
    /// The jobs in phase polling.
    private var polling: Set<JobRef> = []
    /// For each path, the jobs with a file there, and how many files each has there.
    private var holders: [String: [JobRef: Int]] = [:]
    private var insertions = 0
    /// Webhook events received, by ID.
    private var deliveries: [String: DeliveredEvent] = [:]
    private var callback: String?
    /// The refs jobs were renamed from, and the refs they are tracked under now.
    private var aliases: [JobRef: JobRef] = [:]

    /// Creates an empty store.
    public init() {}

    public func track(_ request: TrackRequest, at now: Date) async throws(ReelWatchError) -> TrackedJob {
        insertOrUpdate(request, at: now)
        return entries[request.ref]!.job
    }

    public func track(all requests: [TrackRequest], at now: Date) async throws(ReelWatchError) -> Set<JobRef> {
        var new = Set<JobRef>()
        for request in requests where insertOrUpdate(request, at: now) { new.insert(request.ref) }
        return new
    }

    public func phaseCounts() async throws(ReelWatchError) -> [TrackedJob.Phase: Int] {
        var counts: [TrackedJob.Phase: Int] = [:]
        for entry in entries.values { counts[entry.job.phase, default: 0] += 1 }
        return counts
    }

    public func untrack(_ ref: JobRef) async throws(ReelWatchError) -> Bool {
        let ref = resolve(ref)
        aliases = aliases.filter { $0.key != ref && $0.value != ref }
        guard let entry = entries.removeValue(forKey: ref) else { return false }
        polling.remove(ref)
        for file in entry.job.files { release(file.path, of: ref) }
        return true
    }

    public func job(_ ref: JobRef) async throws(ReelWatchError) -> TrackedJob? {
        entries[resolve(ref)]?.job
    }

    public func rename(_ old: JobRef, to new: JobRef) async throws(ReelWatchError) -> Bool {
        guard old != new, let entry = entries.removeValue(forKey: old) else { return false }
        let wasPolling = polling.remove(old) != nil
        for file in entry.job.files { release(file.path, of: old) }
        if entries[new] == nil {
            var moved = Entry(job: entry.job, key: new.description, sequence: entry.sequence)
            moved.job.ref = new
            moved.job.snapshot?.ref = new
            moved.filesPlanned = entry.filesPlanned
            moved.linksExpireAt = entry.linksExpireAt
            moved.history = entry.history
            moved.leasedDue = entry.leasedDue
            entries[new] = moved
            if wasPolling { polling.insert(new) }
            for file in moved.job.files { holders[file.path, default: [:]][new, default: 0] += 1 }
        }
        for (alias, target) in aliases where target == old { aliases[alias] = new }
        aliases[old] = new
        aliases[new] = nil
        return true
    }

    /// The ref the job `ref` names is tracked under: `ref`, or the one it was renamed to.
    private func resolve(_ ref: JobRef) -> JobRef {
        entries[ref] == nil ? aliases[ref] ?? ref : ref
    }

    public func jobs(in phases: Set<TrackedJob.Phase>?, limit: Int?) async throws(ReelWatchError) -> [TrackedJob] {
        var selected = Array(entries.values)
        if let phases { selected.removeAll { !phases.contains($0.job.phase) } }
        guard let limit else {
            selected.sort { Self.precedes(($0.job.addedAt, $0.key), ($1.job.addedAt, $1.key)) }
            return selected.map(\.job)
        }
        selected.sort { Self.precedes(($0.job.updatedAt, $0.key), ($1.job.updatedAt, $1.key)) }
        return selected.prefix(max(0, limit)).map(\.job)
    }

    public func dueJobs(at now: Date, limit: Int) async throws(ReelWatchError) -> [TrackedJob] {
        due(at: now, limit: limit).map { Self.withoutFiles(entries[$0]!.job) }
    }

    public func takeDue(
        of api: ProviderAPI?, at now: Date, limit: Int, leaseUntil: Date
    ) async throws(ReelWatchError) -> [TrackedJob] {
        due(at: now, limit: limit, of: api).map { ref in
            let job = entries[ref]!.job
            entries[ref]!.leasedDue = entries[ref]!.leasedDue ?? job.nextPollAt
            entries[ref]!.job.nextPollAt = leaseUntil
            return Self.withoutFiles(job)
        }
    }

    public func release(_ refs: [JobRef], dueAt: Date) async throws(ReelWatchError) {
        for ref in refs where polling.contains(ref) {
            entries[ref]!.job.nextPollAt = dueAt
            entries[ref]!.leasedDue = nil
        }
    }

    public func reclaimLeases() async throws(ReelWatchError) -> Int {
        var reclaimed = 0
        for ref in polling {
            guard let due = entries[ref]!.leasedDue else { continue }
            entries[ref]!.job.nextPollAt = due
            entries[ref]!.leasedDue = nil
            reclaimed += 1
        }
        return reclaimed
    }

    public func expiringLinks(before date: Date, limit: Int) async throws(ReelWatchError) -> [TrackedJob] {
        var expiring: [(at: Date, sequence: Int, job: TrackedJob)] = []
        for entry in entries.values where entry.job.state == .succeeded {
            if let at = entry.linksExpireAt, at < date { expiring.append((at, entry.sequence, entry.job)) }
        }
        expiring.sort { ($0.at, $0.sequence) < ($1.at, $1.sequence) }
        return expiring.prefix(max(0, limit)).map { Self.withoutFiles($0.job) }
    }

    public func nextDue() async throws(ReelWatchError) -> Date? {
        polling.lazy.map { self.entries[$0]!.job.nextPollAt }.min()
    }

    public func record(_ updates: [PollUpdate]) async throws(ReelWatchError) {
        for update in updates where entries[update.ref] != nil {
            Self.apply(update, to: &entries[update.ref]!)
            if entries[update.ref]!.job.phase != .polling { polling.remove(update.ref) }
            // A reopened job whose files were all fetched already has nothing more to do.
            finishIfComplete(update.ref, at: update.at)
        }
    }

    @discardableResult
    public func plan(
        _ files: [TrackedFile], for ref: JobRef, at now: Date
    ) async throws(ReelWatchError) -> [TrackedFile] {
        guard let entry = entries[ref] else {
            if files.isEmpty { return [] }
            throw Self.notTracked(ref)
        }
        let known = entry.job.files
        var newNames = Set<String>()
        for file in files where !known.contains(where: { $0.name == file.name }) {
            guard newNames.insert(file.name).inserted else {
                throw ReelWatchError(
                    code: .storeUnavailable,
                    message:
                        "the job store in memory: the file \(ReelWatchError.printable(file.name)) is planned twice",
                    ref: ref)
            }
        }
        entries[ref]!.filesPlanned = true
        let recorded = TrackedFile.place(files, known: known, isHeld: { isHeld($0, byOtherThan: ref) }) { placed in
            entries[ref]!.job.files.append(TrackedFile(name: placed.name, kind: placed.kind, path: placed.path))
            hold(placed.path, for: ref)
            // A file a finished job did not have yet (announced after its end): it is downloading again.
            if entries[ref]!.job.phase == .done, entries[ref]!.job.state == .succeeded {
                entries[ref]!.job.phase = .downloading
            }
        }
        finishIfComplete(ref, at: now)
        return recorded
    }

    public func update(_ file: TrackedFile, of ref: JobRef, at now: Date) async throws(ReelWatchError) {
        guard entries[ref] != nil else { throw Self.notTracked(ref) }
        if let index = entries[ref]!.job.files.firstIndex(where: { $0.name == file.name }) {
            release(entries[ref]!.job.files[index].path, of: ref)
            entries[ref]!.job.files[index] = file
        } else {
            entries[ref]!.job.files.append(file)
        }
        hold(file.path, for: ref)
        entries[ref]!.job.updatedAt = now
        finishIfComplete(ref, at: now)
    }

    public func history(of ref: JobRef) async throws(ReelWatchError) -> [StateTransition] {
        entries[resolve(ref)]?.history ?? []
    }

    public func recordDelivery(_ event: DeliveredEvent) async throws(ReelWatchError) -> Bool {
        guard deliveries[event.id] == nil else { return false }
        deliveries[event.id] = event
        return true
    }

    public func deliveredEventCount() async throws(ReelWatchError) -> Int { deliveries.count }

    public func callbackToken() async throws(ReelWatchError) -> String {
        if let token = callback { return token }
        let token = CallbackToken.generate()
        callback = token
        return token
    }

    public func makeDue(_ ref: JobRef, at now: Date) async throws(ReelWatchError) -> TrackedJob? {
        guard entries[ref] != nil else { return nil }
        if polling.contains(ref) { entries[ref]!.job.nextPollAt = now }
        return entries[ref]!.job
    }

    public func reopen(_ ref: JobRef, at now: Date) async throws(ReelWatchError) -> TrackedJob? {
        guard let entry = entries[ref] else { return nil }
        if entry.job.state == .succeeded, entry.job.phase != .polling {
            entries[ref]!.job.phase = .polling
            polling.insert(ref)
        }
        return try await makeDue(ref, at: now)
    }

    /// Continues a job's poll schedule from another store's record of it: the earlier of the two times it was added
    /// (its age counts from there) and that record's backoff count. Only for a job still polling here.
    public func continueSchedule(of ref: JobRef, addedAt: Date, backoffPolls: Int) {
        guard polling.contains(ref), let entry = entries[ref] else { return }
        entries[ref]!.job.addedAt = min(entry.job.addedAt, addedAt)
        entries[ref]!.job.backoffPolls = max(0, backoffPolls)
    }

    /// Inserts or updates one job, as `SQLiteJobStore` does; true when it was new.
    @discardableResult
    private func insertOrUpdate(_ request: TrackRequest, at now: Date) -> Bool {
        let ref = request.ref
        if entries[ref] != nil {
            Self.merge(request, into: &entries[ref]!.job, at: now)
            return false
        }
        insertions += 1
        let job = TrackedJob(
            ref: ref, label: request.label, meta: request.meta, addedAt: now, updatedAt: now, nextPollAt: now,
            downloadDirectory: request.downloadDirectory)
        entries[ref] = Entry(job: job, key: ref.description, sequence: insertions)
        polling.insert(ref)
        return true
    }

    private static func merge(_ request: TrackRequest, into job: inout TrackedJob, at now: Date) {
        job.meta.merge(request.meta) { $1 }
        if let label = request.label { job.label = label }
        job.updatedAt = now
        if let directory = request.downloadDirectory {
            job.downloadDirectory = directory
            // A job that had finished without downloads goes back to downloading when a directory is given now.
            if job.phase == .done, job.state == .succeeded { job.phase = .downloading }
        }
    }

    private static func apply(_ update: PollUpdate, to entry: inout Entry) {
        entry.job.polls += update.polls
        if let backoffPolls = update.backoffPolls { entry.job.backoffPolls = backoffPolls }
        entry.job.nextPollAt = update.nextPollAt
        entry.leasedDue = nil
        entry.job.updatedAt = update.at
        guard let snapshot = update.snapshot else {
            entry.job.lastError = update.error
            if update.gone { entry.job.phase = .done }
            return
        }
        if entry.job.phase == .polling {
            switch snapshot.state {
            case .succeeded: entry.job.phase = entry.job.downloadDirectory == nil ? .done : .downloading
            case .failed, .cancelled: entry.job.phase = .done
            case .queued, .processing, .needsInput, .unknown: break
            }
        }
        if entry.job.state != snapshot.state {
            entry.history.append(
                StateTransition(state: snapshot.state, providerStatus: snapshot.providerStatus?.rawValue, at: update.at)
            )
        }
        entry.job.snapshot = snapshot
        entry.job.lastError = nil
        entry.linksExpireAt = snapshot.assets.compactMap(\.expiresAt).min()
    }

    /// The refs of up to `limit` jobs still polling (of `api` only, when given) that are due at `now`, most overdue
    /// first.
    private func due(at now: Date, limit: Int, of api: ProviderAPI? = nil) -> [JobRef] {
        guard limit > 0 else { return [] }
        var due: [(at: Date, sequence: Int, ref: JobRef)] = []
        for ref in polling where api.map({ ref.api == $0 }) ?? true {
            let entry = entries[ref]!
            if entry.job.nextPollAt <= now { due.append((entry.job.nextPollAt, entry.sequence, ref)) }
        }
        due.sort { ($0.at, $0.sequence) < ($1.at, $1.sequence) }
        return due.prefix(limit).map(\.ref)
    }

    /// Moves a downloading job whose planned files are all done to done.
    private func finishIfComplete(_ ref: JobRef, at now: Date) {
        let entry = entries[ref]!
        guard entry.job.phase == .downloading, entry.filesPlanned,
            entry.job.files.allSatisfy({ $0.status == .done })
        else { return }
        entries[ref]!.job.phase = .done
        entries[ref]!.job.updatedAt = now
    }

    private func isHeld(_ path: String, byOtherThan ref: JobRef) -> Bool {
        guard let jobs = holders[path] else { return false }
        return jobs.count > (jobs[ref] == nil ? 0 : 1)
    }

    private func hold(_ path: String, for ref: JobRef) {
        holders[path, default: [:]][ref, default: 0] += 1
    }

    private func release(_ path: String, of ref: JobRef) {
        guard let count = holders[path]?[ref] else { return }
        if count > 1 {
            holders[path]![ref] = count - 1
        } else {
            holders[path]![ref] = nil
            if holders[path]!.isEmpty { holders[path] = nil }
        }
    }

    /// Whether `a` comes before `b`: by time, then by ref text byte by byte (SQLite's order for text).
    private static func precedes(_ a: (Date, String), _ b: (Date, String)) -> Bool {
        if a.0 != b.0 { return a.0 < b.0 }
        return a.1.utf8.lexicographicallyPrecedes(b.1.utf8)
    }

    /// `job` as the due and expiring lists return it (as SQLite's do): without its files.
    private static func withoutFiles(_ job: TrackedJob) -> TrackedJob {
        var job = job
        job.files = []
        return job
    }

    private static func notTracked(_ ref: JobRef) -> ReelWatchError {
        ReelWatchError(
            code: .storeUnavailable, message: "the job store in memory: cannot record files of a job not tracked",
            ref: ref)
    }
}
