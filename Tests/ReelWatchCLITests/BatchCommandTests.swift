import Foundation
import ReelWatch
import ReelWatchSimulator
import Testing

/// Batch refs end to end: the built binary against the simulator over HTTP — `wait` and `download` act on every
/// member, `track show` lists them.
@Suite("reelwatch and batches")
struct BatchCommandTests {
    /// A batch `id` of v3 videos, rendering in a fraction of a second; `bad` fails.
    static func batch(_ id: String, members: [String], bad: Set<String> = []) -> SimulatedJob {
        SimulatedJob(
            ref: JobRef(api: .batch, id: id), title: "Batch",
            members: members.map {
                SimulatedJob(
                    ref: JobRef(api: .v3, id: $0), queueTime: .milliseconds(100), renderTime: .milliseconds(300),
                    outcome: bad.contains($0) ? SimulatedJob.documentedFailure(for: .v3) : .success,
                    videoSize: 30_000)
            })
    }

    static func directory() -> String { NSTemporaryDirectory() + "reelwatch-batch-cli-" + UUID().uuidString }

    @Test("wait --download on a batch ref follows every member to its file; download on it saves them again; exit 0")
    func waitAndDownload() async throws {
        let job = Self.batch("b1", members: ["v-a", "v-b", "v-c"])
        try await CLI.withSimulator([job], timeScale: 1) { _, environment in
            let directory = Self.directory()
            let run = try await CLI.run(
                ["wait", "heygen-batch:b1", "--download", directory, "--timeout", "20s"] + WaitCommandTests.fast,
                environment: environment)
            #expect(run.status == 0, "\(run.stderr)")
            for id in ["v-a", "v-b", "v-c"] { #expect(run.stdout.contains("heygen:\(id)  succeeded"), "\(run.stdout)") }
            #expect(run.stdout.contains("heygen-batch:b1  succeeded"), "\(run.stdout)")
            let files = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
            #expect(files == ["heygen-v-a-video.mp4", "heygen-v-b-video.mp4", "heygen-v-c-video.mp4"])

            let other = Self.directory()
            let download = try await CLI.run(
                ["download", "heygen-batch:b1", "--to", other], environment: environment)
            #expect(download.status == 0, "\(download.stderr)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: other).sorted() == files)
        }
    }

    @Test("a failed member: the others land, the member's failure and the batch's are told, exit 1 as for several refs")
    func failedMember() async throws {
        let job = Self.batch("b2", members: ["ok", "bad"], bad: ["bad"])
        try await CLI.withSimulator([job], timeScale: 1) { _, environment in
            let directory = Self.directory()
            let run = try await CLI.run(
                ["wait", "heygen-batch:b2", "--download", directory, "--timeout", "20s"] + WaitCommandTests.fast,
                environment: environment)
            #expect(run.status == 1, "\(run.stderr)")
            #expect(run.stderr.contains("heygen:bad: render failed: Script too long"), "\(run.stderr)")
            #expect(run.stderr.contains("heygen-batch:b2: render failed: 1 of 2 items failed"), "\(run.stderr)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["heygen-ok-video.mp4"])
        }
    }

    @Test("track add + track check on a batch tracks its members; track show lists them with their files")
    func trackShow() async throws {
        let job = Self.batch("b3", members: ["t-1", "t-2"])
        try await CLI.withSimulator([job], timeScale: 1) { simulator, base in
            var environment = base
            let home = Self.directory()
            environment["REELWATCH_HOME"] = home
            let downloads = home + "/files"
            let added = try await CLI.run(
                ["track", "add", "heygen-batch:b3", "--download", downloads], environment: environment)
            #expect(added.status == 0, "\(added.stderr)")
            // Over once its members are: the first check tracks them, the next ones poll and fetch them.
            while await simulator.state(of: JobRef(api: .v3, id: "t-2")) != .succeeded {
                try await Task.sleep(for: .milliseconds(50))
            }
            for _ in 0..<2 {
                let check = try await CLI.run(["track", "check"], environment: environment)
                #expect(check.status == 0, "\(check.stderr)")
            }
            let shown = try await CLI.run(["track", "show", "heygen-batch:b3"], environment: environment)
            #expect(shown.status == 0, "\(shown.stderr)")
            for id in ["t-1", "t-2"] {
                let line = "member          heygen:\(id)  succeeded  \(downloads)/heygen-\(id)-video.mp4"
                #expect(shown.stdout.contains(line), "\(shown.stdout)")
            }
            let json = try await CLI.run(["track", "show", "heygen-batch:b3", "--json"], environment: environment)
            let object = try JSONValue.parse(Array(json.stdout.utf8))
            #expect(object["members"]?.arrayValue?.compactMap(\.text) == ["heygen:t-1", "heygen:t-2"])
            #expect(object["member_jobs"]?.arrayValue?.compactMap { $0["state"]?.text } == ["succeeded", "succeeded"])
        }
    }
}
