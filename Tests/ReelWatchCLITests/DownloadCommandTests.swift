import Crypto
import Foundation
import ReelWatch
import ReelWatchSimulator
import Testing

/// `reelwatch download` and `reelwatch wait --download` end to end against the simulator over HTTP.
@Suite("reelwatch download")
struct DownloadCommandTests {
    static let size = 200_000

    static func job(_ api: ProviderAPI, _ id: String, title: String? = nil) -> SimulatedJob {
        SimulatedJob(
            ref: JobRef(api: api, id: id),
            title: title,
            queueTime: .zero,
            renderTime: .zero,
            heraOutputs: [
                .init(format: "mp4", aspectRatio: "16:9", resolution: "1080p"),
                .init(format: "webm", aspectRatio: "9:16", resolution: "720p", failure: "WebM export failed"),
            ],
            captions: true,
            videoSize: size
        )
    }

    static func directory() -> String {
        NSTemporaryDirectory() + "reelwatch-cli-" + UUID().uuidString
    }

    static func files(in directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
    }

    static func sha256(of path: String) throws -> String {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }

    @Test("exit 0: the default files land under their names; a second run says they are already complete")
    func savesDefaults() async throws {
        let jobs = [Self.job(.v3, "a"), Self.job(.hera, "b")]
        try await CLI.withSimulator(jobs) { simulator, environment in
            let directory = Self.directory()
            let run = try await CLI.run(
                ["download", "heygen:a", "hera:b", "--to", directory], environment: environment)
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.stderr == "")
            #expect(Self.files(in: directory) == ["hera-b-video-16x9-1080p.mp4", "heygen-a-video.mp4"])
            #expect(run.stdoutLines.count == 2)
            #expect(run.stdout.contains("saved \(directory)/heygen-a-video.mp4 (\(Self.size) bytes)"))
            let served = await simulator.totalBytesServed
            #expect(served == 2 * Self.size)

            let again = try await CLI.run(
                ["download", "heygen:a", "hera:b", "--to", directory], environment: environment)
            #expect(again.status == 0, "\(again.stderr)")
            #expect(again.stdout.contains("already complete: \(directory)/heygen-a-video.mp4"))
            let servedAfter = await simulator.totalBytesServed
            #expect(servedAfter == served)
        }
    }

    @Test("a v3 translation with --assets all: video, audio and both caption files, each under its own name")
    func translationAssets() async throws {
        try await CLI.withSimulator([Self.job(.translate, "tr")]) { _, environment in
            let directory = Self.directory()
            let run = try await CLI.run(
                ["download", "heygen-translate:tr", "--to", directory, "--assets", "all"], environment: environment)
            #expect(run.status == 0, "\(run.stderr)")
            #expect(
                Self.files(in: directory) == [
                    "heygen-tr-audio.mp3", "heygen-tr-captions.srt", "heygen-tr-captions.vtt", "heygen-tr-video.mp4",
                ])
            let audio = try await CLI.run(
                ["download", "heygen-translate:tr", "--to", directory + "/audio", "--assets", "audio"],
                environment: environment)
            #expect(audio.status == 0, "\(audio.stderr)")
            #expect(Self.files(in: directory + "/audio") == ["heygen-tr-audio.mp3"])
        }
    }

    @Test("two renders with one title and one size under --name-from-title: two files, the second numbered")
    func sameTitleSameSize() async throws {
        let jobs = [Self.job(.v3, "t1", title: "Launch"), Self.job(.v3, "t2", title: "Launch")]
        try await CLI.withSimulator(jobs) { simulator, environment in
            var environment = environment
            environment["REELWATCH_HOME"] = Self.directory()
            let directory = Self.directory()
            let arguments = ["download", "heygen:t1", "heygen:t2", "--name-from-title", "--to", directory]
            let run = try await CLI.run(arguments, environment: environment)
            #expect(run.status == 0, "\(run.stderr)")
            #expect(Self.files(in: directory) == ["Launch-video-2.mp4", "Launch-video.mp4"])
            #expect(await simulator.totalBytesServed == 2 * Self.size)
            // Again: the store knows which job has which file; nothing is fetched, nothing is mixed up.
            let again = try await CLI.run(arguments, environment: environment)
            #expect(again.status == 0, "\(again.stderr)")
            #expect(again.stdout.contains("already complete: \(directory)/Launch-video.mp4"))
            #expect(again.stdout.contains("already complete: \(directory)/Launch-video-2.mp4"))
            #expect(await simulator.totalBytesServed == 2 * Self.size)
            let list = try await CLI.run(["track", "list", "--json"], environment: environment)
            let paths = list.stdoutLines.compactMap { line -> [String]? in
                guard let object = try? JSONValue.parse(Array(line.utf8)) else { return nil }
                return object["files"]?.arrayValue?.compactMap { $0["path"]?.text }
            }
            #expect(Set(paths.flatMap { $0 }) == [directory + "/Launch-video.mp4", directory + "/Launch-video-2.mp4"])
        }
    }

    @Test("--json: one line per file with ref, kind, path, bytes and the file's real sha256")
    func json() async throws {
        try await CLI.withSimulator([Self.job(.v1, "j")]) { _, environment in
            let directory = Self.directory()
            let run = try await CLI.run(
                ["download", "heygen-v1:j", "--to", directory, "--assets", "all", "--json"], environment: environment)
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.stderr == "")
            #expect(run.stdoutLines.count == Self.files(in: directory).count)
            #expect(run.stdoutLines.count >= 2)
            for line in run.stdoutLines {
                let object = try #require(
                    try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                #expect(Set(object.keys) == ["ref", "kind", "path", "bytes", "sha256"])
                #expect(object["ref"] as? String == "heygen-v1:j")
                let path = try #require(object["path"] as? String)
                #expect(path.hasPrefix(directory + "/"))
                #expect(object["sha256"] as? String == (try Self.sha256(of: path)))
                let bytes = try #require(object["bytes"] as? Int)
                #expect(Int64(bytes) == (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int64))
            }
        }
    }

    @Test("exit 4: a render still running is not waited for; nothing is written")
    func notReady() async throws {
        var job = Self.job(.translate, "slow")
        job.renderTime = .seconds(3600)
        try await CLI.withSimulator([job]) { _, environment in
            let directory = Self.directory()
            let run = try await CLI.run(
                ["download", "heygen-translate:slow", "--to", directory], environment: environment)
            #expect(run.status == 4)
            #expect(
                run.stderr
                    == "reelwatch: heygen-translate:slow: still processing, nothing to download yet (use: reelwatch wait heygen-translate:slow --download \(directory))\n"
            )
            #expect(Self.files(in: directory).isEmpty)
        }
    }

    @Test("exit 1: a failed render prints its reason; the other job's files still land")
    func failedRender() async throws {
        var failed = Self.job(.v3, "f")
        failed.outcome = SimulatedJob.documentedFailure(for: .v3)
        try await CLI.withSimulator([failed, Self.job(.v3, "ok")]) { _, environment in
            let directory = Self.directory()
            let run = try await CLI.run(
                ["download", "heygen:f", "heygen:ok", "--to", directory, "--json"], environment: environment)
            #expect(run.status == 1)
            #expect(run.stderr.contains("\"code\":\"render_failed\""))
            #expect(run.stderr.contains("\"ref\":\"heygen:f\""))
            #expect(Self.files(in: directory) == ["heygen-ok-video.mp4"])
        }
    }

    @Test("exit 7: a link the server refuses for good names the file and the reason; no file, no .part")
    func downloadFailed() async throws {
        let job = Self.job(.v3, "gone")
        try await CLI.withSimulator([job]) { simulator, environment in
            await simulator.inject(.serverError(status: 410), forFilesOf: job.ref)
            let directory = Self.directory()
            let run = try await CLI.run(["download", "heygen:gone", "--to", directory], environment: environment)
            #expect(run.status == 7)
            #expect(run.stderr.hasPrefix("reelwatch: heygen:gone: heygen-gone-video.mp4: HTTP 410"))
            #expect(run.stderrLines.count == 1)
            // Not a byte arrived: no empty .part is left behind either.
            #expect(Self.files(in: directory) == [])
        }
    }

    @Test("--retries 1: a file link answering 503 is tried twice, then exit 7 naming the attempts")
    func downloadRetries() async throws {
        let job = Self.job(.v3, "busy")
        try await CLI.withSimulator([job]) { simulator, environment in
            await simulator.inject(.serverError(status: 503), times: 20, forFilesOf: job.ref)
            let directory = Self.directory()
            let run = try await CLI.run(
                ["download", "heygen:busy", "--to", directory, "--retries", "1"], environment: environment)
            #expect(run.status == 7)
            #expect(run.stderrLines.count == 1)
            #expect(run.stderr.contains("gave up after 2 attempts: HTTP 503"), "\(run.stderr)")
            let fileRequests = await simulator.requests.filter { $0.path?.hasPrefix("/files/") == true }
            #expect(fileRequests.count == 2)
        }
    }

    @Test("exit 7: a finished render without the asked-for file is one line naming what it does link")
    func askedForAssetMissing() async throws {
        let job = SimulatedJob(ref: JobRef(api: .v3, id: "plain"), queueTime: .zero, renderTime: .zero)
        try await CLI.withSimulator([job]) { _, environment in
            let directory = Self.directory()
            let run = try await CLI.run(
                ["download", "heygen:plain", "--assets", "captions", "--to", directory], environment: environment)
            #expect(run.status == 7)
            #expect(run.stderrLines.count == 1)
            #expect(
                run.stderr.hasPrefix(
                    "reelwatch: heygen:plain: nothing to download: none of the requested files is in the answer"),
                "\(run.stderr)")
            #expect(run.stdout.isEmpty)
            #expect(Self.files(in: directory) == [])
        }
    }

    @Test("exit 7: a file body that stalls below the minimum progress is given up on; its .part stays to resume")
    func stalledBody() async throws {
        let job = SimulatedJob(
            ref: JobRef(api: .v3, id: "stall"), queueTime: .zero, renderTime: .zero, videoSize: 1 << 20)
        try await CLI.withSimulator([job]) { simulator, environment in
            // The first 256 KiB arrive at once, then nothing for 8 s: over the 3 s window (long enough for the
            // head and first chunk to arrive on a loaded machine), a stall.
            await simulator.inject(.slowBody(pause: .seconds(8)), times: 1, forFilesOf: job.ref)
            let directory = Self.directory()
            let run = try await CLI.run(
                ["download", "heygen:stall", "--to", directory, "--retries", "0", "--stall-window", "3s"],
                environment: environment)
            #expect(run.status == 7)
            #expect(run.stderrLines.count == 1)
            #expect(run.stderr.hasPrefix("reelwatch: heygen:stall: heygen-stall-video.mp4: gave up after 1 attempts"))
            #expect(run.stderr.contains("the transfer stalled"), "\(run.stderr)")
            // The .part holds the first 256 KiB, with the ETag it was fetched under beside it (a 1 MiB file).
            #expect(Self.files(in: directory) == ["heygen-stall-video.mp4.part", "heygen-stall-video.mp4.part.etag"])
            let part = try FileManager.default.attributesOfItem(atPath: directory + "/heygen-stall-video.mp4.part")
            #expect(part[.size] as? Int == 256 << 10)
        }
    }

    @Test("a hostile title with --name-from-title stays inside the target directory")
    func hostileTitle() async throws {
        try await CLI.withSimulator([Self.job(.v3, "h", title: "../../etc/passwd")]) { _, environment in
            let root = Self.directory()
            let directory = root + "/inner/target"
            let run = try await CLI.run(
                ["download", "heygen:h", "--to", directory, "--name-from-title"], environment: environment)
            #expect(run.status == 0, "\(run.stderr)")
            let names = Self.files(in: directory)
            #expect(names.count == 1)
            #expect(names.allSatisfy { !$0.contains("/") && !$0.hasPrefix(".") })
            #expect(Self.files(in: root) == ["inner"])
            #expect(Self.files(in: root + "/inner") == ["target"])
        }
    }

    @Test("exit 2: an unknown asset kind or a bad --parallel is a usage error")
    func usage() async throws {
        let run = try await CLI.run(["download", "heygen:a", "--assets", "video,poster"])
        #expect(run.status == 2)
        #expect(run.stderr.contains("'video,poster' is not a list of video"))
        let parallel = try await CLI.run(["download", "heygen:a", "--parallel", "0"])
        #expect(parallel.status == 2)
        #expect(parallel.stderr.contains("--parallel must be between 1 and 64"))
    }

    @Test("wait --download: a job's files are fetched as soon as it succeeds, while the others still render")
    func waitDownload() async throws {
        var slow = Self.job(.v3, "w1")
        slow.renderTime = .seconds(3600)
        let fast = Self.job(.hera, "w2")
        try await CLI.withSimulator([slow, fast]) { simulator, environment in
            let directory = Self.directory()
            let arguments = [
                "wait", "heygen:w1", "hera:w2", "--download", directory, "--timeout", "60s", "--min-delay", "50ms",
                "--max-delay", "200ms",
            ]
            async let waited = CLI.run(arguments, environment: environment)
            // Simulated time stands still until the fast job's file is on disk; then the slow render finishes.
            let fastFile = directory + "/hera-w2-video-16x9-1080p.mp4"
            for _ in 0..<1000 where !FileManager.default.fileExists(atPath: fastFile) {
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(FileManager.default.fileExists(atPath: fastFile))
            #expect(!FileManager.default.fileExists(atPath: directory + "/heygen-w1-video.mp4"))
            await simulator.advance(by: .seconds(7200))
            let run = try await waited
            #expect(run.status == 0, "\(run.stderr)")
            #expect(Self.files(in: directory) == ["hera-w2-video-16x9-1080p.mp4", "heygen-w1-video.mp4"])
            let lines = run.stdoutLines
            let savedFast = try #require(lines.firstIndex { $0.hasPrefix("saved \(fastFile)") })
            let slowDone = try #require(lines.firstIndex { $0.hasPrefix("heygen:w1  succeeded") })
            let savedSlow = try #require(lines.firstIndex { $0.hasPrefix("saved \(directory)/heygen-w1-video.mp4") })
            #expect(savedFast < slowDone)
            #expect(slowDone < savedSlow)
        }
    }

    @Test("wait --download --json: snapshots and file lines on stdout; a failed render is exit 1")
    func waitDownloadJSON() async throws {
        var failed = Self.job(.v3, "wf")
        failed.outcome = SimulatedJob.documentedFailure(for: .v3)
        try await CLI.withSimulator([Self.job(.v3, "wok"), failed]) { _, environment in
            let directory = Self.directory()
            let run = try await CLI.run(
                ["wait", "heygen:wok", "heygen:wf", "--download", directory, "--json", "--min-delay", "50ms"],
                environment: environment
            )
            #expect(run.status == 1)
            let objects = try run.stdoutLines.map {
                try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
            }
            #expect(objects.contains { $0["sha256"] as? String != nil && $0["ref"] as? String == "heygen:wok" })
            #expect(objects.contains { $0["state"] as? String == "failed" && $0["ref"] as? String == "heygen:wf" })
            #expect(Self.files(in: directory) == ["heygen-wok-video.mp4"])
        }
    }
}
