import Foundation
import GRDB
import ReelWatch

/// The default `JobStore`: one SQLite file (WAL) through GRDB, with schema migrations from the first version.
///
/// Several processes may share the file (a `wait` beside the daemon): writers wait for each other for up to
/// ten seconds instead of failing.
public final class SQLiteJobStore: JobStore {
    /// The database file.
    public let path: String
    private let pool: DatabasePool

    /// Opens the store at `path`, creating it (and its directory) when it does not exist. What is there already is
    /// examined read-only first, and refused with an error that names it — left byte-for-byte untouched, with no
    /// `-wal` or `-shm` beside it — when it is not a reelwatch store: a symbolic link (never followed), anything
    /// but a regular file, a file that is not a SQLite database, another program's database, or one written by a
    /// newer reelwatch. An empty file or a database without tables becomes a new store.
    ///
    /// The store holds the callback token and signed links, so it is kept from other local users: a directory made
    /// for it is mode 0700 (one that exists is left as it is: sharing it is the user's choice), a new store file is
    /// created 0600 (SQLite gives its `-wal` and `-shm` the same mode), and an existing store's files are tightened
    /// to 0600 when they are more open.
    public init(path: String) throws(ReelWatchError) {
        self.path = path
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            do {
                try FileManager.default.createDirectory(
                    atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw Self.storeError("cannot create the directory \(directory): \(Self.reason(error))", path)
            }
        }
        try StoreFile.vet(path)
        try StoreFile.restrictMode(path)
        var configuration = GRDB.Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            // Again, for a file swapped in since it was examined: at least it is not migrated.
            try pool.write { db in try StoreSchema.check(db, path: path) }
            try StoreSchema.migrator.migrate(pool)
        } catch let error as ReelWatchError {
            throw error
        } catch {
            // SQLite says only "cannot open": say why when the directory cannot be written (WAL needs to).
            if access(directory.isEmpty ? "." : directory, W_OK) != 0 {
                let reason = String(cString: strerror(errno))
                throw Self.storeError("cannot write in \(directory.isEmpty ? "." : directory) (\(reason))", path)
            }
            throw Self.storeError(Self.describe(error), path)
        }
    }

    public func track(_ request: TrackRequest, at now: Date) async throws(ReelWatchError) -> TrackedJob {
        try await write { db in
            _ = try Self.track(request, at: now, in: db)
            return try Self.fetchJob(db, ref: request.ref.description)!
        }
    }

    public func track(all requests: [TrackRequest], at now: Date) async throws(ReelWatchError) -> Set<JobRef> {
        try await write { db in
            var new = Set<JobRef>()
            for request in requests where try Self.track(request, at: now, in: db) { new.insert(request.ref) }
            return new
        }
    }

    public func phaseCounts() async throws(ReelWatchError) -> [TrackedJob.Phase: Int] {
        try await read { db in
            var counts: [TrackedJob.Phase: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT phase, COUNT(*) AS n FROM job GROUP BY phase") {
                if let phase = TrackedJob.Phase(rawValue: row["phase"]) { counts[phase] = row["n"] }
            }
            return counts
        }
    }

    /// Inserts or updates one job inside a write; true when it was new. (Cached statements: `track add` may
    /// bring thousands in one write.)
    private static func track(_ request: TrackRequest, at now: Date, in db: Database) throws -> Bool {
        let ref = request.ref.description
        let select = try db.cachedStatement(sql: "SELECT meta FROM job WHERE ref = ?")
        if let existing = try Row.fetchOne(select, arguments: [ref]) {
            var meta = StoreCoding.meta(existing["meta"])
            meta.merge(request.meta) { $1 }
            try db.cachedStatement(
                sql: """
                    UPDATE job SET label = COALESCE(?, label), meta = ?, download_dir = COALESCE(?, download_dir),
                    updated_at = ? WHERE ref = ?
                    """
            ).execute(arguments: [
                request.label, StoreCoding.json(meta), request.downloadDirectory, now.timeIntervalSince1970, ref,
            ])
            // A job that had finished without downloads goes back to downloading when a directory is given now.
            if request.downloadDirectory != nil {
                try db.cachedStatement(
                    sql: "UPDATE job SET phase = 'downloading' WHERE ref = ? AND phase = 'done' AND state = 'succeeded'"
                ).execute(arguments: [ref])
            }
            return false
        }
        try db.cachedStatement(
            sql: """
                INSERT INTO job (ref, label, meta, added_at, updated_at, next_poll_at, download_dir, phase, polls)
                VALUES (?, ?, ?, ?, ?, ?, ?, 'polling', 0)
                """
        ).execute(arguments: [
            ref, request.label, StoreCoding.json(request.meta), now.timeIntervalSince1970, now.timeIntervalSince1970,
            now.timeIntervalSince1970, request.downloadDirectory,
        ])
        return true
    }

    public func untrack(_ ref: JobRef) async throws(ReelWatchError) -> Bool {
        try await write { db in
            let current = try Self.resolve(db, ref: ref.description)
            try db.execute(sql: "DELETE FROM job WHERE ref = ?", arguments: [current])
            let removed = db.changesCount > 0
            try db.execute(sql: "DELETE FROM job_alias WHERE ref = ? OR old_ref = ?", arguments: [current, current])
            return removed
        }
    }

    public func job(_ ref: JobRef) async throws(ReelWatchError) -> TrackedJob? {
        try await read { db in try Self.fetchJob(db, ref: Self.resolve(db, ref: ref.description)) }
    }

    public func rename(_ old: JobRef, to new: JobRef) async throws(ReelWatchError) -> Bool {
        guard old != new else { return false }
        return try await write { db in
            let (from, to) = (old.description, new.description)
            guard let job = try Self.fetchJob(db, ref: from) else { return false }
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM job WHERE ref = ?", arguments: [to]) == true {
                try db.execute(sql: "DELETE FROM job WHERE ref = ?", arguments: [from])
            } else {
                // The job's row and the rows that refer to it move together; the keys are checked at the commit.
                try db.execute(sql: "PRAGMA defer_foreign_keys = ON")
                let snapshot = job.snapshot.map { stored in
                    var snapshot = stored
                    snapshot.ref = new
                    return Self.encode(snapshot)
                }
                try db.execute(
                    sql: "UPDATE job SET ref = ?, snapshot = ? WHERE ref = ?", arguments: [to, snapshot, from])
                try db.execute(sql: "UPDATE transition SET ref = ? WHERE ref = ?", arguments: [to, from])
                try db.execute(sql: "UPDATE file SET ref = ? WHERE ref = ?", arguments: [to, from])
            }
            try db.execute(sql: "UPDATE job_alias SET ref = ? WHERE ref = ?", arguments: [to, from])
            try db.execute(sql: "INSERT OR REPLACE INTO job_alias (old_ref, ref) VALUES (?, ?)", arguments: [from, to])
            try db.execute(sql: "DELETE FROM job_alias WHERE old_ref = ?", arguments: [to])
            return true
        }
    }

    /// The ref a job is tracked under now: `ref` itself, or the ref it was renamed to.
    private static func resolve(_ db: Database, ref: String) throws -> String {
        if try Bool.fetchOne(db, sql: "SELECT 1 FROM job WHERE ref = ?", arguments: [ref]) == true { return ref }
        return try String.fetchOne(db, sql: "SELECT ref FROM job_alias WHERE old_ref = ?", arguments: [ref]) ?? ref
    }

    public func jobs(in phases: Set<TrackedJob.Phase>?, limit: Int?) async throws(ReelWatchError) -> [TrackedJob] {
        try await read { db in
            var filter = ""
            var arguments = StatementArguments()
            if let phases {
                filter = " WHERE phase IN (\(phases.map { _ in "?" }.joined(separator: ",")))"
                arguments = StatementArguments(phases.map(\.rawValue))
            }
            var selection = "SELECT * FROM job\(filter) ORDER BY added_at, ref"
            if let limit {
                selection = "SELECT * FROM job\(filter) ORDER BY updated_at, ref LIMIT ?"
                arguments += [max(0, limit)]
            }
            let rows = try Row.fetchAll(db, sql: selection, arguments: arguments)
            // Only the files of the jobs listed, in one query whatever their number.
            let files = try Self.fetchFiles(
                db, where: "ref IN (SELECT ref FROM (\(selection)))", arguments: arguments)
            return try rows.map { try Self.job(from: $0, files: files[$0["ref"] as String] ?? []) }
        }
    }

    public func dueJobs(at now: Date, limit: Int) async throws(ReelWatchError) -> [TrackedJob] {
        try await read { db in try Self.due(db, at: now, limit: limit) }
    }

    public func takeDue(
        of api: ProviderAPI?, at now: Date, limit: Int, leaseUntil: Date
    ) async throws(ReelWatchError) -> [TrackedJob] {
        guard limit > 0 else { return [] }
        return try await write { db in
            let jobs = try Self.due(db, at: now, limit: limit, of: api)
            // The lease is the next poll time: recording an update overwrites it, and it passes by itself. The time
            // the job was due is kept beside it (a lease renewed keeps the first), for a worker that reclaims it.
            try Self.setNextPoll(db, of: jobs.map(\.ref), to: leaseUntil, onlyPolling: false, lease: .take)
            return jobs
        }
    }

    public func release(_ refs: [JobRef], dueAt: Date) async throws(ReelWatchError) {
        guard !refs.isEmpty else { return }
        try await write { db in try Self.setNextPoll(db, of: refs, to: dueAt, onlyPolling: true, lease: .end) }
    }

    public func reclaimLeases() async throws(ReelWatchError) -> Int {
        try await write { db in
            try db.execute(
                sql: """
                    UPDATE job SET next_poll_at = leased_due, leased_due = NULL
                    WHERE leased_due IS NOT NULL AND phase = 'polling'
                    """)
            let reclaimed = db.changesCount
            try db.execute(sql: "UPDATE job SET leased_due = NULL WHERE leased_due IS NOT NULL")
            return reclaimed
        }
    }

    /// Up to `limit` jobs still polling (of `api` only, when given) that are due at `now`, most overdue first.
    ///
    /// Through the index `job_due`, named: left to itself, SQLite (3.40, no statistics) prefers `job_phase`, reads
    /// every job still polling and sorts them — 50 ms a call with 100,000 of them, against 1 ms.
    private static func due(
        _ db: Database, at now: Date, limit: Int, of api: ProviderAPI? = nil
    ) throws
        -> [TrackedJob]
    {
        var arguments: StatementArguments = [now.timeIntervalSince1970]
        var filter = ""
        if let api {
            let prefix = api.refPrefix + ":"
            filter = " AND substr(ref, 1, ?) = ?"
            arguments += [prefix.count, prefix]
        }
        arguments += [limit]
        let rows = try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT * FROM job INDEXED BY job_due WHERE phase = 'polling' AND next_poll_at <= ?\(filter)
                    ORDER BY next_poll_at LIMIT ?
                    """),
            arguments: arguments
        )
        return try rows.map { try Self.job(from: $0, files: []) }
    }

    /// What setting a next poll time does to a job's lease.
    private enum LeaseChange {
        /// The time is a lease: the time the job was due is kept (the first, when a lease is renewed).
        case take
        /// The lease, if any, ends.
        case end
        /// The lease, if any, stays (it ends when an update is recorded or it is released).
        case keep
    }

    /// Sets the next poll time of the jobs of `refs` (of those still polling, when `onlyPolling`), a few hundred
    /// per statement: SQLite limits the number of a statement's parameters.
    private static func setNextPoll(
        _ db: Database, of refs: [JobRef], to date: Date, onlyPolling: Bool, lease: LeaseChange
    ) throws {
        let condition = onlyPolling ? "phase = 'polling' AND " : ""
        let leaseColumn =
            switch lease {
            case .take: ", leased_due = COALESCE(leased_due, next_poll_at)"
            case .end: ", leased_due = NULL"
            case .keep: ""
            }
        var start = refs.startIndex
        while start < refs.endIndex {
            let chunk = refs[start..<min(start + 500, refs.endIndex)]
            start = chunk.endIndex
            let placeholders = Array(repeating: "?", count: chunk.count).joined(separator: ",")
            var arguments: StatementArguments = [date.timeIntervalSince1970]
            arguments += StatementArguments(chunk.map(\.description))
            try db.execute(
                sql: "UPDATE job SET next_poll_at = ?\(leaseColumn) WHERE \(condition)ref IN (\(placeholders))",
                arguments: arguments)
        }
    }

    public func expiringLinks(before date: Date, limit: Int) async throws(ReelWatchError) -> [TrackedJob] {
        try await read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM job WHERE state = 'succeeded' AND links_expire_at IS NOT NULL
                    AND links_expire_at < ? ORDER BY links_expire_at LIMIT ?
                    """,
                arguments: [date.timeIntervalSince1970, limit]
            )
            return try rows.map { try Self.job(from: $0, files: []) }
        }
    }

    public func nextDue() async throws(ReelWatchError) -> Date? {
        try await read { db in
            // The first entry of `job_due`, named for the reason `due` names it.
            try Double.fetchOne(db, sql: "SELECT MIN(next_poll_at) FROM job INDEXED BY job_due WHERE phase = 'polling'")
                .map { Date(timeIntervalSince1970: $0) }
        }
    }

    public func record(_ updates: [PollUpdate]) async throws(ReelWatchError) {
        guard !updates.isEmpty else { return }
        // Encoded before taking the store's one writer, which the other writers are waiting for; a snapshot the
        // store already holds is not encoded again (most bulk answers change nothing but the times).
        let encoded: [String?] = updates.map { update in
            guard !update.snapshotUnchanged else { return nil }
            return update.snapshot.map(Self.encode)
        }
        try await write { db in
            let current = try db.cachedStatement(sql: "SELECT state, phase, download_dir FROM job WHERE ref = ?")
            let failed = try db.cachedStatement(
                sql: """
                    UPDATE job SET polls = polls + ?, backoff_polls = COALESCE(?, backoff_polls), next_poll_at = ?,
                    leased_due = NULL, last_error = ?, updated_at = ?, phase = CASE WHEN ? THEN 'done' ELSE phase END
                    WHERE ref = ?
                    """)
            let answered = try db.cachedStatement(
                sql: """
                    UPDATE job SET snapshot = ?, state = ?, phase = ?, polls = polls + ?,
                    backoff_polls = COALESCE(?, backoff_polls), next_poll_at = ?, leased_due = NULL, last_error = NULL,
                    updated_at = ?, links_expire_at = ? WHERE ref = ?
                    """)
            let unchanged = try db.cachedStatement(
                sql: """
                    UPDATE job SET polls = polls + ?, backoff_polls = COALESCE(?, backoff_polls), next_poll_at = ?,
                    leased_due = NULL, last_error = NULL, updated_at = ? WHERE ref = ?
                    """)
            let transition = try db.cachedStatement(
                sql: "INSERT INTO transition (ref, state, provider_status, at) VALUES (?, ?, ?, ?)")
            for (update, encodedJSON) in zip(updates, encoded) {
                let ref = update.ref.description
                guard let row = try Row.fetchOne(current, arguments: [ref]) else { continue }  // untracked meanwhile
                let at = update.at.timeIntervalSince1970
                // A job reopened for more files (polling with a final state) is written in full: its phase moves on.
                if update.snapshotUnchanged, let snapshot = update.snapshot,
                    (row["state"] as String?) == snapshot.state.rawValue,
                    !(snapshot.state.isTerminal && (row["phase"] as String?) == TrackedJob.Phase.polling.rawValue)
                {
                    try unchanged.execute(arguments: [
                        update.polls, update.backoffPolls, update.nextPollAt.timeIntervalSince1970, at, ref,
                    ])
                    continue
                }
                // Unchanged by the engine's account but not the store's (another writer): written in full.
                let json = encodedJSON ?? update.snapshot.map(Self.encode)
                guard let snapshot = update.snapshot, let json else {
                    try failed.execute(arguments: [
                        update.polls, update.backoffPolls, update.nextPollAt.timeIntervalSince1970, update.error, at,
                        update.gone, ref,
                    ])
                    continue
                }
                let oldState: String? = row["state"]
                let oldPhase = TrackedJob.Phase(rawValue: row["phase"]) ?? .polling
                var phase = oldPhase
                if oldPhase == .polling {
                    switch snapshot.state {
                    case .succeeded: phase = (row["download_dir"] as String?) == nil ? .done : .downloading
                    case .failed, .cancelled: phase = .done
                    case .queued, .processing, .needsInput, .unknown: phase = .polling
                    }
                }
                try answered.execute(arguments: [
                    json, snapshot.state.rawValue, phase.rawValue, update.polls, update.backoffPolls,
                    update.nextPollAt.timeIntervalSince1970, at,
                    snapshot.assets.compactMap(\.expiresAt).min()?.timeIntervalSince1970, ref,
                ])
                // A reopened job whose files were all fetched already has nothing more to do.
                if oldPhase == .polling, phase == .downloading {
                    try Self.finishIfComplete(db, ref: ref, at: update.at)
                }
                if oldState != snapshot.state.rawValue {
                    try transition.execute(arguments: [
                        ref, snapshot.state.rawValue, snapshot.providerStatus?.rawValue, at,
                    ])
                }
            }
        }
    }

    /// A snapshot as the store keeps it.
    private static func encode(_ snapshot: JobSnapshot) -> String {
        String(decoding: snapshot.jsonValue.serialized(), as: UTF8.self)
    }

    @discardableResult
    public func plan(
        _ files: [TrackedFile], for ref: JobRef, at now: Date
    ) async throws(ReelWatchError) -> [TrackedFile] {
        try await write { db in
            let job = ref.description
            try db.cachedStatement(sql: "UPDATE job SET files_planned = 1 WHERE ref = ?").execute(arguments: [job])
            let known = try Self.fetchFiles(db, where: "ref = ?", arguments: [job])[job] ?? []
            let taken = try db.cachedStatement(sql: "SELECT 1 FROM file WHERE path = ? AND ref != ? LIMIT 1")
            let insert = try db.cachedStatement(
                sql: "INSERT INTO file (ref, name, kind, path, status, updated_at) VALUES (?, ?, ?, ?, 'pending', ?)")
            let recorded = try TrackedFile.place(
                files, known: known, isHeld: { try Bool.fetchOne(taken, arguments: [$0, job]) == true }
            ) { placed in
                try insert.execute(arguments: [
                    job, placed.name, placed.kind.rawValue, placed.path, now.timeIntervalSince1970,
                ])
                // A file a finished job did not have yet (announced after its end): it is downloading again.
                try db.cachedStatement(
                    sql: "UPDATE job SET phase = 'downloading' WHERE ref = ? AND phase = 'done' AND state = 'succeeded'"
                ).execute(arguments: [job])
            }
            try Self.finishIfComplete(db, ref: job, at: now)
            return recorded
        }
    }

    public func update(_ file: TrackedFile, of ref: JobRef, at now: Date) async throws(ReelWatchError) {
        try await write { db in
            try db.cachedStatement(
                sql: """
                    INSERT INTO file (ref, name, kind, path, status, bytes, sha256, error, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (ref, name) DO UPDATE SET kind = excluded.kind, path = excluded.path,
                    status = excluded.status, bytes = excluded.bytes, sha256 = excluded.sha256,
                    error = excluded.error, updated_at = excluded.updated_at
                    """
            ).execute(
                arguments: [
                    ref.description, file.name, file.kind.rawValue, file.path, file.status.rawValue, file.bytes,
                    file.sha256, file.error, now.timeIntervalSince1970,
                ]
            )
            try db.cachedStatement(sql: "UPDATE job SET updated_at = ? WHERE ref = ?")
                .execute(arguments: [now.timeIntervalSince1970, ref.description])
            try Self.finishIfComplete(db, ref: ref.description, at: now)
        }
    }

    public func history(of ref: JobRef) async throws(ReelWatchError) -> [StateTransition] {
        try await read { db in
            try Row.fetchAll(
                db, sql: "SELECT state, provider_status, at FROM transition WHERE ref = ? ORDER BY id",
                arguments: [Self.resolve(db, ref: ref.description)]
            ).map { row in
                StateTransition(
                    state: JobState(rawValue: row["state"]) ?? .unknown,
                    providerStatus: row["provider_status"],
                    at: Date(timeIntervalSince1970: row["at"])
                )
            }
        }
    }

    public func recordDelivery(_ event: DeliveredEvent) async throws(ReelWatchError) -> Bool {
        try await write { db in
            try db.execute(
                sql: """
                    INSERT INTO webhook_event (event_id, event_type, ref, received_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT (event_id) DO NOTHING
                    """,
                arguments: [event.id, event.type, event.ref?.description, event.receivedAt.timeIntervalSince1970])
            return db.changesCount > 0
        }
    }

    public func deliveredEventCount() async throws(ReelWatchError) -> Int {
        try await read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM webhook_event") ?? 0 }
    }

    public func callbackToken() async throws(ReelWatchError) -> String {
        try await write { db in
            let key = "callback_token"
            if let token = try String.fetchOne(
                db, sql: "SELECT value FROM reelwatch_store WHERE key = ?", arguments: [key])
            {
                return token
            }
            let token = CallbackToken.generate()
            try db.execute(sql: "INSERT INTO reelwatch_store (key, value) VALUES (?, ?)", arguments: [key, token])
            return token
        }
    }

    public func makeDue(_ ref: JobRef, at now: Date) async throws(ReelWatchError) -> TrackedJob? {
        try await write { db in
            try Self.setNextPoll(db, of: [ref], to: now, onlyPolling: true, lease: .keep)
            return try Self.fetchJob(db, ref: ref.description)
        }
    }

    public func reopen(_ ref: JobRef, at now: Date) async throws(ReelWatchError) -> TrackedJob? {
        try await write { db in
            try db.cachedStatement(
                sql: "UPDATE job SET phase = 'polling' WHERE ref = ? AND state = 'succeeded' AND phase != 'polling'"
            ).execute(arguments: [ref.description])
            try Self.setNextPoll(db, of: [ref], to: now, onlyPolling: true, lease: .keep)
            return try Self.fetchJob(db, ref: ref.description)
        }
    }

    /// Moves a downloading job whose planned files are all done to done.
    private static func finishIfComplete(_ db: Database, ref: String, at now: Date) throws {
        try db.cachedStatement(
            sql: """
                UPDATE job SET phase = 'done', updated_at = ? WHERE ref = ? AND phase = 'downloading'
                AND files_planned = 1
                AND NOT EXISTS (SELECT 1 FROM file WHERE file.ref = job.ref AND file.status != 'done')
                """
        ).execute(arguments: [now.timeIntervalSince1970, ref])
    }

    private static func fetchJob(_ db: Database, ref: String) throws -> TrackedJob? {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM job WHERE ref = ?", arguments: [ref]) else {
            return nil
        }
        return try job(from: row, files: try fetchFiles(db, where: "ref = ?", arguments: [ref])[ref] ?? [])
    }

    /// The files matching `condition`, by job.
    ///
    /// The statement is cached (compiling it cost several times more than running it), so it names its columns:
    /// a cached `SELECT *` keeps the column names it was compiled with across a schema change. A new column of
    /// `file` read here goes into this list.
    private static func fetchFiles(
        _ db: Database, where condition: String, arguments: StatementArguments
    ) throws -> [String: [TrackedFile]] {
        var files: [String: [TrackedFile]] = [:]
        let sql = """
            SELECT ref, name, kind, path, status, bytes, sha256, error FROM file WHERE \(condition) ORDER BY rowid
            """
        for row in try Row.fetchAll(db.cachedStatement(sql: sql), arguments: arguments) {
            let file = TrackedFile(
                name: row["name"],
                kind: AssetKind(rawValue: row["kind"]) ?? .video,
                path: row["path"],
                status: TrackedFile.Status(rawValue: row["status"]) ?? .pending,
                bytes: row["bytes"],
                sha256: row["sha256"],
                error: row["error"]
            )
            files[row["ref"], default: []].append(file)
        }
        return files
    }

    private static func job(from row: Row, files: [TrackedFile]) throws -> TrackedJob {
        let text: String = row["ref"]
        let ref: JobRef
        do {
            ref = try JobRef(parsing: text)
        } catch {
            throw StoreCorruption(message: "a stored ref does not parse: \(ReelWatchError.printable(text))")
        }
        let snapshot = try (row["snapshot"] as String?).map {
            try StoreCoding.decoder.decode(JobSnapshot.self, from: Data($0.utf8))
        }
        return TrackedJob(
            ref: ref,
            label: row["label"],
            meta: StoreCoding.meta(row["meta"]),
            addedAt: Date(timeIntervalSince1970: row["added_at"]),
            updatedAt: Date(timeIntervalSince1970: row["updated_at"]),
            snapshot: snapshot,
            phase: TrackedJob.Phase(rawValue: row["phase"]) ?? .polling,
            nextPollAt: Date(timeIntervalSince1970: row["next_poll_at"]),
            polls: row["polls"],
            backoffPolls: row["backoff_polls"],
            downloadDirectory: row["download_dir"],
            lastError: row["last_error"],
            files: files
        )
    }

    // Each call runs to its end even when the calling task is cancelled (GRDB's async accesses would throw
    // CancellationError instead, rolling the write back): a transaction takes milliseconds, and an interrupted
    // command must still record what it has — answers received, files that landed.

    private func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(ReelWatchError) -> T
    {
        let pool = self.pool
        do {
            return try await Task { try await pool.read(body) }.value
        } catch {
            throw failure(error)
        }
    }

    private func write<T: Sendable>(
        _ body: @escaping @Sendable (Database) throws -> T
    ) async throws(ReelWatchError) -> T {
        let pool = self.pool
        do {
            return try await Task { try await pool.write(body) }.value
        } catch {
            throw failure(error)
        }
    }

    /// The store error for what a read or write threw, marked ``ReelWatchError/transient`` when the store itself
    /// is not at fault and the same call may succeed later: SQLite busy (another process held the file for over
    /// 10 s), or unable to open a connection (SQLite's `CANTOPEN` or `IOERR`, a full descriptor table) while the
    /// store's file is still a regular file at its path. A corrupt store, a read-only or full disk, or a store
    /// file deleted or replaced by something else is not transient: a daemon stops on it.
    private func failure(_ error: any Error) -> ReelWatchError {
        var failure = Self.storeError(Self.describe(error), path)
        if let error = error as? DatabaseError {
            switch error.resultCode {
            case .SQLITE_BUSY, .SQLITE_LOCKED: failure.transient = true
            case .SQLITE_CANTOPEN, .SQLITE_IOERR:
                var info = stat()
                failure.transient = lstat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFREG
            default: break
            }
        } else if let error = error as? POSIXError {
            failure.transient = ReelWatchError.isTransient(errno: error.code.rawValue)
        } else {
            let error = error as NSError
            failure.transient =
                error.domain == NSPOSIXErrorDomain && ReelWatchError.isTransient(errno: Int32(clamping: error.code))
        }
        return failure
    }

    static func storeError(_ message: String, _ path: String) -> ReelWatchError {
        ReelWatchError(
            code: .storeUnavailable,
            message: "the job store \(path): \(message)"
        )
    }

    static func describe(_ error: any Error) -> String {
        if let corruption = error as? StoreCorruption { return corruption.message }
        guard let error = error as? DatabaseError else { return reason(error) }
        switch error.resultCode {
        case .SQLITE_NOTADB, .SQLITE_CORRUPT: return "not a SQLite database (corrupt, or another kind of file)"
        case .SQLITE_READONLY: return "read-only: \(ReelWatchError.printable(error.message ?? "", limit: 100))"
        case .SQLITE_CANTOPEN: return "cannot be opened (missing directory or no permission)"
        case .SQLITE_FULL: return "the disk is full"
        case .SQLITE_BUSY, .SQLITE_LOCKED: return "busy: another process held it for more than 10 s"
        default: return ReelWatchError.printable(error.message ?? "\(error.resultCode)", limit: 120)
        }
    }

    private static func reason(_ error: any Error) -> String {
        ReelWatchError.printable((error as NSError).localizedDescription, limit: 120)
    }
}

/// A stored value that cannot be read back.
struct StoreCorruption: Error {
    var message: String
}
