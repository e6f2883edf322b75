import Foundation
import Logging
import ReelWatch
import ReelWatchStore

/// Records what `wait`, `download` and `demo` see in the job store, so that `track check` or `run` can finish
/// a job another command started. A store that cannot be used is reported once, as a warning, and otherwise
/// ignored: waiting and downloading never fail because of it.
actor StoreRecorder {
    private let path: String
    private let downloadDirectory: String?
    private let logger: Logger
    private var store: SQLiteJobStore?
    private var unusable = false
    private var polls: [JobRef: Int] = [:]
    /// Jobs known to be in the store, so each later poll is one transaction.
    private var tracked: Set<JobRef> = []
    /// The name each planned file is recorded under, by the path it was planned at (a file saved before may be
    /// planned under the numbered name it landed at).
    private var names: [String: String] = [:]

    /// Records into the store at `path`; jobs are tracked with `downloadDirectory` when given.
    init(path: String = StoreLocation.path(), downloadDirectory: String?, logger: Logger) {
        self.path = path
        self.downloadDirectory = downloadDirectory.map(StoreLocation.absolute)
        self.logger = logger
    }

    /// Records the latest answer for a job, `totalPolls` being the polls made for it so far by this command.
    func record(_ snapshot: JobSnapshot, totalPolls: Int) async {
        guard let store = await open() else { return }
        let now = Date()
        let made = max(0, totalPolls - (polls[snapshot.ref] ?? 0))
        polls[snapshot.ref] = totalPolls
        let known = tracked.contains(snapshot.ref)
        let downloadDirectory = self.downloadDirectory
        await attempt { () async throws(ReelWatchError) in
            if !known, try await store.job(snapshot.ref) == nil {
                _ = try await store.track(
                    TrackRequest(ref: snapshot.ref, downloadDirectory: downloadDirectory), at: now)
            }
            try await store.record([
                PollUpdate(ref: snapshot.ref, snapshot: snapshot, polls: made, nextPollAt: now, at: now)
            ])
        }
        if !unusable { tracked.insert(snapshot.ref) }
    }

    /// Records the files planned for a job, so the store knows when all of them have landed; returns the items
    /// with what the store knows of files saved before: where they landed and their length.
    @discardableResult
    func plan(_ items: [DownloadItem], for ref: JobRef) async -> [DownloadItem] {
        guard let store = await open() else { return items }
        let files = items.map { TrackedFile(name: $0.fileName, kind: $0.asset.kind, path: $0.path) }
        var recorded: [String: TrackedFile] = [:]
        await attempt { () async throws(ReelWatchError) in
            for file in try await store.plan(files, for: ref, at: Date()) { recorded[file.name] = file }
        }
        return items.map { item in
            let name = item.fileName
            var placed = item
            if let file = recorded[name] {
                placed = item.placed(at: file.path)
                if file.status == .done, placed.path == file.path { placed.expectedBytes = file.bytes }
            }
            names[placed.path] = name
            return placed
        }
    }

    /// Records a file that landed.
    func record(_ file: DownloadResult, item: DownloadItem) async {
        guard let store = await open() else { return }
        let tracked = TrackedFile(
            name: names[item.path] ?? item.fileName, kind: file.kind, path: file.path, status: .done, bytes: file.bytes,
            sha256: file.sha256)
        await attempt { () async throws(ReelWatchError) in try await store.update(tracked, of: file.ref, at: Date()) }
    }

    /// The tracked jobs, for the demo's closing table.
    func jobs() async -> [TrackedJob] {
        guard let store = await open() else { return [] }
        return (try? await store.jobs(in: nil)) ?? []
    }

    private func open() async -> SQLiteJobStore? {
        if let store { return store }
        guard !unusable else { return nil }
        do {
            store = try SQLiteJobStore(path: path)
        } catch {
            warn(error)
        }
        return store
    }

    private func attempt(_ body: () async throws(ReelWatchError) -> Void) async {
        do {
            try await body()
        } catch {
            warn(error)
        }
    }

    private func warn(_ error: ReelWatchError) {
        guard !unusable else { return }
        unusable = true
        store = nil
        logger.warning("not recording in the job store", metadata: ["error": "\(error.message)"])
    }
}
