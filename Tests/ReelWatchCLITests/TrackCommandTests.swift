import Foundation
import ReelWatch
import ReelWatchSimulator
import Testing

/// `reelwatch track` and `reelwatch run` end to end: the built binary, the simulator over HTTP, a real store.
@Suite("reelwatch track")
struct TrackCommandTests {
    static func home() -> String {
        NSTemporaryDirectory() + "reelwatch-home-" + UUID().uuidString
    }

    static func job(_ api: ProviderAPI, _ id: String, render: Duration = .zero, failed: Bool = false) -> SimulatedJob {
        SimulatedJob(
            ref: JobRef(api: api, id: id), queueTime: .zero, renderTime: render,
            outcome: failed ? SimulatedJob.documentedFailure(for: api) : .success, videoSize: 40_000)
    }

    static func objects(_ run: CLI.Run) throws -> [[String: Any]] {
        try run.stdoutLines.map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    @Test("add, list, check, show, remove: one job list that survives between commands")
    func lifecycle() async throws {
        let jobs = [Self.job(.v3, "a"), Self.job(.hera, "b"), Self.job(.v1, "c", failed: true)]
        try await CLI.withSimulator(jobs) { _, base in
            let home = Self.home()
            let downloads = home + "/files"
            var environment = base
            environment["REELWATCH_HOME"] = home

            let added = try await CLI.run(
                [
                    "track", "add", "heygen:a", "hera:b", "--label", "launch", "--meta", "team=video", "--download",
                    downloads,
                ],
                environment: environment)
            #expect(added.status == 0, "\(added.stderr)")
            #expect(added.stdout == "tracking heygen:a\ntracking hera:b\n")
            let again = try await CLI.run(
                ["track", "add", "heygen:a", "heygen-v1:c", "--meta", "take=2"], environment: environment)
            #expect(again.stdout == "updated heygen:a\ntracking heygen-v1:c\n")

            let listed = try await CLI.run(["track", "list", "--json"], environment: environment)
            let before = try Self.objects(listed)
            #expect(before.count == 3)
            let first = try #require(before.first { $0["ref"] as? String == "heygen:a" })
            #expect(first["label"] as? String == "launch")
            #expect(first["meta"] as? [String: String] == ["team": "video", "take": "2"])
            #expect(first["state"] is NSNull)
            #expect(first["polls"] as? Int == 0)
            #expect(first["added_at"] as? String != nil)

            let check = try await CLI.run(["track", "check"], environment: environment)
            #expect(check.status == 1, "a render failed: \(check.stderr)")
            #expect(check.stdout.contains("heygen:a  new -> succeeded (completed)"))
            #expect(check.stdout.contains("heygen-v1:c  new -> failed"))
            #expect(check.stdout.contains("saved \(downloads)/heygen-a-video.mp4 (40000 bytes)"))
            #expect(check.stdout.contains("saved \(downloads)/hera-b-video-16x9-1080p.mp4"))
            #expect(check.stderr.contains("heygen-v1:c: render failed: Video is too long"))

            let quiet = try await CLI.run(["track", "check"], environment: environment)
            #expect(quiet.status == 0)
            #expect(quiet.stdout == "")
            #expect(quiet.stderr == "reelwatch: nothing due\n")

            let table = try await CLI.run(["track", "list"], environment: environment)
            #expect(table.stdoutLines.first?.hasPrefix("REF") == true)
            #expect(
                table.stdoutLines.contains {
                    $0.hasPrefix("heygen:a ") && $0.contains("succeeded") && $0.hasSuffix("1/1")
                })
            let failedOnly = try await CLI.run(
                ["track", "list", "--state", "failed", "--json"], environment: environment)
            #expect(try Self.objects(failedOnly).map { $0["ref"] as? String } == ["heygen-v1:c"])

            let shown = try await CLI.run(["track", "show", "heygen:a"], environment: environment)
            #expect(shown.stdout.contains("history         "))
            #expect(shown.stdout.contains("succeeded (completed)"))
            #expect(
                shown.stdout.contains("file            done  \(downloads)/heygen-a-video.mp4  40000 bytes  sha256 "))

            let removed = try await CLI.run(["track", "remove", "heygen:a"], environment: environment)
            #expect(removed.stdout == "removed heygen:a\n")
            let missing = try await CLI.run(["track", "remove", "heygen:a"], environment: environment)
            #expect(missing.status == 3)
            #expect(missing.stderr == "reelwatch: heygen:a: not tracked\n")
            #expect(FileManager.default.fileExists(atPath: downloads + "/heygen-a-video.mp4"))
        }
    }

    @Test("exit 2 for bad input; exit 8 for a store that is not one, which is left untouched")
    func badInput() async throws {
        let home = Self.home()
        let meta = try await CLI.run(
            ["track", "add", "heygen:a", "--meta", "novalue"], environment: ["REELWATCH_HOME": home])
        #expect(meta.status == 2)
        #expect(meta.stderr.contains("--meta 'novalue' is not key=value"))
        let state = try await CLI.run(["track", "list", "--state", "done"], environment: ["REELWATCH_HOME": home])
        #expect(state.status == 2)

        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        let garbage = Data(repeating: 0x5A, count: 8192)
        try garbage.write(to: URL(fileURLWithPath: home + "/reelwatch.sqlite"))
        let corrupt = try await CLI.run(["track", "list"], environment: ["REELWATCH_HOME": home])
        #expect(corrupt.status == 8)
        #expect(corrupt.stderr.contains("reelwatch.sqlite: not a SQLite database"))
        #expect(corrupt.stderrLines.count == 1)
        let json = try await CLI.run(["track", "list", "--json"], environment: ["REELWATCH_HOME": home])
        #expect(json.stderr.contains("\"code\":\"store_unavailable\""))
        #expect(try Data(contentsOf: URL(fileURLWithPath: home + "/reelwatch.sqlite")) == garbage)
    }

    @Test("run: the daemon polls and downloads until SIGINT, then stops cleanly with exit 0")
    func daemon() async throws {
        let jobs = [
            Self.job(.v3, "d1", render: .milliseconds(300)), Self.job(.v3, "d2", render: .milliseconds(600)),
            Self.job(.translate, "d3", render: .milliseconds(300)),
        ]
        try await CLI.withSimulator(jobs, timeScale: 1) { simulator, base in
            let home = Self.home()
            var environment = base
            environment["REELWATCH_HOME"] = home
            let add = try await CLI.run(
                ["track", "add", "heygen:d1", "heygen:d2", "heygen-translate:d3", "--download", home + "/files"],
                environment: environment)
            #expect(add.status == 0)
            let directory = home + "/files"
            let run = try await CLI.run(
                ["run", "--min-delay", "50ms", "--max-delay", "200ms"], environment: environment,
                interruptWhen: {
                    let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
                    return names.count { $0.hasSuffix(".mp4") } == 3
                })
            #expect(run.status == 0, "\(run.stderr)")
            #expect(
                run.stdout.contains("heygen:d2  processing -> succeeded (completed)")
                    || run.stdout.contains("heygen:d2  new -> succeeded"))
            let files = try FileManager.default.contentsOfDirectory(atPath: home + "/files").sorted()
            #expect(files == ["heygen-d1-video.mp4", "heygen-d2-video.mp4", "heygen-d3-video.mp4"])
            let list = try await CLI.run(["track", "list", "--json"], environment: environment)
            #expect(try Self.objects(list).allSatisfy { $0["state"] as? String == "succeeded" })
            // The v3 jobs were followed through the bulk endpoint.
            #expect(await simulator.bulkRequestCount >= 1)
        }
    }
}
