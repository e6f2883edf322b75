import Foundation
import Logging
import ReelWatch
import ReelWatchStore

/// The store `wait`, `download` and `demo` run the engine over: the jobs in memory, everything recorded as well in
/// the job store (so that `track list`, `track check` and `run` see and can finish what they started). A job store
/// that cannot be used is reported once, as a warning: following and downloading never fail because of it.
enum FollowStore {
    /// An in-memory store mirrored into the SQLite store at `path`.
    static func make(path: String = StoreLocation.path(), logger: Logger) -> any JobStore {
        let warn: @Sendable (ReelWatchError) -> Void = { error in
            logger.warning("not recording in the job store", metadata: ["error": "\(error.message)"])
        }
        let mirror: SQLiteJobStore
        do {
            mirror = try SQLiteJobStore(path: path)
        } catch {
            warn(error)
            return MemoryJobStore()
        }
        return MirroredJobStore(primary: MemoryJobStore(), mirror: mirror, onMirrorFailure: warn)
    }
}
