import Foundation
import GRDB
import ReelWatch

/// What is at a store's path, examined before anything opens it for writing: opening a database for writing
/// switches it to WAL and may write pages, so a file that is not reelwatch's must be refused first, left
/// byte-for-byte as it was, with no `-wal` or `-shm` beside it.
enum StoreFile {
    /// The first bytes of every SQLite 3 database.
    private static let magic = Array("SQLite format 3\0".utf8)

    /// Refuses what must not be opened as the store at `path`: a symbolic link, anything but a regular file, a
    /// file that is not a SQLite database, and a database with another program's tables or a newer reelwatch's
    /// schema. Nothing at `path`, an empty file and a database without tables pass: they become a new store.
    ///
    /// A symbolic link is refused rather than followed: the store usually lives in a directory others may write
    /// (a shared home, a mounted volume), and a link planted there would have reelwatch migrate, and fill with
    /// job data and signed links, a file of someone else's choosing; and the worker lock, taken beside the path
    /// as named, would not keep two daemons apart if one opened the store through the link and one through its
    /// target. A directory that is a link is followed: choosing where the store lives is the user's to do.
    static func vet(_ path: String) throws(ReelWatchError) {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            let code = errno
            if code == ENOENT { return }
            throw SQLiteJobStore.storeError("cannot be examined: \(String(cString: strerror(code)))", path)
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG:
            break
        case S_IFLNK:
            let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) ?? "?"
            throw SQLiteJobStore.storeError(
                "is a symbolic link (to \(ReelWatchError.printable(target, limit: 120))), which reelwatch does not "
                    + "follow: a link in a shared directory could point the store at any file",
                path
            )
        case S_IFDIR:
            throw SQLiteJobStore.storeError("is a directory, not a database file", path)
        default:
            throw SQLiteJobStore.storeError("is not a regular file (a device, FIFO or socket)", path)
        }
        guard info.st_size > 0 else { return }
        let header = try Self.header(path)
        guard header.starts(with: magic) else {
            throw SQLiteJobStore.storeError("not a SQLite database (corrupt, or another kind of file)", path)
        }
        try checkSchema(path, header: header)
    }

    /// The permission bits the store's files get: read and write for their owner only.
    static let privateMode: mode_t = 0o600

    /// Keeps the store at `path` (vetted: nothing, or a regular file) and its `-wal` and `-shm` private to their
    /// owner: creates the store file with mode 0600 when it does not exist (SQLite creates its `-wal` and `-shm`
    /// with the store's mode), and takes group and other permissions off any of the three that has them. Links are
    /// never followed; a file owned by another user is left alone (its owner decides).
    static func restrictMode(_ path: String) throws(ReelWatchError) {
        let created = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, privateMode)
        if created >= 0 {
            close(created)
            return
        }
        for file in [path, path + "-wal", path + "-shm"] {
            let descriptor = open(file, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
            guard descriptor >= 0 else { continue }
            defer { close(descriptor) }
            var info = stat()
            guard fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_uid == geteuid(),
                info.st_mode & 0o077 != 0
            else { continue }
            guard fchmod(descriptor, info.st_mode & 0o600) == 0 else {
                throw SQLiteJobStore.storeError(
                    "cannot be made private to its owner (chmod 600): \(String(cString: strerror(errno)))", file)
            }
        }
    }

    /// The file's first 100 bytes (SQLite's header), read without following a link or blocking on a FIFO.
    private static func header(_ path: String) throws(ReelWatchError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw SQLiteJobStore.storeError("cannot be read: \(String(cString: strerror(errno)))", path)
        }
        defer { close(descriptor) }
        var bytes = [UInt8](repeating: 0, count: 100)
        let count = read(descriptor, &bytes, bytes.count)
        guard count >= 0 else {
            throw SQLiteJobStore.storeError("cannot be read: \(String(cString: strerror(errno)))", path)
        }
        return Array(bytes.prefix(count))
    }

    /// Checks the database's tables through a read-only connection: no WAL switch, no write, no hot journal
    /// rolled back. A WAL database that no process has open (no `-wal` beside it) holds everything in its main
    /// file, and is read as immutable so that SQLite does not create a `-wal` and `-shm` beside it either.
    private static func checkSchema(_ path: String, header: [UInt8]) throws(ReelWatchError) {
        var configuration = GRDB.Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(10)
        let wal = header.count >= 20 && header[18] == 2 && header[19] == 2
        var locations = [path]
        if wal, !FileManager.default.fileExists(atPath: path + "-wal"), let uri = immutableURI(path) {
            // Only SQLite built with URI file names reads this as one; without, it names no file and fails to open.
            locations.insert(uri, at: 0)
        }
        var lastError: any Error = StoreCorruption(message: "cannot be opened")
        for location in locations {
            do {
                let queue = try DatabaseQueue(path: location, configuration: configuration)
                defer { try? queue.close() }
                try queue.read { db in try StoreSchema.check(db, path: path) }
                return
            } catch let error as DatabaseError where error.resultCode == .SQLITE_CANTOPEN && location != path {
                lastError = error
            } catch {
                throw SQLiteJobStore.storeError(SQLiteJobStore.describe(error), path)
            }
        }
        throw SQLiteJobStore.storeError(SQLiteJobStore.describe(lastError), path)
    }

    /// `path` as a read-only, immutable SQLite URI file name.
    private static func immutableURI(_ path: String) -> String? {
        guard let encoded = path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) else { return nil }
        return (path.hasPrefix("/") ? "file://" : "file:") + encoded + "?mode=ro&immutable=1"
    }
}
