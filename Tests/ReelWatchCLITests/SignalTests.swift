import Foundation
import ReelWatch
import ReelWatchSimulator
import Subprocess
import Synchronization
import Testing

/// SIGTERM and SIGINT in the middle of the work: exit 130 with one line saying what stopped, what finished is
/// recorded, what did not keeps its `.part`, and the next run resumes from it.
@Suite("reelwatch interrupted")
struct SignalTests {
    /// Large enough that, sent 256 KiB every 200 ms, the file is still arriving seconds after its first bytes.
    static let bigSize = 8 << 20

    static let signals: [String: Subprocess.Signal] = ["SIGTERM": .terminate, "SIGINT": .interrupt]

    static func job(_ api: ProviderAPI, _ id: String, size: Int = 40_000) -> SimulatedJob {
        SimulatedJob(ref: JobRef(api: api, id: id), queueTime: .zero, renderTime: .zero, videoSize: size)
    }

    static func size(of path: String) -> Int {
        (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    }

    static func objects(_ run: CLI.Run) throws -> [String: [String: Any]] {
        var byRef: [String: [String: Any]] = [:]
        for line in run.stdoutLines {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            byRef[try #require(object["ref"] as? String)] = object
        }
        return byRef
    }

    static func fileStatuses(_ job: [String: Any]?) -> [String?] {
        ((job?["files"] as? [[String: Any]]) ?? []).map { $0["status"] as? String }
    }

    @Test(
        "download: a signal mid-transfer exits 130 with one line; the saved file is recorded, the .part stays, the rerun resumes it",
        arguments: ["SIGTERM", "SIGINT"])
    func download(signal: String) async throws {
        let big = Self.job(.v3, "big", size: Self.bigSize)
        let small = Self.job(.hera, "small")
        try await CLI.withSimulator([big, small]) { simulator, base in
            var environment = base
            environment["REELWATCH_HOME"] = TrackCommandTests.home()
            await simulator.inject(.slowBody(pause: .milliseconds(200)), forFilesOf: big.ref)
            let directory = TrackCommandTests.home() + "/files"
            let final = directory + "/heygen-big-video.mp4"
            let saved = directory + "/hera-small-video-16x9-1080p.mp4"
            let run = try await CLI.run(
                ["download", "heygen:big", "hera:small", "--to", directory], environment: environment,
                interruptWhen: { Self.size(of: final + ".part") > 0 && FileManager.default.fileExists(atPath: saved) },
                signal: try #require(Self.signals[signal]))
            #expect(run.status == 130, "\(run.stderr)")
            #expect(
                run.stderrLines == [
                    "reelwatch: interrupted by \(signal): download stopped; saved files stay, partial ones stay as .part "
                        + "(run the same command to resume them)"
                ])
            #expect(run.stdout == "saved \(saved) (40000 bytes)\n")
            let partial = Self.size(of: final + ".part")
            #expect(partial > 0 && partial < Self.bigSize)
            #expect(!FileManager.default.fileExists(atPath: final))

            let jobs = try Self.objects(try await CLI.run(["track", "list", "--json"], environment: environment))
            #expect(Self.fileStatuses(jobs["hera:small"]) == ["done"])
            #expect(Self.fileStatuses(jobs["heygen:big"]) == ["pending"])

            let path = "/files/v3/big/video.mp4"
            let served = await simulator.bytesServed(path: path)
            let rerun = try await CLI.run(["download", "heygen:big", "--to", directory], environment: environment)
            #expect(rerun.status == 0, "\(rerun.stderr)")
            #expect(rerun.stdout == "saved \(final) (\(Self.bigSize) bytes, resumed from byte \(partial))\n")
            #expect(await simulator.bytesServed(path: path) - served == Self.bigSize - partial)
            #expect(await simulator.requests.last { $0.path == path }?.range == "bytes=\(partial)-")
            #expect(Self.size(of: final) == Self.bigSize)
            let after = try Self.objects(try await CLI.run(["track", "list", "--json"], environment: environment))
            #expect(Self.fileStatuses(after["heygen:big"]) == ["done"])
        }
    }

    @Test(
        "track check: SIGTERM mid-download exits 130; answers and the file that landed are recorded, the rerun resumes")
    func trackCheckDownloading() async throws {
        let big = Self.job(.v3, "big", size: Self.bigSize)
        let small = Self.job(.hera, "small")
        try await CLI.withSimulator([big, small]) { simulator, base in
            let home = TrackCommandTests.home()
            var environment = base
            environment["REELWATCH_HOME"] = home
            let directory = home + "/files"
            let add = try await CLI.run(
                ["track", "add", "heygen:big", "hera:small", "--download", directory], environment: environment)
            #expect(add.status == 0, "\(add.stderr)")
            await simulator.inject(.slowBody(pause: .milliseconds(200)), forFilesOf: big.ref)
            let final = directory + "/heygen-big-video.mp4"
            let saved = directory + "/hera-small-video-16x9-1080p.mp4"
            let run = try await CLI.run(
                ["track", "check"], environment: environment,
                interruptWhen: { Self.size(of: final + ".part") > 0 && FileManager.default.fileExists(atPath: saved) },
                signal: .terminate)
            #expect(run.status == 130, "\(run.stderr)")
            #expect(
                run.stderrLines == [
                    "reelwatch: interrupted by SIGTERM: track check stopped; what it received is recorded, partial "
                        + "files stay as .part (run it again to go on)"
                ])
            #expect(run.stdout.contains("heygen:big  new -> succeeded (completed)"))
            #expect(run.stdout.contains("saved \(saved) (40000 bytes)"))
            let partial = Self.size(of: final + ".part")
            #expect(partial > 0 && partial < Self.bigSize)
            #expect(!FileManager.default.fileExists(atPath: final))

            let jobs = try Self.objects(try await CLI.run(["track", "list", "--json"], environment: environment))
            #expect(jobs["heygen:big"]?["state"] as? String == "succeeded")
            #expect(jobs["hera:small"]?["state"] as? String == "succeeded")
            #expect(Self.fileStatuses(jobs["hera:small"]) == ["done"])
            // Cut short, not failed: the next check takes it up again.
            #expect(Self.fileStatuses(jobs["heygen:big"]) == ["pending"])

            let path = "/files/v3/big/video.mp4"
            let rerun = try await CLI.run(["track", "check"], environment: environment)
            #expect(rerun.status == 0, "\(rerun.stderr)")
            #expect(rerun.stdout == "saved \(final) (\(Self.bigSize) bytes, resumed from byte \(partial))\n")
            #expect(await simulator.requests.last { $0.path == path }?.range == "bytes=\(partial)-")
            #expect(await simulator.statusRequestCount(for: small.ref) == 1)
            let after = try Self.objects(try await CLI.run(["track", "list", "--json"], environment: environment))
            #expect(Self.fileStatuses(after["heygen:big"]) == ["done"])
        }
    }

    @Test(
        "track check: SIGINT while a poll is in flight exits 130; answers received are kept, the unanswered job stays due"
    )
    func trackCheckPolling() async throws {
        let jobs = [Self.job(.hera, "a"), Self.job(.hera, "b"), Self.job(.hera, "slow")]
        try await CLI.withSimulator(jobs) { simulator, base in
            var environment = base
            environment["REELWATCH_HOME"] = TrackCommandTests.home()
            #expect(
                try await CLI.run(["track", "add", "hera:a", "hera:b", "hera:slow"], environment: environment).status
                    == 0)
            // Long enough for a loaded machine to see the other answers recorded first; SIGINT cuts it short.
            await simulator.inject(.slow(.seconds(12)), times: 1, for: jobs[2].ref)
            let shared = environment
            let run = try await CLI.run(
                ["track", "check"], environment: environment,
                interruptWhen: {
                    guard await simulator.statusRequestCount(for: jobs[2].ref) == 1,
                        let list = try? await CLI.run(["track", "list", "--json"], environment: shared),
                        let recorded = try? Self.objects(list)
                    else { return false }
                    return recorded["hera:a"]?["polls"] as? Int == 1 && recorded["hera:b"]?["polls"] as? Int == 1
                },
                signal: .interrupt)
            #expect(run.status == 130, "\(run.stderr)")
            #expect(run.stderrLines.count == 1, "\(run.stderr)")
            #expect(run.stderr.hasPrefix("reelwatch: interrupted by SIGINT: track check stopped"))
            #expect(run.stdout.contains("hera:a  new -> succeeded"))
            #expect(!run.stdout.contains("hera:slow"))

            let stored = try Self.objects(try await CLI.run(["track", "list", "--json"], environment: environment))
            #expect(stored["hera:a"]?["state"] as? String == "succeeded")
            #expect(stored["hera:b"]?["state"] as? String == "succeeded")
            // Asked, never answered: not counted, not marked failed, still due.
            #expect(stored["hera:slow"]?["polls"] as? Int == 0)
            #expect(stored["hera:slow"]?["state"] is NSNull)

            let rerun = try await CLI.run(["track", "check"], environment: environment)
            #expect(rerun.status == 0, "\(rerun.stderr)")
            #expect(rerun.stdoutLines.count == 1)
            #expect(rerun.stdout.hasPrefix("hera:slow  new -> succeeded"))
            #expect(await simulator.statusRequestCount(for: jobs[0].ref) == 1)
        }
    }

    @Test("run restarted after SIGKILL polls the job the killed run had taken at once, not when its lease ends")
    func restartAfterKill() async throws {
        let job = SimulatedJob(ref: JobRef(api: .hera, id: "leased"), queueTime: .zero, renderTime: .seconds(3600))
        try await CLI.withSimulator([job]) { simulator, base in
            var environment = base
            environment["REELWATCH_HOME"] = TrackCommandTests.home()
            #expect(try await CLI.run(["track", "add", "hera:leased"], environment: environment).status == 0)
            // The first run's poll hangs: the job is leased (for a minute) when the process is killed.
            await simulator.inject(.slow(.seconds(12)), times: 1, for: job.ref)
            let killed = try await CLI.run(
                ["run"], environment: environment,
                interruptWhen: { await simulator.statusRequestCount(for: job.ref) == 1 }, signal: .kill)
            #expect(killed.status == 128 + 9)

            let started = ContinuousClock.now
            let seen = Mutex<Duration?>(nil)
            let restarted = try await CLI.run(
                ["run"], environment: environment,
                interruptWhen: {
                    if await simulator.statusRequestCount(for: job.ref) >= 2 {
                        seen.withLock { $0 = $0 ?? started.duration(to: .now) }
                        return true
                    }
                    return started.duration(to: .now) > .seconds(30)
                },
                signal: .terminate)
            #expect(restarted.status == 130, "\(restarted.stderr)")
            // At once: the process starts and asks (a generous bound for a loaded machine; the lease was 60 s).
            let after = try #require(seen.withLock { $0 }, "the restarted run did not poll the job within 30 s")
            #expect(after < .seconds(10), "polled \(after) after the restart")
            #expect(restarted.stdout.contains("hera:leased  new -> processing"), "\(restarted.stdout)")
        }
    }
}
