import Foundation
import ReelWatch
import ReelWatchSimulator
import Testing

/// `reelwatch wait --download` and `reelwatch download` on AI clipping jobs (`heygen-clip:`), end to end against
/// the simulator: each clip's file lands as soon as that clip completes, while the job still runs.
@Suite("reelwatch and AI clips")
struct ClipCommandTests {
    /// Three clips over 300 s of rendering: at 100 s, 200 s (this one fails, untitled) and 300 s.
    static func job(_ id: String) -> SimulatedJob {
        var job = SimulatedJob(
            ref: JobRef(api: .clip, id: id), title: "Keynote", queueTime: .zero, renderTime: .seconds(300),
            videoSize: 20_000)
        job.clips[1] = SimulatedJob.Clip(title: nil, fails: true)
        return job
    }

    static func fetches(_ simulator: Simulator, _ ref: JobRef, _ name: String) async -> Int {
        await simulator.requests.count { $0.path == "/files/clip/\(ref.id)/\(name)" }
    }

    @Test("wait --download: the first clip lands while the job runs; the failed clip is named; exit 0; none twice")
    func waitDownload() async throws {
        let job = Self.job("k1")
        try await CLI.withSimulator([job]) { simulator, environment in
            let directory = DownloadCommandTests.directory()
            async let waited = CLI.run(
                [
                    "wait", "heygen-clip:k1", "--download", directory, "--timeout", "60s", "--min-delay", "50ms",
                    "--max-delay", "200ms",
                ], environment: environment)
            // Simulated time stands still after the first clip, until its file is on disk.
            await simulator.advance(by: .seconds(150))
            let first = directory + "/heygen-k1-video-Opening-k1-clip-0.mp4"
            for _ in 0..<1000 where !FileManager.default.fileExists(atPath: first) {
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(FileManager.default.fileExists(atPath: first))
            #expect(await simulator.state(of: job.ref) == .processing)
            await simulator.advance(by: .seconds(300))
            let run = try await waited
            #expect(run.status == 0, "\(run.stderr)")
            #expect(
                DownloadCommandTests.files(in: directory) == [
                    "heygen-k1-video-Closing-k1-clip-2.mp4", "heygen-k1-video-Opening-k1-clip-0.mp4",
                ])
            let lines = run.stdoutLines
            #expect(lines.contains { $0.hasPrefix("saved \(first)") })
            #expect(lines.contains { $0.hasPrefix("heygen-clip:k1  succeeded") })
            // The first clip was fetched at simulated second 150, while the job rendered (it completes at 300).
            let fetched = await simulator.requests.filter { $0.path == "/files/clip/k1/clip-0.mp4" }.map(\.at)
            #expect(fetched == [.seconds(150)])
            // The block of the finished job names the clip that failed.
            #expect(
                lines.contains {
                    $0.contains("video") && $0.contains("failed") && $0.contains("HeyGen gives no reason")
                })
            #expect(await Self.fetches(simulator, job.ref, "clip-0.mp4") == 1)
            #expect(await Self.fetches(simulator, job.ref, "clip-1.mp4") == 0)
            #expect(await Self.fetches(simulator, job.ref, "clip-2.mp4") == 1)
        }
    }

    @Test("wait --download on a job cancelled after its first clip: exit 1, reason cancelled, the clip stays")
    func waitCancelled() async throws {
        var job = Self.job("k3")
        job.outcome = .failure(code: "cancelled", message: "Cancelled", detail: nil)
        try await CLI.withSimulator([job]) { [job] simulator, environment in
            let directory = DownloadCommandTests.directory()
            async let waited = CLI.run(
                [
                    "wait", "heygen-clip:k3", "--download", directory, "--timeout", "60s", "--min-delay", "50ms",
                    "--max-delay", "200ms",
                ], environment: environment)
            await simulator.advance(by: .seconds(150))
            let first = directory + "/heygen-k3-video-Opening-k3-clip-0.mp4"
            for _ in 0..<1000 where !FileManager.default.fileExists(atPath: first) {
                try await Task.sleep(for: .milliseconds(20))
            }
            await simulator.advance(by: .seconds(300))
            let run = try await waited
            #expect(run.status == 1, "\(run.stderr)")
            #expect(run.stderr.contains("heygen-clip:k3: render failed: cancelled"), "\(run.stderr)")
            #expect(DownloadCommandTests.files(in: directory) == ["heygen-k3-video-Opening-k3-clip-0.mp4"])
            #expect(await Self.fetches(simulator, job.ref, "clip-2.mp4") == 0)
        }
    }

    @Test("download on a running clipping job: the finished clips are saved, exit 4 for the rest")
    func downloadWhileRunning() async throws {
        let job = Self.job("k2")
        try await CLI.withSimulator([job]) { simulator, environment in
            await simulator.advance(by: .seconds(150))
            let directory = DownloadCommandTests.directory()
            let run = try await CLI.run(["download", "heygen-clip:k2", "--to", directory], environment: environment)
            #expect(run.status == 4, "\(run.stderr)")
            #expect(run.stderr.contains("still processing: only the outputs finished so far are saved"))
            #expect(DownloadCommandTests.files(in: directory) == ["heygen-k2-video-Opening-k2-clip-0.mp4"])
            // Run again once it completed: the first clip is not fetched again.
            await simulator.advance(by: .seconds(300))
            let again = try await CLI.run(["download", "heygen-clip:k2", "--to", directory], environment: environment)
            #expect(again.status == 0, "\(again.stderr)")
            #expect(DownloadCommandTests.files(in: directory).count == 2)
            #expect(await Self.fetches(simulator, job.ref, "clip-0.mp4") <= 2)
            let full = await simulator.requests.filter {
                $0.path == "/files/clip/k2/clip-0.mp4" && $0.range == nil
            }
            #expect(full.count == 1)
        }
    }
}
