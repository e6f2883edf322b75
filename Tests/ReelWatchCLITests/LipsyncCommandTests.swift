import Foundation
import ReelWatch
import ReelWatchSimulator
import Testing

/// `heygen-lipsync:` refs end to end: the built binary against the simulator over HTTP, a real store.
@Suite("reelwatch and lipsyncs")
struct LipsyncCommandTests {
    static func job(_ id: String, api: ProviderAPI = .lipsync, render: Duration = .seconds(36_000)) -> SimulatedJob {
        SimulatedJob(ref: JobRef(api: api, id: id), queueTime: .zero, renderTime: render, captions: true)
    }

    @Test("wait --download --assets all: a lipsync followed from pending to completed, its video and SRT on disk")
    func waitAndDownload() async throws {
        let job = SimulatedJob(
            ref: JobRef(api: .lipsync, id: "dub-1"), title: "Launch (Spanish dub)", queueTime: .milliseconds(100),
            renderTime: .milliseconds(300), captions: true)
        try await CLI.withSimulator([job], timeScale: 1) { _, environment in
            let directory = NSTemporaryDirectory() + "reelwatch-lipsync-" + UUID().uuidString
            let run = try await CLI.run(
                ["wait", "heygen-lipsync:dub-1", "--download", directory, "--assets", "all", "--timeout", "20s"]
                    + WaitCommandTests.fast,
                environment: environment)
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.stdout.contains("heygen-lipsync:dub-1  succeeded (completed)"), "\(run.stdout)")
            let files = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
            #expect(files == ["heygen-dub-1-captions.srt", "heygen-dub-1-video.mp4"])
            let video = try FileManager.default.attributesOfItem(atPath: directory + "/heygen-dub-1-video.mp4")
            #expect(video[.size] as? Int == job.videoSize)
        }
    }

    @Test("track sync --kinds lipsyncs: 250 lipsyncs in ⌈250/100⌉ = 3 pages of /v3/lipsyncs; videos only when named")
    func syncKinds() async throws {
        let lipsyncs = (0..<250).map { Self.job("l\($0)") }
        let jobs = lipsyncs + [Self.job("v1", api: .v3), Self.job("t1", api: .translate)]
        try await CLI.withSimulator(jobs) { simulator, base in
            var environment = base
            environment["REELWATCH_HOME"] = NSTemporaryDirectory() + "reelwatch-lipsync-sync-" + UUID().uuidString
            let synced = try await CLI.run(
                ["track", "sync", "--kinds", "lipsyncs", "--json"], environment: environment)
            #expect(synced.status == 0, "\(synced.stderr)")
            let summary = try JSONValue.parse(Array(synced.stdout.utf8))
            #expect(Set(summary["added"]?.arrayValue?.compactMap(\.text) ?? []) == Set(lipsyncs.map(\.ref.description)))
            #expect(summary["pages"]?.number == 3)
            #expect(await simulator.requests.compactMap(\.path) == Array(repeating: "/v3/lipsyncs", count: 3))

            // Any case, spaces around the commas; the lipsyncs are tracked already, the translation not asked for.
            let more = try await CLI.run(["track", "sync", "--kinds", "Videos, lipsyncs"], environment: environment)
            #expect(more.status == 0, "\(more.stderr)")
            #expect(more.stdoutLines == ["tracking heygen:v1", "synced: 1 added, 251 listed, 0 unusable, 4 pages"])
        }
    }

    @Test(
        "track sync --kinds: an unknown or empty word, or --folder with no list that has folders, is one line, exit 2",
        arguments: [
            (["--kinds", "videos,vimeos"], "unknown kind 'vimeos'; the kinds are "),
            (["--kinds", "videos,"], "an empty kind; the kinds are "),
            (
                ["--kinds", "lipsyncs,translations", "--folder", "f1"],
                "--folder: none of the lists in --kinds has folders (translations,lipsyncs)"
            ),
        ])
    func badKinds(arguments: [String], message: String) async throws {
        let run = try await CLI.run(["track", "sync"] + arguments)
        #expect(run.status == 2)
        #expect(run.stderrLines.count == 1, "\(run.stderr)")
        let kinds = message.hasSuffix("the kinds are ") ? ProviderAPI.listKinds.joined(separator: ", ") : ""
        #expect(run.stderr.contains(message + kinds), "\(run.stderr)")
        #expect(run.stdout.isEmpty)
    }
}
