import ReelWatch

#if canImport(Glibc)
    import Glibc
#endif

/// The right to work a store's jobs (poll them, download their files), held by one process at a time:
/// `reelwatch run` or `track check`. Two workers on one store would poll every job twice, each under its own
/// rate limit, so the provider would see twice the calls reelwatch promises.
///
/// An exclusive `flock` on `STORE.worker`, which the kernel lets go when the process ends however it ends: a
/// daemon killed with SIGKILL leaves no stale lock. The file names the holder (its pid and command) for the error
/// the next contender prints. Commands that only record their own jobs (`wait`, `download`, `track add`) do
/// not take it.
public final class StoreWorkerLock: Sendable {
    /// The lock file's path.
    public let path: String
    private let descriptor: Int32

    /// Takes the lock of the store at `storePath` for `command` (such as `reelwatch run`); throws `store_busy`
    /// naming the holder when another process has it.
    public init(storePath: String, command: String) throws(ReelWatchError) {
        let path = storePath + ".worker"
        // Never through a symbolic link: one planted beside the store would have the lock truncate its target.
        let descriptor = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw Self.unavailable(path, "cannot be opened: \(String(cString: strerror(errno)))")
        }
        // Made 0644 by an older reelwatch: private to its owner, as the store beside it.
        var info = stat()
        if fstat(descriptor, &info) == 0, info.st_uid == geteuid(), info.st_mode & 0o077 != 0 {
            _ = fchmod(descriptor, info.st_mode & 0o600)
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            let holder = Self.holder(descriptor)
            close(descriptor)
            guard code == EWOULDBLOCK else {
                throw Self.unavailable(path, "cannot be locked: \(String(cString: strerror(code)))")
            }
            throw ReelWatchError(
                code: .storeBusy,
                message: "another process is working the jobs in \(storePath)\(holder.map { " (\($0))" } ?? "")"
            )
        }
        let line = Array("pid \(getpid()): \(command)\n".utf8)
        if ftruncate(descriptor, 0) == 0 { _ = pwrite(descriptor, line, line.count, 0) }
        self.path = path
        self.descriptor = descriptor
    }

    deinit {
        close(descriptor)
    }

    /// What the holder wrote in the lock file, fit for a one-line message; nil when it wrote nothing yet.
    private static func holder(_ descriptor: Int32) -> String? {
        var bytes = [UInt8](repeating: 0, count: 200)
        let count = pread(descriptor, &bytes, bytes.count, 0)
        guard count > 0 else { return nil }
        let text = String(decoding: bytes[..<count], as: UTF8.self)
        let line = ReelWatchError.printable(text.split(separator: "\n").first.map(String.init) ?? "", limit: 120)
        return line.isEmpty ? nil : line
    }

    private static func unavailable(_ path: String, _ reason: String) -> ReelWatchError {
        ReelWatchError(
            code: .storeUnavailable, message: "the job store's lock file \(path) \(reason)")
    }
}
