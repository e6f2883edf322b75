import Foundation
import ReelWatch
import ReelWatchSimulator
import Subprocess
import Synchronization
import Testing

/// `reelwatch track sync` end to end: the built binary, the simulator's account lists over HTTP, a real store.
@Suite("reelwatch track sync")
struct TrackSyncCommandTests {
    static func job(
        _ id: String, folder: String?, api: ProviderAPI = .v3, render: Duration = .seconds(36_000)
    )
        -> SimulatedJob
    {
        SimulatedJob(ref: JobRef(api: api, id: id), queueTime: .zero, renderTime: render, folderID: folder)
    }

    @Test("the folder's renders within --since (3 pages) are tracked, older ones not; paging stops at an older page")
    func windowFolderAndPages() async throws {
        // Simulated time zero is three days ago: renders added then are old; the rest are from the last hour.
        let simulator = Simulator(timeScale: 0, epoch: Date().addingTimeInterval(-72 * 3600))
        for index in 0..<300 { await simulator.add(Self.job("old\(index)", folder: "f1")) }
        await simulator.advance(by: .seconds(71 * 3600))
        var recentRefs: [String] = []
        for index in 0..<210 {
            await simulator.add(Self.job("new\(index)", folder: "f1"))
            await simulator.add(Self.job("other\(index)", folder: "f2"))
            recentRefs.append("heygen:new\(index)")
            await simulator.advance(by: .seconds(1))
        }
        let recent = recentRefs
        await simulator.add(Self.job("done", folder: "f1", render: .zero))
        await simulator.add(Self.job("t1", folder: nil, api: .translate))
        try await SimulatorServer(simulator: simulator, logger: CLI.quiet).withRunning { endpoint in
            var environment = endpoint.environment(apiKey: simulator.apiKey)
            environment["REELWATCH_HOME"] = NSTemporaryDirectory() + "reelwatch-sync-" + UUID().uuidString
            let synced = try await CLI.run(
                ["track", "sync", "--since", "24h", "--folder", "f1", "--label", "team"], environment: environment)
            #expect(synced.status == 0, "\(synced.stderr)")
            let lines = synced.stdoutLines
            #expect(lines.dropLast() == recent.reversed().map { "tracking \($0)" })
            #expect(lines.last == "synced: 210 added, 400 listed, 0 unusable, 4 pages")
            // Newest first, 100 a page: 211 new (one finished, not tracked), then a page of old ones ends it; the
            // fifth page (has_more was true) and the translations (no folders) are never asked for.
            #expect(await simulator.counts.listRequests == 4)

            let again = try await CLI.run(["track", "sync", "--since", "24h", "--json"], environment: environment)
            #expect(again.status == 0, "\(again.stderr)")
            let object = try #require(
                try JSONSerialization.jsonObject(with: Data(again.stdout.utf8)) as? [String: Any])
            // Without the folder: the other folder's renders and the translation, nothing tracked twice.
            let others = (0..<210).reversed().map { "heygen:other\($0)" }
            #expect(object["added"] as? [String] == others + ["heygen-translate:t1"])
            // 6 pages of videos (the sixth all old), then 1 of each other list (translations, and empty ones of the
            // rest): every list by default.
            let pages = 6 + ProviderAPI.listable.count - 1
            #expect(object["pages"] as? Int == pages)
            let listed = try await CLI.run(["track", "list", "--json"], environment: environment)
            #expect(listed.stdoutLines.count == 210 + 210 + 1)
            let nothing = try await CLI.run(["track", "sync"], environment: environment)
            #expect(nothing.stdout == "synced: 0 added, 601 listed, 0 unusable, \(pages) pages\n")

            let bad = try await CLI.run(["track", "sync", "--since", "soon"], environment: environment)
            #expect(bad.status == 2)
            #expect(
                bad.stderr
                    == "reelwatch: The value 'soon' is invalid for '--since <duration>': not a duration; write digits "
                    + "and a unit, e.g. 500ms, 5s, 1.5m or 1h (see 'reelwatch --help')\n")
            let stray = try await CLI.run(["run", "--folder", "f1"], environment: environment)
            #expect(stray.status == 2)
            #expect(
                stray.stderr.contains("--since, --folder, --kinds, --download and --label go with --sync-every"),
                "\(stray.stderr)")
        }
    }

    @Test("run --sync-every --download: a render created after the daemon started is tracked, polled and saved")
    func daemonSync() async throws {
        try await CLI.withSimulator([Self.job("early", folder: nil)]) { simulator, base in
            var environment = base
            environment["REELWATCH_HOME"] = NSTemporaryDirectory() + "reelwatch-sync-" + UUID().uuidString
            let directory = NSTemporaryDirectory() + "reelwatch-sync-files-" + UUID().uuidString
            let saved = directory + "/heygen-late-video.mp4"
            let shared = environment
            let step = Mutex(0)
            let run = try await CLI.run(
                ["run", "--sync-every", "1s", "--min-delay", "50ms", "--download", directory, "--label", "account"],
                environment: environment,
                interruptWhen: {
                    if step.withLock({ $0 }) == 0 {
                        let listed = try? await CLI.run(["track", "list", "--json"], environment: shared)
                        guard listed?.stdout.contains("\"heygen:early\"") == true else { return false }
                        await simulator.add(Self.job("late", folder: nil, render: .zero))
                        step.withLock { $0 = 1 }
                        return false
                    }
                    return FileManager.default.fileExists(atPath: saved)
                })
            #expect(run.status == 130, "\(run.stderr)")
            #expect(run.stdout.contains("tracking heygen:early\n"))
            #expect(run.stdout.contains("tracking heygen:late\n"))
            #expect(FileManager.default.fileExists(atPath: saved))
            let shown = try await CLI.run(["track", "show", "heygen:late", "--json"], environment: shared)
            #expect(shown.stdout.contains("\"label\":\"account\""), "\(shown.stdout)")
        }
    }

    /// A simulator holding `count` unfinished v3 renders made just now: `count / 100` pages of the account's list.
    static func longList(_ count: Int) async -> Simulator {
        let simulator = Simulator(timeScale: 0)
        await simulator.add((0..<count).map { Self.job("r\($0)", folder: nil) })
        return simulator
    }

    @Test("track sync: SIGTERM in the middle of a long list exits 130 having tracked the renders of the pages it read")
    func interrupted() async throws {
        let simulator = await Self.longList(40_000)
        try await SimulatorServer(simulator: simulator, logger: CLI.quiet).withRunning { endpoint in
            var environment = endpoint.environment(apiKey: simulator.apiKey)
            environment["REELWATCH_HOME"] = NSTemporaryDirectory() + "reelwatch-sync-" + UUID().uuidString
            let run = try await CLI.run(
                ["track", "sync"], environment: environment,
                interruptWhen: { await simulator.counts.listRequests >= 5 }, signal: .terminate)
            #expect(run.status == 130, "\(run.stderr)")
            #expect(
                run.stderrLines == [
                    "reelwatch: interrupted by SIGTERM: track sync stopped; the renders on the pages it read are "
                        + "tracked (run it again to go on)"
                ])
            let requests = await simulator.counts.listRequests
            #expect(requests < 40, "\(requests) of 400 pages asked for after SIGTERM at 5")
            let summary = try #require(run.stdoutLines.last)
            let added = run.stdoutLines.dropLast().count
            #expect(added >= 400 && added % 100 == 0, "\(summary)")
            #expect(summary.hasPrefix("synced: \(added) added, \(added) listed, 0 unusable, \(added / 100) pages"))
            let listed = try await CLI.run(["track", "list", "--json"], environment: environment)
            #expect(listed.stdoutLines.count == added)
        }
    }

    @Test("run --sync-every: SIGTERM in the middle of a long list stops the sync within a few pages, exit 130")
    func daemonSyncInterrupted() async throws {
        let simulator = await Self.longList(40_000)
        try await SimulatorServer(simulator: simulator, logger: CLI.quiet).withRunning { endpoint in
            var environment = endpoint.environment(apiKey: simulator.apiKey)
            environment["REELWATCH_HOME"] = NSTemporaryDirectory() + "reelwatch-sync-" + UUID().uuidString
            let run = try await CLI.run(
                ["run", "--sync-every", "1h"], environment: environment,
                interruptWhen: { await simulator.counts.listRequests >= 5 }, signal: .terminate)
            #expect(run.status == 130, "\(run.stderr)")
            let requests = await simulator.counts.listRequests
            #expect(requests < 40, "\(requests) of 400 pages asked for after SIGTERM at 5")
            #expect(run.stderr.contains("interrupted by SIGTERM: run stopped"), "\(run.stderr)")
        }
    }
}
