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
