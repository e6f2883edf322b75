import Crypto
import Foundation
import NIOCore

#if canImport(Glibc)
    import Glibc
#endif

/// A download in progress: `NAME.part` in the target directory, appended to, synced, and renamed into place
/// only once complete. The ETag it was fetched under is kept beside it, for `If-Range`.
final class PartialFile {
    let path: String
    private var descriptor: Int32
    /// Orders ``append(_:)``, which the transport calls on its own thread, with ``release()``.
    private let access = NSLock()
    private(set) var size: Int64
    /// Where writeback to the disk was last started: what lies before it is already on its way.
    private var writebackFrom: Int64
    /// How much new data starts its writeback. Starting it as the bytes arrive, rather than leaving a whole file
    /// of dirty pages to the final `fsync`, overlaps the disk with the network (the `fsync` before the rename
    /// then waits only for the last step) and keeps the page cache from filling with one download.
    static let writebackStep: Int64 = 8 << 20

    /// Files smaller than this keep no ETag beside their `.part` (creating and deleting a sidecar cost more than
    /// fetching them): a partial one left by a crash resumes with `Range` alone, as from a server without ETags.
    static let smallFile: Int64 = 1 << 20

    /// Linux's `sync_file_range(2)`, which Swift's Glibc module does not import (it is a GNU extension); nil
    /// where the C library lacks it, and then the final `fsync` does all the writing.
    private static let startWriteback = cFunction(
        "sync_file_range", as: (@convention(c) (Int32, Int64, Int64, UInt32) -> Int32).self)
    /// `SYNC_FILE_RANGE_WRITE`: start writing the range's dirty pages, do not wait.
    private static let syncFileRangeWrite: UInt32 = 2

    /// Linux's `fallocate(2)`, looked up like `sync_file_range`; nil where the C library lacks it.
    private static let allocate = cFunction(
        "fallocate", as: (@convention(c) (Int32, Int32, Int64, Int64) -> Int32).self)
    /// `FALLOC_FL_KEEP_SIZE`: allocate past the end without changing the file's size.
    private static let keepSize: Int32 = 1

    /// The C library's function `name`, as `type`; nil where the library lacks it.
    private static func cFunction<Function>(_ name: String, as type: Function.Type) -> Function? {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), name) else { return nil }
        return unsafeBitCast(symbol, to: type)
    }

    /// Opens (or creates) `path` for appending and locks it, so that two processes never write one file; a
    /// file another process holds throws an error whose `isBusy` is true.
    ///
    /// The download directory may be shared with people who can plant things in it: a symlink, a hard link to
    /// someone else's file, a FIFO or a directory at `path` is never written through. A link is removed (the
    /// link, not what it points at) and a new file created in its place with `O_EXCL`.
    init(path: String) throws(FileError) {
        self.path = path
        descriptor = try Self.openOwnFile(path)
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let error = FileError(operation: "lock", path: path)
            close(descriptor)
            throw error
        }
        // The holder may have renamed the file into place before letting go: then this is not `path` any more.
        var opened = stat()
        var named = stat()
        guard fstat(descriptor, &opened) == 0, stat(path, &named) == 0, opened.st_ino == named.st_ino,
            opened.st_dev == named.st_dev
        else {
            close(descriptor)
            throw FileError(operation: "lock", path: path, code: EWOULDBLOCK)
        }
        let end = lseek(descriptor, 0, SEEK_END)
        guard end >= 0 else { throw FileError(operation: "seek", path: path) }
        size = Int64(end)
        writebackFrom = size
    }

    deinit { release() }

    /// Closes the file, letting go of its lock, if it is still open (``commit(to:)`` closes it too). The
    /// transport may keep the sink that writes here a little longer than the download; the lock must not wait
    /// for it.
    func release() {
        access.lock()
        defer { access.unlock() }
        if descriptor >= 0 { close(descriptor) }
        descriptor = -1
    }

    /// Removes the file (and its ETag sidecar) while still holding its lock, then lets go: for a download that
    /// ends without a byte to resume from. Only the file this object opened is removed: when something else is at
    /// `path` by now, it is left alone.
    func discard() {
        access.lock()
        if descriptor >= 0 {
            var opened = stat()
            var named = stat()
            if fstat(descriptor, &opened) == 0, lstat(path, &named) == 0, opened.st_ino == named.st_ino,
                opened.st_dev == named.st_dev
            {
                unlink(path)
                unlink(etagPath)
            }
        }
        access.unlock()
        release()
    }

    /// A descriptor for writing to the regular, singly linked file at `path`, created if absent; never through a
    /// symlink, never a FIFO, device or hard link.
    private static func openOwnFile(_ path: String) throws(FileError) -> Int32 {
        for _ in 0..<3 {
            let existing = open(path, O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
            if existing >= 0 {
                if isOwnFile(existing) { return existing }
                close(existing)
            } else if errno == ENOENT {
                let created = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
                if created >= 0 { return created }
                if errno == EEXIST { continue }
                throw FileError(operation: "create", path: path)
            } else if errno != ELOOP && errno != ENXIO && errno != EISDIR {
                throw FileError(operation: "open", path: path)
            }
            // A symlink (ELOOP), a FIFO without a reader (ENXIO), a hard link or a device: not ours to write.
            guard unlink(path) == 0 || errno == ENOENT else {
                throw FileError(operation: "replace what is at", path: path)
            }
        }
        throw FileError(operation: "create", path: path, code: EEXIST)
    }

    /// Whether `descriptor` is a regular file with one name: a file reelwatch may write.
    private static func isOwnFile(_ descriptor: Int32) -> Bool {
        var info = stat()
        return fstat(descriptor, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG && info.st_nlink == 1
    }

    /// Appends `buffer`.
    func append(_ buffer: ByteBuffer) throws(FileError) {
        // Never a write to a descriptor ``release()`` closed (its number may already name another file).
        access.lock()
        defer { access.unlock() }
        guard descriptor >= 0 else { throw FileError(operation: "write", path: path, code: EBADF) }
        var written = 0
        let count = buffer.readableBytes
        while written < count {
            let result = buffer.withUnsafeReadableBytes { bytes in
                write(descriptor, bytes.baseAddress! + written, count - written)
            }
            if result < 0 {
                if errno == EINTR { continue }
                throw FileError(operation: "write", path: path)
            }
            written += result
        }
        size += Int64(count)
        if size - writebackFrom >= Self.writebackStep {
            // Only starts the writeback (no waiting); the `fsync` in `commit` is what guarantees the data.
            _ = Self.startWriteback?(descriptor, writebackFrom, size - writebackFrom, Self.syncFileRangeWrite)
            writebackFrom = size
        }
    }

    /// Allocates the disk blocks for the rest of a file of `total` bytes, once, instead of a few at every write
    /// and again at writeback (ext4's delayed allocation): a 1 GiB download on loopback went from 1.7–1.9 s to
    /// 1.5–1.6 s. The size stays what was written (`FALLOC_FL_KEEP_SIZE`), so a `.part` left by a crash still
    /// says where to resume. Best effort: where the file system cannot (or the disk is too full), the writes
    /// allocate as they go and report the error.
    func reserve(total: Int64) {
        guard total > size else { return }
        _ = Self.allocate?(descriptor, Self.keepSize, size, total - size)
    }

    /// Empties the file, to start over.
    func truncate() throws(FileError) {
        guard ftruncate(descriptor, 0) == 0, lseek(descriptor, 0, SEEK_SET) >= 0 else {
            throw FileError(operation: "truncate", path: path)
        }
        size = 0
        writebackFrom = 0
        etag = nil
    }

    /// The ETag the bytes so far were fetched under, if one was seen; kept beside the file in `NAME.part.etag`.
    ///
    /// Written in place, not atomically: a torn ETag only fails to match, and then the server sends the whole
    /// file again, which is what happens without one.
    var etag: String? {
        get {
            let sidecar = open(etagPath, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
            guard sidecar >= 0 else { return nil }
            defer { close(sidecar) }
            guard Self.isOwnFile(sidecar) else { return nil }
            var buffer = [UInt8](repeating: 0, count: 1024)
            let count = buffer.withUnsafeMutableBytes { read(sidecar, $0.baseAddress, 1024) }
            guard count > 0, count < 1024 else { return nil }
            let text = String(decoding: buffer[..<count], as: UTF8.self)
            return ReelWatchError.printable(text, limit: 512) == text ? text : nil
        }
        set {
            // Replaced, never written through: whatever is at the name (a planted link included) goes first.
            unlink(etagPath)
            guard let newValue else { return }
            let sidecar = open(etagPath, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
            guard sidecar >= 0 else { return }
            let bytes = Array(newValue.utf8)
            if write(sidecar, bytes, bytes.count) != bytes.count { _ = ftruncate(sidecar, 0) }
            close(sidecar)
        }
    }

    private var etagPath: String { path + ".etag" }

    /// Flushes the bytes to disk, closes the file and moves it to `finalPath`, then syncs the directory so the
    /// move survives a crash. Never replaces what is at `finalPath`: when something is there, throws an error
    /// whose `isTaken` is true and the file stays where it is.
    func commit(to finalPath: String) throws(FileError) {
        etag = nil
        guard fsync(descriptor) == 0 else { throw FileError(operation: "fsync", path: path) }
        // Linked, then unlinked, while still locked (a process waiting for the lock finds the final file once it
        // gets it): `link` fails when the name is taken, where `rename` would silently replace it.
        guard link(path, finalPath) == 0 else {
            throw FileError(operation: errno == EEXIST ? "claim" : "rename", path: finalPath)
        }
        guard unlink(path) == 0 || errno == ENOENT else { throw FileError(operation: "rename", path: path) }
        release()
        let directory = (finalPath as NSString).deletingLastPathComponent
        let directoryDescriptor = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryDescriptor >= 0 {
            _ = fsync(directoryDescriptor)
            close(directoryDescriptor)
        }
    }

    /// The SHA-256 of the first `count` bytes of the file at `path`, read in 1 MiB chunks.
    static func hash(path: String, count: Int64? = nil, into hasher: inout SHA256) throws(FileError) {
        let descriptor = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else { throw FileError(operation: "open", path: path) }
        defer { close(descriptor) }
        guard isOwnFile(descriptor) else { throw FileError(operation: "open", path: path, code: EINVAL) }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var left = count ?? Int64.max
        while left > 0 {
            let wanted = Int(min(Int64(buffer.count), left))
            let got = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, wanted) }
            if got < 0 {
                if errno == EINTR { continue }
                throw FileError(operation: "read", path: path)
            }
            if got == 0 { break }
            buffer.withUnsafeBytes { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[..<got])) }
            left -= Int64(got)
        }
    }

    /// What is at `path`, without following a symlink.
    enum Entry: Equatable {
        /// Nothing.
        case none
        /// A regular file with one name, of `size` bytes.
        case file(size: Int64)
        /// Anything else: a symlink, a directory, a FIFO, a device, a file with other names (hard links).
        case other
    }

    /// What is at `path`, looked at with `lstat` (a symlink is `.other`, whatever it points at).
    static func entry(at path: String) -> Entry {
        var info = stat()
        guard lstat(path, &info) == 0 else { return errno == ENOENT || errno == ENOTDIR ? .none : .other }
        guard (info.st_mode & S_IFMT) == S_IFREG, info.st_nlink == 1 else { return .other }
        return .file(size: Int64(info.st_size))
    }
}

/// A file-system call that failed, with `errno`'s explanation.
struct FileError: Error, CustomStringConvertible {
    var operation: String
    var path: String
    var code: Int32

    init(operation: String, path: String, code: Int32 = errno) {
        self.operation = operation
        self.path = path
        self.code = code
    }

    /// Whether another process holds the file.
    var isBusy: Bool { operation == "lock" && (code == EWOULDBLOCK || code == EAGAIN) }

    /// Whether ``PartialFile/commit(to:)`` found its final name taken.
    var isTaken: Bool { operation == "claim" }

    var description: String {
        "cannot \(operation) \(path): \(String(cString: strerror(code)))"
    }
}

extension SHA256.Digest {
    /// The digest as lowercase hex.
    var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(64)
        for byte in self {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
