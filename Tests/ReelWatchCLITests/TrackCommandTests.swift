import Crypto
import Foundation
import ReelWatch
import ReelWatchSimulator
import Subprocess
import Synchronization
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
                ["track", "add", "heygen:a", "heygen-v1:c", "heygen:a", "--meta", "take=2"], environment: environment)
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
            #expect(first["download_dir"] as? String == downloads)
            let followed = try #require(before.first { $0["ref"] as? String == "heygen-v1:c" })
            #expect(followed["download_dir"] is NSNull)

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

    @Test("a job a wait gave up on is in the store, and track check finishes it; download records its files")
    func handOver() async throws {
        let jobs = [Self.job(.v3, "w", render: .seconds(3600)), Self.job(.hera, "d")]
        try await CLI.withSimulator(jobs) { simulator, base in
            var environment = base
            environment["REELWATCH_HOME"] = Self.home()
            let wait = try await CLI.run(
                // 6 s: on two loaded cores the deadline can cut a first poll that takes seconds, and then nothing is
                // recorded.
                ["wait", "heygen:w", "--timeout", "6s", "--min-delay", "50ms", "--max-delay", "200ms"],
                environment: environment)
            #expect(wait.status == 4)
            let during = try Self.objects(try await CLI.run(["track", "list", "--json"], environment: environment))
            #expect(during.count == 1)
            #expect(during.first?["state"] as? String == "processing")
            let polls = try #require(during.first?["polls"] as? Int)
            // At least the first poll (and the one at the deadline, unless a loaded machine held the first for 3 s).
            #expect(polls >= 1)
            // Each poll of the wait was a bulk status call (w is the only v3 job), the job asked on its own never.
            let asked = await simulator.statusRequestCount(for: JobRef(api: .v3, id: "w"))
            #expect(polls == asked + (await simulator.bulkRequestCount))

            await simulator.advance(by: .seconds(7200))
            let check = try await CLI.run(["track", "check"], environment: environment)
            #expect(check.status == 0, "\(check.stderr)")
            let listed = try await CLI.run(["track", "list", "--json"], environment: environment).stdout
            #expect(check.stdout.contains("heygen:w  processing -> succeeded (completed)"), "\(check.stderr) \(listed)")

            let directory = Self.home()
            let download = try await CLI.run(["download", "hera:d", "--to", directory], environment: environment)
            #expect(download.status == 0)
            let shown = try Self.objects(
                try await CLI.run(["track", "show", "hera:d", "--json"], environment: environment))
            let files = try #require(shown.first?["files"] as? [[String: Any]])
            #expect(files.map { $0["status"] as? String } == ["done"])
            #expect(files.first?["path"] as? String == directory + "/hera-d-video-16x9-1080p.mp4")
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

    @Test("track add of 8,000 refs (options among them, 100 given twice): every one tracked once, in order")
    func manyRefs() async throws {
        let refs = (0..<8000).map { "hera:job-\($0)" }
        var environment = ["REELWATCH_HOME": Self.home()]
        var arguments = ["track", "add"]
        arguments += refs[..<4000]
        arguments += ["--label", "bulk"]
        arguments += refs[4000...]
        arguments += refs[..<100]
        arguments += ["--meta", "k=v"]
        let added = try await CLI.run(arguments, environment: environment)
        #expect(added.status == 0, "\(added.stderr)")
        #expect(added.stdoutLines == refs.map { "tracking \($0)" })
        let listed = try Self.objects(try await CLI.run(["track", "list", "--json"], environment: environment))
        #expect(listed.count == 8000)
        #expect(Set(listed.compactMap { $0["ref"] as? String }) == Set(refs))
        #expect(listed.allSatisfy { $0["label"] as? String == "bulk" && $0["meta"] as? [String: String] == ["k": "v"] })

        environment["REELWATCH_HOME"] = Self.home()
        _ = try await CLI.run(["track", "add", "hera:x"], environment: environment)
        // An option's value that looks like a ref stays the option's value; after `--`, everything is a ref.
        let mixed = try await CLI.run(
            [
                "track", "add", "hera:x", "hera:y", "--label", "hera:label", "hera:z", "--json", "hera:w", "--",
                "hera:v",
            ],
            environment: environment)
        #expect(mixed.status == 0, "\(mixed.stderr)")
        let jobs = try Self.objects(mixed)
        #expect(jobs.map { $0["ref"] as? String } == ["hera:x", "hera:y", "hera:z", "hera:w", "hera:v"])
        #expect(jobs.allSatisfy { $0["label"] as? String == "hera:label" })
        let plain = try await CLI.run(["track", "add", "hera:x", "hera:new"], environment: environment)
        #expect(plain.stdout == "updated hera:x\ntracking hera:new\n")
    }

    @Test("run: the daemon polls and downloads until SIGINT, then stops cleanly with exit 130")
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
            #expect(run.status == 130, "\(run.stderr)")
            #expect(
                run.stderrLines.last
                    == "reelwatch: interrupted by SIGINT: run stopped; downloads in flight stay as .part (start it again to go on)"
            )
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

    // A contender that wrongly took the store would work until stopped: the time limit turns that into a failure.
    @Test(
        "one worker per store: while run works it, track check and a second run exit 8 naming it; after, they work",
        .timeLimit(.minutes(1)))
    func oneWorkerPerStore() async throws {
        try await CLI.withSimulator([Self.job(.v3, "w1")]) { _, base in
            let home = Self.home()
            var environment = base
            environment["REELWATCH_HOME"] = home
            #expect(try await CLI.run(["track", "add", "heygen:w1"], environment: environment).status == 0)
            let shared = environment
            let contenders = Mutex<[CLI.Run]>([])
            let lockFile = home + "/reelwatch.sqlite.worker"
            let daemon = try await CLI.run(
                ["run", "--min-delay", "50ms"], environment: environment,
                interruptWhen: {
                    let holder = (try? String(contentsOfFile: lockFile, encoding: .utf8)) ?? ""
                    guard holder.hasSuffix("reelwatch run\n") else { return false }
                    for arguments in [["track", "check"], ["run"], ["track", "check", "--json"]] {
                        guard let run = try? await CLI.run(arguments, environment: shared) else { continue }
                        contenders.withLock { $0.append(run) }
                    }
                    return true
                })
            #expect(daemon.status == 130, "\(daemon.stderr)")
            let runs = contenders.withLock { $0 }
            #expect(runs.map(\.status) == [8, 8, 8])
            for run in runs.prefix(2) {
                #expect(run.stderrLines.count == 1, "\(run.stderr)")
                #expect(run.stderr.contains("another process is working the jobs in \(home)/reelwatch.sqlite (pid "))
                #expect(run.stderr.contains(": reelwatch run)"))
            }
            let line = try #require(runs.last?.stderrLines.first)
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect((object?["error"] as? [String: Any])?["code"] as? String == "store_busy")
            #expect(runs.allSatisfy { $0.stdout.isEmpty })

            // The daemon is gone: its lock went with it.
            let check = try await CLI.run(["track", "check"], environment: environment)
            #expect(check.status == 0, "\(check.stderr)")
            #expect(try String(contentsOfFile: lockFile, encoding: .utf8).hasSuffix(": reelwatch track check\n"))
        }
    }
}

/// `reelwatch run` killed with SIGKILL mid-poll and mid-download, then restarted.
@Suite("reelwatch run after kill -9")
struct DaemonCrashTests {
    static let size = 8 << 20

    /// The SHA-256 of the simulated file `name` of `size` bytes.
    static func expectedHash(name: String, size: Int) -> String {
        var hasher = SHA256()
        SimulatedFile.forEachSlice(count: size, seed: SimulatedFile.seed(forName: name)) {
            hasher.update(bufferPointer: $0)
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    @Test("no job lost, no file fetched twice, no half file under a final name")
    func killAndRestart() async throws {
        let refs = [JobRef(api: .v3, id: "k1"), JobRef(api: .v3, id: "k2"), JobRef(api: .hera, id: "k3")]
        let jobs = refs.map {
            SimulatedJob(ref: $0, queueTime: .zero, renderTime: .zero, videoSize: Self.size)
        }
        try await CLI.withSimulator(jobs) { simulator, base in
            let home = TrackCommandTests.home()
            let directory = home + "/files"
            var environment = base
            environment["REELWATCH_HOME"] = home
            // k1's file crawls, so the kill finds it half downloaded; k3's status answer is slow, so the kill
            // finds its poll in flight.
            await simulator.inject(.slowBody(pause: .milliseconds(50)), forFilesOf: refs[0])
            // Long enough for a loaded machine to see the other jobs recorded first; the kill cuts it short.
            await simulator.inject(.slow(.seconds(12)), times: 1, for: refs[2])
            let add = try await CLI.run(
                ["track", "add"] + refs.map(\.description) + ["--download", directory], environment: environment)
            #expect(add.status == 0)
            let part = directory + "/heygen-k1-video.mp4.part"
            let first = try await CLI.run(
                ["run", "--min-delay", "50ms", "--max-delay", "200ms"], environment: environment,
                interruptWhen: {
                    let size = (try? FileManager.default.attributesOfItem(atPath: part)[.size] as? Int) ?? 0
                    return size > 1 << 20
                },
                signal: .kill
            )
            #expect(first.status == 128 + 9)
            let partial = try #require(try FileManager.default.attributesOfItem(atPath: part)[.size] as? Int)
            #expect(partial > 0 && partial < Self.size)
            #expect(!FileManager.default.fileExists(atPath: directory + "/heygen-k1-video.mp4"))
            let killed = try TrackCommandTests.objects(
                try await CLI.run(["track", "list", "--json"], environment: environment))
            let k3 = try #require(killed.first { $0["ref"] as? String == "hera:k3" })
            #expect(k3["polls"] as? Int == 0, "k3's poll was in flight when the daemon was killed")
            let before = await simulator.requests.count

            let names = ["heygen-k1-video.mp4", "heygen-k2-video.mp4", "hera-k3-video-16x9-1080p.mp4"]
            let second = try await CLI.run(
                ["run", "--min-delay", "50ms", "--max-delay", "200ms"], environment: environment,
                interruptWhen: {
                    names.allSatisfy { FileManager.default.fileExists(atPath: directory + "/" + $0) }
                }
            )
            #expect(second.status == 130, "\(second.stderr)")
            let files = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
            #expect(files == names.sorted())
            for (name, served) in zip(names, ["video.mp4", "video.mp4", "output-0.mp4"]) {
                let path = directory + "/" + name
                #expect(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int == Self.size)
                let data = try #require(FileHandle(forReadingAtPath: path))
                var hasher = SHA256()
                while let chunk = try data.read(upToCount: 1 << 20), !chunk.isEmpty { hasher.update(data: chunk) }
                let hash = hasher.finalize().map { String(format: "%02x", $0) }.joined()
                #expect(hash == Self.expectedHash(name: served, size: Self.size), "\(name)")
            }
            // After the restart, k1's file was asked for from where the .part stopped; nothing finished was
            // fetched again.
            let after = await simulator.requests.dropFirst(before).filter { $0.path != nil }
            let k1 = after.filter { $0.path?.contains("/k1/") == true }
            #expect(k1.count == 1)
            #expect(k1.first?.range == "bytes=\(partial)-")
            let list = try await CLI.run(["track", "list", "--json"], environment: environment)
            let objects = try TrackCommandTests.objects(list)
            #expect(objects.count == 3)
            #expect(objects.allSatisfy { $0["state"] as? String == "succeeded" })
            let statuses = objects.flatMap { ($0["files"] as? [[String: Any]]) ?? [] }.map { $0["status"] as? String }
            #expect(statuses == ["done", "done", "done"])
        }
    }
}
