import Foundation
import ReelWatch
import ReelWatchWebhooks
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The webhook secret file: written atomically with mode 0600, read only when it is safe, secrets retired after
/// their grace period.
@Suite("Webhook secret file")
struct WebhookEndpointFileTests {
    static let date = Date(timeIntervalSince1970: 1_767_225_600)

    static func directory() throws -> String {
        let path = NSTemporaryDirectory() + "reelwatch-secrets-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func secret(_ text: String) -> WebhookSecret { WebhookSecret(text)! }

    static func entry(_ id: String = "ep_1", secret: String = "whsec_current1") -> WebhookEndpointFile.Entry {
        WebhookEndpointFile.Entry(
            id: id, url: "https://hooks.example.com/webhooks/heygen", events: ["avatar_video.success"],
            secret: Self.secret(secret))
    }

    static func mode(_ path: String) -> mode_t {
        var info = stat()
        _ = lstat(path, &info)
        return info.st_mode & 0o777
    }

    static func inode(_ path: String) -> UInt64 {
        var info = stat()
        _ = lstat(path, &info)
        return UInt64(info.st_ino)
    }

    @Test("written with mode 0600 (also under umask 0), read back the same; the directory made 0700")
    func roundTrip() throws {
        let path = try Self.directory() + "/home/" + WebhookEndpointFile.fileName
        var file = WebhookEndpointFile(entries: [Self.entry()])
        file.rotate(id: "ep_1", to: Self.secret("whsec_current2"), at: Self.date)
        file.put(Self.entry("ep_2", secret: "whsec_second1"))
        let old = umask(0)
        defer { umask(old) }
        try file.write(to: path)
        #expect(Self.mode(path) == 0o600)
        #expect(Self.mode((path as NSString).deletingLastPathComponent) == 0o700)
        let read = try #require(try WebhookEndpointFile.read(path: path))
        #expect(read == file)
        #expect(read.entry(id: "ep_1")?.previousSecrets.first?.retiredAt == Self.date)
        #expect(try WebhookEndpointFile.read(path: path + ".absent") == nil)
    }

    @Test("a rewrite replaces the file by rename (a new inode), leaving no temporary file behind")
    func atomicRewrite() throws {
        let directory = try Self.directory()
        let path = directory + "/" + WebhookEndpointFile.fileName
        try WebhookEndpointFile(entries: [Self.entry()]).write(to: path)
        let first = Self.inode(path)
        try WebhookEndpointFile.update(path: path, now: Self.date) { file in
            file.rotate(id: "ep_1", to: Self.secret("whsec_current2"), at: Self.date)
        }
        #expect(Self.inode(path) != first)
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        #expect(names == [WebhookEndpointFile.fileName, WebhookEndpointFile.fileName + ".lock"])
        #expect(try WebhookEndpointFile.read(path: path)?.entry(id: "ep_1")?.secret.value == "whsec_current2")
    }

    @Test("a symlink is refused, to read and to replace, with secret_file_unusable")
    func symlinkRefused() throws {
        let directory = try Self.directory()
        let target = directory + "/elsewhere.json"
        try WebhookEndpointFile(entries: [Self.entry()]).write(to: target)
        let path = directory + "/" + WebhookEndpointFile.fileName
        try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: target)
        let error = #expect(throws: ReelWatchError.self) { try WebhookEndpointFile.read(path: path) }
        #expect(error?.code == .secretFileUnusable)
        #expect(error?.message.contains("is a symbolic link") == true)
        #expect(throws: ReelWatchError.self) { try WebhookEndpointFile().write(to: path) }
    }

    @Test(
        "a file group or others can read or write is refused, saying chmod 600 PATH", arguments: [0o640, 0o604, 0o620])
    func openModeRefused(mode: Int) throws {
        let path = try Self.directory() + "/" + WebhookEndpointFile.fileName
        try WebhookEndpointFile(entries: [Self.entry()]).write(to: path)
        chmod(path, mode_t(mode))
        let error = #expect(throws: ReelWatchError.self) { try WebhookEndpointFile.read(path: path) }
        #expect(error?.code == .secretFileUnusable)
        #expect(error?.message.contains("readable or writable by group or others") == true)
        #expect(error?.hint == "chmod 600 \(path)")
        #expect(!"\(error as Any)".contains("whsec_"))
    }

    @Test("a directory, and malformed content, are refused without quoting a secret")
    func malformedRefused() throws {
        let directory = try Self.directory()
        let path = directory + "/" + WebhookEndpointFile.fileName
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        let notFile = #expect(throws: ReelWatchError.self) { try WebhookEndpointFile.read(path: path) }
        #expect(notFile?.message.contains("is not a regular file") == true)
        try FileManager.default.removeItem(atPath: path)
        for text in [
            "not json", "[]", #"{"endpoints": 1}"#,
            #"{"endpoints": [{"endpoint_id": "../x", "url": "https://a/b", "secret": "whsec_12345678"}]}"#,
            #"{"endpoints": [{"endpoint_id": "ep", "url": "https://a/b", "secret": "whsec_1\n2345678"}]}"#,
            #"{"endpoints": [{"endpoint_id": "ep", "url": "file:///etc", "secret": "whsec_12345678"}]}"#,
            #"{"version": 9, "endpoints": []}"#,
        ] {
            _ = FileManager.default.createFile(
                atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600])
            let error = #expect(throws: ReelWatchError.self) { try WebhookEndpointFile.read(path: path) }
            #expect(error?.code == .secretFileUnusable)
            #expect(!"\(error as Any)".contains("whsec_1"))
            try FileManager.default.removeItem(atPath: path)
        }
    }

    @Test("a rotated-out secret stays valid for 24 h after it was retired, then is dropped")
    func grace() {
        var file = WebhookEndpointFile(entries: [Self.entry()])
        file.rotate(id: "ep_1", to: Self.secret("whsec_current2"), at: Self.date)
        #expect(file.validSecrets(at: Self.date) == ["whsec_current2", "whsec_current1"])
        #expect(file.validSecrets(at: Self.date.addingTimeInterval(86_399)) == ["whsec_current2", "whsec_current1"])
        #expect(file.nextExpiry(after: Self.date) == Self.date.addingTimeInterval(86_400))
        #expect(file.validSecrets(at: Self.date.addingTimeInterval(86_400)) == ["whsec_current2"])
        file.dropExpired(at: Self.date.addingTimeInterval(86_401))
        #expect(file.entry(id: "ep_1")?.previousSecrets.isEmpty == true)
        #expect(file.nextExpiry(after: Self.date) == nil)
        let rotated = file.rotate(id: "ep_9", to: Self.secret("whsec_other12"), at: Self.date)
        #expect(!rotated)
        let removed = file.remove(id: "ep_1")
        #expect(removed)
        #expect(file.validSecrets(at: Self.date).isEmpty)
    }

    @Test("update drops secrets past their grace as it writes")
    func updateDropsExpired() throws {
        let path = try Self.directory() + "/" + WebhookEndpointFile.fileName
        try WebhookEndpointFile.update(path: path, now: Self.date) { file in
            file.put(Self.entry())
            file.rotate(id: "ep_1", to: Self.secret("whsec_current2"), at: Self.date)
        }
        #expect(try WebhookEndpointFile.read(path: path)?.entry(id: "ep_1")?.previousSecrets.count == 1)
        try WebhookEndpointFile.update(path: path, now: Self.date.addingTimeInterval(90_000)) { _ in }
        #expect(try WebhookEndpointFile.read(path: path)?.entry(id: "ep_1")?.previousSecrets.isEmpty == true)
    }
}
