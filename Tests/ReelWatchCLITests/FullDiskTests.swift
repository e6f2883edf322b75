import Foundation
import ReelWatch
import ReelWatchSimulator
import Testing

/// A 1 MiB tmpfs to fill, mounted for one test (needs root, as CI and these machines have).
enum TinyDisk {
    /// Mounts a fresh 1 MiB tmpfs and returns its path, or nil when mounting is not allowed here.
    static func mount() -> String? {
        let path = NSTemporaryDirectory() + "reelwatch-tiny-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return run("/bin/mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", path]) ? path : nil
    }

    /// Makes the directory at `path` read-only in place (a read-only bind mount of itself).
    static func makeReadOnly(_ path: String) -> Bool {
        run("/bin/mount", ["--bind", path, path]) && run("/bin/mount", ["-o", "remount,ro,bind", path])
    }

    /// Undoes ``makeReadOnly(_:)``, keeping the directory and its files.
    static func makeWritable(_ path: String) {
        _ = run("/bin/umount", [path])
    }

    /// Grows the tmpfs at `path` to 16 MiB, as freeing space would.
    static func grow(_ path: String) -> Bool {
        run("/bin/mount", ["-o", "remount,size=16m", path])
    }

    static func unmount(_ path: String) {
        _ = run("/bin/umount", [path])
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Whether a tmpfs can be mounted here.
    static let available: Bool = {
        guard let path = mount() else { return false }
        unmount(path)
        return true
    }()

    private static func run(_ tool: String, _ arguments: [String]) -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }
}

/// A disk that fills up during a download: a clear error, exit 7, and the tracked job kept for later.
@Suite("Full disk", .enabled(if: TinyDisk.available, "needs to mount a tmpfs (root)"))
struct FullDiskTests {
    static let job = SimulatedJob(
        ref: JobRef(api: .v3, id: "big"), queueTime: .zero, renderTime: .zero, videoSize: 4 << 20)

    @Test("download: exit 7 naming the file and 'No space left on device'; no file under the final name")
    func download() async throws {
        let disk = try #require(TinyDisk.mount())
        defer { TinyDisk.unmount(disk) }
        try await CLI.withSimulator([Self.job]) { _, environment in
            let run = try await CLI.run(["download", "heygen:big", "--to", disk], environment: environment)
            #expect(run.status == 7)
            #expect(run.stderrLines.count == 1)
            #expect(run.stderr.hasPrefix("reelwatch: heygen:big: heygen-big-video.mp4: cannot write "))
            #expect(run.stderr.contains("No space left on device"))
            #expect(!FileManager.default.fileExists(atPath: disk + "/heygen-big-video.mp4"))
        }
    }

    @Test("track check: the job stays tracked, its file marked failed, and a later check can finish it")
    func tracked() async throws {
        let disk = try #require(TinyDisk.mount())
        defer { TinyDisk.unmount(disk) }
        try await CLI.withSimulator([Self.job]) { _, base in
            var environment = base
            environment["REELWATCH_HOME"] = NSTemporaryDirectory() + "reelwatch-home-" + UUID().uuidString
            _ = try await CLI.run(["track", "add", "heygen:big", "--download", disk], environment: environment)
            let check = try await CLI.run(["track", "check"], environment: environment)
            #expect(check.status == 7)
            #expect(check.stderr.contains("No space left on device"))
            let list = try await CLI.run(["track", "list", "--json"], environment: environment)
            let object = try #require(
                try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [String: Any])
            #expect(object["state"] as? String == "succeeded")
            let files = try #require(object["files"] as? [[String: Any]])
            #expect(files.map { $0["status"] as? String } == ["failed"])

            // Once there is room, the next check resumes the .part and finishes the job.
            #expect(TinyDisk.grow(disk))
            let again = try await CLI.run(["track", "check"], environment: environment)
            #expect(again.status == 0, "\(again.stderr)")
            #expect(again.stdout.contains("saved \(disk)/heygen-big-video.mp4 (4194304 bytes, resumed from byte "))
            let done = try await CLI.run(["track", "list", "--json"], environment: environment)
            let finished = try #require(
                try JSONSerialization.jsonObject(with: Data(done.stdout.utf8)) as? [String: Any])
            #expect((finished["files"] as? [[String: Any]])?.map { $0["status"] as? String } == ["done"])
        }
    }
}

/// A home directory that became read-only: a clear error (exit 8), the tracked jobs intact.
@Suite("Read-only home", .enabled(if: TinyDisk.available, "needs to mount (root)"))
struct ReadOnlyHomeTests {
    @Test("track commands exit 8 naming the directory and why; once writable again, every job is there")
    func readOnly() async throws {
        let home = NSTemporaryDirectory() + "reelwatch-ro-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        let environment = ["REELWATCH_HOME": home]
        let add = try await CLI.run(["track", "add", "heygen:kept", "--label", "keep me"], environment: environment)
        #expect(add.status == 0)
        #expect(TinyDisk.makeReadOnly(home))
        defer { TinyDisk.makeWritable(home) }
        for arguments in [["track", "list"], ["track", "add", "heygen:new"], ["track", "check"]] {
            let run = try await CLI.run(arguments, environment: environment)
            #expect(run.status == 8, "\(arguments)")
            #expect(
                run.stderr
                    == "reelwatch: the job store \(home)/reelwatch.sqlite: cannot write in \(home) (Read-only file system) (set REELWATCH_HOME to use another store)\n"
            )
        }
        TinyDisk.makeWritable(home)
        let list = try await CLI.run(["track", "list", "--json"], environment: environment)
        #expect(list.status == 0)
        #expect(list.stdout.contains("\"label\":\"keep me\""))
        #expect(!list.stdout.contains("heygen:new"))
    }
}
