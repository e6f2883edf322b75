import Foundation
import ReelWatch

#if canImport(Glibc)
    import Glibc
#endif

/// The webhook secret file (`webhook-endpoints.json` in reelwatch's home): for each endpoint registered with HeyGen,
/// its ID, URL, events, current secret, and the secrets rotated out within the grace period.
///
/// ```json
/// {"endpoints":[{"endpoint_id":"ep_1","events":["avatar_video.success"],
///   "previous_secrets":[{"retired_at":"2026-01-01T08:00:00Z","secret":"whsec_…"}],
///   "secret":"whsec_…","url":"https://hooks.example.com/webhooks/heygen"}],"version":1}
/// ```
///
/// Written atomically (a new file made with `O_EXCL|O_NOFOLLOW`, mode 0600, synced, then renamed over the old one)
/// and read with `O_NOFOLLOW`; a file that is a symlink, not a regular file, someone else's, or open to group or
/// others is refused with `secret_file_unusable`, as is one that does not parse.
public struct WebhookEndpointFile: Sendable, Hashable {
    /// The file's name in reelwatch's home.
    public static let fileName = "webhook-endpoints.json"
    /// How long a rotated-out secret stays valid: 24 hours, as long as HeyGen retries a delivery.
    public static let gracePeriod: Duration = .seconds(24 * 3600)
    /// The largest file read.
    public static let maximumSize = 1 << 20
    /// The format version written.
    public static let version = 1

    /// A secret rotated out, and when.
    public struct RetiredSecret: Sendable, Hashable {
        /// The secret.
        public var secret: WebhookSecret
        /// When it was replaced.
        public var retiredAt: Date

        /// Creates a retired secret.
        public init(secret: WebhookSecret, retiredAt: Date) {
            self.secret = secret
            self.retiredAt = retiredAt
        }
    }

    /// One endpoint's entry.
    public struct Entry: Sendable, Hashable {
        /// HeyGen's ID of the endpoint.
        public var id: String
        /// Where HeyGen delivers.
        public var url: String
        /// The event types delivered; nil for all.
        public var events: [String]?
        /// The current secret.
        public var secret: WebhookSecret
        /// Secrets rotated out, oldest first.
        public var previousSecrets: [RetiredSecret]

        /// Creates an entry.
        public init(
            id: String, url: String, events: [String]?, secret: WebhookSecret, previousSecrets: [RetiredSecret] = []
        ) {
            self.id = id
            self.url = url
            self.events = events
            self.secret = secret
            self.previousSecrets = previousSecrets
        }
    }

    /// The endpoints, in the order they were added.
    public var entries: [Entry]

    /// Creates a file's content.
    public init(entries: [Entry] = []) { self.entries = entries }

    /// The file's path in `home`.
    public static func path(home: String) -> String {
        (home.hasSuffix("/") ? home : home + "/") + fileName
    }

    /// The entry of endpoint `id`, if any.
    public func entry(id: String) -> Entry? { entries.first { $0.id == id } }

    /// Adds `entry`, or replaces the entry with its ID.
    public mutating func put(_ entry: Entry) {
        if let index = entries.firstIndex(where: { $0.id == entry.id }) {
            entries[index] = entry
        } else {
            entries.append(entry)
        }
    }

    /// Makes `secret` the current secret of endpoint `id`, keeping the old one as retired `at` that date; false
    /// when there is no such entry.
    @discardableResult
    public mutating func rotate(id: String, to secret: WebhookSecret, at date: Date) -> Bool {
        guard let index = entries.firstIndex(where: { $0.id == id }) else { return false }
        let old = entries[index].secret
        if old != secret {
            entries[index].previousSecrets.append(RetiredSecret(secret: old, retiredAt: date))
            entries[index].secret = secret
        }
        return true
    }

    /// Drops the entry of endpoint `id`; false when there was none.
    @discardableResult
    public mutating func remove(id: String) -> Bool {
        let before = entries.count
        entries.removeAll { $0.id == id }
        return entries.count != before
    }

    /// Drops the retired secrets whose grace period has ended at `now`.
    public mutating func dropExpired(at now: Date) {
        for index in entries.indices {
            entries[index].previousSecrets.removeAll { !Self.isInGrace($0, at: now) }
        }
    }

    /// Every secret that checks a delivery at `now`: each endpoint's current one and those retired less than
    /// ``gracePeriod`` ago.
    public func validSecrets(at now: Date) -> [String] {
        entries.flatMap { entry in
            [entry.secret.value] + entry.previousSecrets.filter { Self.isInGrace($0, at: now) }.map(\.secret.value)
        }
    }

    /// When the next retired secret stops being valid, after `now`; nil when none will.
    public func nextExpiry(after now: Date) -> Date? {
        entries.flatMap(\.previousSecrets).map(Self.expiry).filter { $0 > now }.min()
    }

    private static func expiry(_ retired: RetiredSecret) -> Date {
        retired.retiredAt.addingTimeInterval(Double(gracePeriod.components.seconds))
    }

    private static func isInGrace(_ retired: RetiredSecret, at now: Date) -> Bool { expiry(retired) > now }

    // MARK: - Reading

    /// The file at `path`; nil when there is none. Throws `secret_file_unusable` for a symlink, a file that is
    /// not regular, not the user's, open to group or others, too large, or malformed.
    public static func read(path: String) throws(ReelWatchError) -> WebhookEndpointFile? {
        try readWithIdentity(path: path)?.file
    }

    /// What identifies a version of the file: device, inode, size and change times.
    public struct Identity: Sendable, Hashable {
        var device: UInt64
        var inode: UInt64
        var size: Int64
        var modified: Int64
        var modifiedNanoseconds: Int64
        var changed: Int64
        var changedNanoseconds: Int64

        init(_ info: stat) {
            device = UInt64(info.st_dev)
            inode = UInt64(info.st_ino)
            size = Int64(info.st_size)
            modified = Int64(info.st_mtim.tv_sec)
            modifiedNanoseconds = Int64(info.st_mtim.tv_nsec)
            changed = Int64(info.st_ctim.tv_sec)
            changedNanoseconds = Int64(info.st_ctim.tv_nsec)
        }
    }

    /// The identity of what is at `path` now (without following a symlink); nil when there is nothing.
    public static func identity(path: String) -> Identity? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        return Identity(info)
    }

    /// The file at `path` and the identity it was read with; nil when there is none.
    public static func readWithIdentity(
        path: String
    ) throws(ReelWatchError) -> (file: WebhookEndpointFile, identity: Identity)? {
        let descriptor = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        if descriptor < 0 {
            let code = errno
            if code == ENOENT { return nil }
            if code == ELOOP { throw unusable(path, "is a symbolic link; reelwatch does not follow it") }
            throw unusable(path, "cannot be opened: \(String(cString: strerror(code)))")
        }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            throw unusable(path, "cannot be examined: \(String(cString: strerror(errno)))")
        }
        try vet(info, path: path)
        guard info.st_size <= maximumSize else { throw unusable(path, "is larger than \(maximumSize) bytes") }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 << 10)
        while true {
            let count = chunk.withUnsafeMutableBytes { Foundation.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw unusable(path, "cannot be read: \(String(cString: strerror(errno)))")
            }
            if count == 0 { break }
            bytes += chunk[..<count]
            guard bytes.count <= maximumSize else { throw unusable(path, "is larger than \(maximumSize) bytes") }
        }
        return (try parse(bytes, path: path), Identity(info))
    }

    /// Refuses what is not a regular file of this user's, readable and writable by the user alone.
    private static func vet(_ info: stat, path: String) throws(ReelWatchError) {
        guard info.st_mode & S_IFMT == S_IFREG else { throw unusable(path, "is not a regular file") }
        guard info.st_uid == geteuid() else { throw unusable(path, "belongs to another user") }
        guard info.st_mode & 0o077 == 0 else {
            var error = unusable(path, "is readable or writable by group or others; it holds webhook secrets")
            error.hint = "chmod 600 \(path)"
            throw error
        }
    }

    /// Reads the file's JSON; each entry must have a usable ID, URL and secret.
    static func parse(_ bytes: [UInt8], path: String) throws(ReelWatchError) -> WebhookEndpointFile {
        func malformed(_ reason: String) -> ReelWatchError {
            unusable(path, "is not a webhook endpoint file: \(reason)")
        }
        guard let document = try? JSONValue.parse(bytes), document.objectValue != nil else {
            throw malformed("not a JSON object")
        }
        if let version = document["version"]?.number, version > Double(Self.version) {
            throw malformed("version \(Int(exactly: version).map(String.init) ?? "?") is newer than this reelwatch's")
        }
        guard let items = document["endpoints"]?.arrayValue else { throw malformed("no 'endpoints' list") }
        var file = WebhookEndpointFile()
        for (index, item) in items.enumerated() {
            let place = "entry \(index + 1)"
            guard case .string(let id)? = item["endpoint_id"], WebhookEndpoint.problem(withID: id) == nil else {
                throw malformed("\(place) has no usable endpoint_id")
            }
            guard case .string(let url)? = item["url"], (try? WebhookEndpoint.validateURL(url)) != nil else {
                throw malformed("\(place) has no usable url")
            }
            guard case .string(let text)? = item["secret"], let secret = WebhookSecret(text) else {
                throw malformed("\(place) has no usable secret")
            }
            var events: [String]?
            if let value = item["events"], !value.isNull {
                guard let list = value.arrayValue else { throw malformed("\(place) has events that are not a list") }
                var names: [String] = []
                for event in list {
                    guard case .string(let name) = event, (try? WebhookEndpoint.validateEvents([name])) != nil else {
                        throw malformed("\(place) has an event that is not a usable event type")
                    }
                    names.append(name)
                }
                events = names
            }
            var previous: [RetiredSecret] = []
            if let value = item["previous_secrets"], !value.isNull {
                guard let list = value.arrayValue else {
                    throw malformed("\(place) has previous_secrets that are not a list")
                }
                for old in list {
                    guard case .string(let text)? = old["secret"], let secret = WebhookSecret(text),
                        let retired = old["retired_at"]?.date
                    else { throw malformed("\(place) has a previous secret without a usable secret and retired_at") }
                    previous.append(RetiredSecret(secret: secret, retiredAt: retired))
                }
            }
            guard file.entry(id: id) == nil else { throw malformed("endpoint \(id) appears twice") }
            file.entries.append(
                Entry(id: id, url: url, events: events, secret: secret, previousSecrets: previous))
        }
        return file
    }

    // MARK: - Writing

    /// The file's JSON text (a line).
    public func serialized() -> [UInt8] {
        let endpoints: [JSONValue] = entries.map { entry in
            [
                "endpoint_id": .string(entry.id),
                "url": .string(entry.url),
                "events": entry.events.map { .array($0.map { .string($0) }) } ?? .null,
                "secret": .string(entry.secret.value),
                "previous_secrets": .array(
                    entry.previousSecrets.map {
                        [
                            "secret": .string($0.secret.value),
                            "retired_at": .string(ISO8601Timestamp($0.retiredAt).description),
                        ]
                    }),
            ]
        }
        return JSONValue.object(["version": .number(Double(Self.version)), "endpoints": .array(endpoints)])
            .serialized() + [UInt8(ascii: "\n")]
    }

    /// Writes the file to `path` atomically: a new file beside it (created with `O_EXCL|O_NOFOLLOW`, mode 0600),
    /// written, synced and renamed over `path`; the directory is made (mode 0700) when missing.
    public func write(to path: String) throws(ReelWatchError) {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            do {
                try FileManager.default.createDirectory(
                    atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw Self.unusable(path, "cannot be written: its directory cannot be made")
            }
        }
        var info = stat()
        if lstat(path, &info) == 0 {
            if info.st_mode & S_IFMT == S_IFLNK {
                throw Self.unusable(path, "is a symbolic link; reelwatch does not replace it")
            }
            guard info.st_mode & S_IFMT == S_IFREG else {
                throw Self.unusable(path, "is not a regular file; reelwatch does not replace it")
            }
        }
        let temporary = path + ".tmp-" + (0..<8).map { _ in String(UInt8.random(in: 0...15), radix: 16) }.joined()
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw Self.unusable(path, "cannot be written: \(String(cString: strerror(errno)))")
        }
        var failure: String?
        if fchmod(descriptor, 0o600) != 0 { failure = String(cString: strerror(errno)) }
        var bytes = serialized()[...]
        while failure == nil, !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                failure = String(cString: strerror(errno))
            } else {
                bytes = bytes.dropFirst(written)
            }
        }
        if failure == nil, fsync(descriptor) != 0 { failure = String(cString: strerror(errno)) }
        close(descriptor)
        if failure == nil, rename(temporary, path) != 0 { failure = String(cString: strerror(errno)) }
        if let failure {
            unlink(temporary)
            throw Self.unusable(path, "cannot be written: \(failure)")
        }
        let directoryDescriptor = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryDescriptor >= 0 {
            fsync(directoryDescriptor)
            close(directoryDescriptor)
        }
    }

    /// Reads the file at `path` (empty when there is none), lets `change` edit it, drops the secrets past their
    /// grace at `now`, and writes it back — all under an exclusive lock (`PATH.lock`), so that two commands
    /// changing it at once do not lose either change.
    @discardableResult
    public static func update<T>(
        path: String, now: Date, _ change: (inout WebhookEndpointFile) throws(ReelWatchError) -> T
    ) throws(ReelWatchError) -> T {
        let lockPath = path + ".lock"
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try? FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        let lock = open(lockPath, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard lock >= 0 else {
            throw unusable(path, "cannot be locked (\(lockPath)): \(String(cString: strerror(errno)))")
        }
        defer { close(lock) }
        while flock(lock, LOCK_EX) != 0 {
            guard errno == EINTR else {
                throw unusable(path, "cannot be locked (\(lockPath)): \(String(cString: strerror(errno)))")
            }
        }
        defer { flock(lock, LOCK_UN) }
        var file = try read(path: path) ?? WebhookEndpointFile()
        let result = try change(&file)
        file.dropExpired(at: now)
        try file.write(to: path)
        return result
    }

    /// The `secret_file_unusable` error about `path`.
    static func unusable(_ path: String, _ reason: String) -> ReelWatchError {
        ReelWatchError(
            code: .secretFileUnusable,
            message: "the webhook secret file \(ReelWatchError.printable(path, limit: 200)) \(reason)")
    }
}
