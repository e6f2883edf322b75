import Foundation
import ReelWatch
import ReelWatchSimulator
import Testing

@Suite("reelwatch demo")
struct DemoCommandTests {
    @Test("runs without any key, follows every simulated job to the end and shows the result")
    func demo() async throws {
        let directory = NSTemporaryDirectory() + "reelwatch-demo-" + UUID().uuidString
        // 150x: the first poll must come within the queued job's 4 simulated minutes (1.6 s) even on a loaded machine.
        let run = try await CLI.run(["demo", "--time-scale", "150", "--to", directory])
        #expect(run.status == 0, "\(run.stderr)")
        for job in DemoJobs.all {
            #expect(
                run.stdout.contains("\(job.ref)  succeeded") || run.stdout.contains("\(job.ref)  failed"), "\(job.ref)")
        }
        #expect(run.stdout.contains("heygen-v1:demo-v1-queued  queued ("))
        #expect(run.stdout.contains("heygen-v1:demo-v1-queued  processing"))
        #expect(run.stderr.contains("heygen-v1:demo-v1-too-long: render failed: Video is too long"))
        // Every render that succeeded has its files on disk; the failed ones have none.
        let files = try FileManager.default.contentsOfDirectory(atPath: directory)
        #expect(files.count == 18)
        #expect(files.contains("heygen-demo-avatar-ready-video.mp4"))
        #expect(files.contains("heygen-demo-lipsync-dub-video.mp4"))
        #expect(files.contains("hera-demo-motion-partial-video-9x16-4k.mp4"))
        #expect(files.contains("heygen-demo-bgremoval-ready-layer-foreground.webm"))
        #expect(
            files.contains { $0.hasPrefix("heygen-demo-bgremoval-ready-layer-alpha_matte-") && $0.hasSuffix(".webm") })
        #expect(files.contains("heygen-demo-proofread-captions-original.srt"))
        #expect(!files.contains { $0.contains("too-long") || $0.contains("motion-failed") || $0.hasSuffix(".part") })
        let again = try await CLI.run(["demo", "--time-scale", "300", "--to", directory])
        #expect(again.status == 0)
        #expect(again.stdout.components(separatedBy: "already complete: ").count == 19)
        // The closing table of the demo's job store: every job, its state and its files.
        let table = try #require(run.stdout.components(separatedBy: "tracked in the demo's job store:\n").last)
        #expect(table.hasPrefix("REF "))
        #expect(table.contains("heygen:demo-avatar-ready"))
        #expect(
            table.split(separator: "\n").count == DemoJobs.all.count + DemoJobs.all.map(\.members.count).reduce(0, +)
                + 1)
    }

    @Test("--push: an endpoint registered with the simulator, jobs ended by webhooks, a dropped one reconciled")
    func demoPush() async throws {
        let directory = NSTemporaryDirectory() + "reelwatch-demo-push-" + UUID().uuidString
        let run = try await CLI.run(["demo", "--push", "--time-scale", "120", "--to", directory])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("registered ep_"))
        #expect(run.stdout.contains("secret saved (mode 0600)"))
        #expect(!run.stdout.contains("whsec_") && !run.stderr.contains("whsec_"), "the secret is never printed")
        #expect(
            run.stdout.contains(
                "polled every 10 min as a safety net: heygen, heygen-agent, heygen-proofread, heygen-translate;"))
        // Seed 7 drops one of the ten deliveries; the demo ends only once every job has ended with its files.
        #expect(run.stdout.contains("webhooks: 10 events, 9 delivered, 1 dropped"))
        let files = try FileManager.default.contentsOfDirectory(atPath: directory)
        #expect(files.count == 18)
        #expect(!run.stdout.contains("already complete"), "no file is fetched twice")
        let table = try #require(run.stdout.components(separatedBy: "tracked in the demo's job store:\n").last)
        #expect(
            table.split(separator: "\n").count == DemoJobs.all.count + DemoJobs.all.map(\.members.count).reduce(0, +)
                + 1)
    }

    @Test("--json prints a snapshot per state change, each job's final state last")
    func demoJSON() async throws {
        let directory = NSTemporaryDirectory() + "reelwatch-demo-" + UUID().uuidString
        // 150x, as the test above: the first poll must come within the queued job's 4 simulated minutes (1.6 s);
        // at 300x (0.8 s) it missed them once in four full-suite runs on this 2-core machine.
        let run = try await CLI.run(["demo", "--json", "--time-scale", "150", "--to", directory])
        #expect(run.status == 0, "\(run.stderr)")
        // Snapshot lines carry a state; file lines carry a sha256.
        let (fileLines, snapshotLines) = (
            run.stdoutLines.filter { $0.contains("\"sha256\":") },
            run.stdoutLines.filter { !$0.contains("\"sha256\":") }
        )
        #expect(fileLines.count == 18)
        let snapshots = try snapshotLines.map { try JSONDecoder().decode(JobSnapshot.self, from: Data($0.utf8)) }
        var last: [JobRef: JobSnapshot] = [:]
        for snapshot in snapshots { last[snapshot.ref] = snapshot }
        #expect(Set(last.keys) == Set(DemoJobs.all.flatMap { [$0.ref] + $0.members.map(\.ref) }))
        #expect(last.values.allSatisfy { $0.state.isTerminal })
        #expect(Set(snapshots.map(\.state)) == [.queued, .processing, .succeeded, .failed])
        // Every current API; the legacy v2 translation route is left out of the demo, and of the batches only the
        // videos' (the lipsyncs' and translations' differ only in their members' kind).
        #expect(
            Set(snapshots.map(\.api))
                == Set(ProviderAPI.allCases).subtracting([.translateV2, .lipsyncBatch, .translateBatch]))
        let errors = try run.stderrLines.map { try JSONValue.parse(Array($0.utf8))["error"]?["code"] }
        #expect(errors == ["render_failed", "render_failed"])
    }
}
