import ArgumentParser
import Foundation
import Logging
import ReelWatch
import ReelWatchSimulator

/// `reelwatch-bench download`: `reelwatch download` beside `curl` on one large file served by the simulator over
/// loopback (throughput, peak RSS), then a run killed halfway and resumed (bytes fetched by the second run).
struct DownloadBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "download",
        abstract: "Compare reelwatch download with curl on one large file, then kill it halfway and resume.",
        discussion: """
            Needs the reelwatch binary built in the same configuration, next to reelwatch-bench:
              swift build -c release --product reelwatch && swift run -c release reelwatch-bench download
            """
    )

    @Option(help: "The file size in MiB.")
    var mebibytes = 1024

    @Option(help: "Downloads per tool; the median is reported.")
    var rounds = 3

    @Option(help: "Where to write the files (removed afterwards).")
    var directory = NSTemporaryDirectory() + "reelwatch-bench-download"

    func validate() throws {
        guard (1...16_384).contains(mebibytes) else { throw ValidationError("--mebibytes must be 1 to 16384") }
        guard (1...20).contains(rounds) else { throw ValidationError("--rounds must be 1 to 20") }
    }

    func run() async throws {
        let tools = try BenchTools.locate()
        let size = mebibytes << 20
        let quiet = Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() })
        let simulator = Simulator(timeScale: 0)
        let big = JobRef(api: .v3, id: "bench-big")
        let small = JobRef(api: .v3, id: "bench-small")
        await simulator.add([
            SimulatedJob(ref: big, queueTime: .zero, renderTime: .zero, videoSize: size),
            SimulatedJob(ref: small, queueTime: .zero, renderTime: .zero, videoSize: 64 << 20),
        ])
        try? FileManager.default.removeItem(atPath: directory)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let directory = self.directory
        let rounds = self.rounds
        try await SimulatorServer(simulator: simulator, logger: quiet).withRunning { endpoint in
            let environment = endpoint.environment(apiKey: simulator.apiKey)
            let client = StatusClient(
                configuration: endpoint.configuration(apiKey: simulator.apiKey), clock: ContinuousClock(),
                wallClock: { Date() }, logger: quiet)
            guard let url = try await client.snapshot(of: big).assets.first(where: { $0.kind == .video })?.url else {
                throw ValidationError("the simulator listed no video")
            }
            print("file: \(mebibytes) MiB served by the simulator on 127.0.0.1:\(endpoint.port); \(rounds) rounds each")
            var curlTimes: [Double] = []
            var hashedCurlTimes: [Double] = []
            var reelwatchTimes: [Double] = []
            var peak = 0
            var hashes = Set<String>()
            for round in 0..<rounds {
                let curlPath = "\(directory)/curl-\(round).mp4"
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                BenchTools.settle()
                curlTimes.append(try tools.timed(["/usr/bin/curl", "-sS", "--fail", "-o", curlPath, url]).seconds)
                hashes.insert(try tools.sha256(of: curlPath))
                try FileManager.default.removeItem(atPath: curlPath)

                // What a script needs for the same guarantee: curl, with SHA-256 computed as the bytes pass.
                let pipeline =
                    "/usr/bin/curl -sS --fail '\(url)' | tee '\(curlPath)' | openssl dgst -sha256 > /dev/null"
                BenchTools.settle()
                hashedCurlTimes.append(try tools.timed(["/bin/sh", "-c", pipeline]).seconds)
                try FileManager.default.removeItem(atPath: curlPath)

                let target = "\(directory)/reelwatch-\(round)"
                BenchTools.settle()
                let run = try tools.timed(
                    tools.reelwatch(["download", big.description, "--to", target, "--json"]), environment: environment)
                guard run.status == 0 else { throw ValidationError("reelwatch download failed: \(run.stderr)") }
                reelwatchTimes.append(run.seconds)
                print(
                    String(
                        format: "round %d: curl %.2f s, curl | tee | openssl %.2f s, reelwatch %.2f s", round + 1,
                        curlTimes[round], hashedCurlTimes[round], run.seconds))
                peak = max(peak, run.peakKiB)
                hashes.insert(try tools.sha256(of: "\(target)/heygen-bench-big-video.mp4"))
                try FileManager.default.removeItem(atPath: target)
            }
            let smallRun = try tools.timed(
                tools.reelwatch(["download", small.description, "--to", "\(directory)/small"]), environment: environment
            )

            let curlRate = Double(size) / Self.median(curlTimes) / 1_048_576
            let hashedCurlRate = Double(size) / Self.median(hashedCurlTimes) / 1_048_576
            let reelwatchRate = Double(size) / Self.median(reelwatchTimes) / 1_048_576
            print("")
            print("tool                                   median time   throughput     peak RSS")
            print(
                String(
                    format: "curl -o FILE                           %8.2f s   %7.0f MiB/s", Self.median(curlTimes),
                    curlRate))
            print(
                String(
                    format: "curl | tee FILE | openssl dgst -sha256 %8.2f s   %7.0f MiB/s",
                    Self.median(hashedCurlTimes),
                    hashedCurlRate))
            print(
                String(
                    format:
                        "reelwatch download --json (SHA-256)    %8.2f s   %7.0f MiB/s   %5.1f MiB (%d MiB file), %.1f MiB (64 MiB file)",
                    Self.median(reelwatchTimes), reelwatchRate, Double(peak) / 1024, mebibytes,
                    Double(smallRun.peakKiB) / 1024)
            )
            print("same bytes: \(hashes.count == 1 ? "yes, every copy has one SHA-256" : "NO: \(hashes.count) hashes")")

            let resume = try await Self.killAndResume(
                tools: tools, simulator: simulator, ref: big, size: size, directory: "\(directory)/resume",
                environment: environment, expectedSHA256: hashes.first ?? "")
            print("")
            print(
                String(
                    format:
                        "killed (SIGKILL) at %d bytes (%.1f%%); the second run fetched %d bytes (%.1f%% of the file)",
                    resume.killedAt, 100 * Double(resume.killedAt) / Double(size), resume.fetched,
                    100 * Double(resume.fetched) / Double(size))
            )
            print("")
            let verdicts = [
                (
                    reelwatchRate >= 0.9 * curlRate,
                    String(format: "throughput %.0f%% of curl's (target >= 90%%)", 100 * reelwatchRate / curlRate)
                ),
                (
                    reelwatchRate >= 0.9 * hashedCurlRate,
                    String(
                        format: "throughput %.0f%% of curl's with SHA-256 on the way (target >= 90%%)",
                        100 * reelwatchRate / hashedCurlRate)
                ),
                (peak < 64 * 1024, String(format: "peak RSS %.1f MiB (target < 64 MiB)", Double(peak) / 1024)),
                (
                    resume.fetched == size - resume.killedAt && resume.intact,
                    "resumed run fetched only the missing \(size - resume.killedAt) bytes, file intact"
                ),
                (hashes.count == 1, "every download has the served bytes"),
            ]
            for (pass, text) in verdicts { print("\(pass ? "PASS" : "FAIL")  \(text)") }
        }
    }

    /// What the kill-and-resume run measured.
    struct Resume {
        var killedAt: Int
        var fetched: Int
        var intact: Bool
    }

    /// Starts a download, kills it with SIGKILL once its `.part` holds half the file, runs it again, and counts
    /// the bytes the second run asked the simulator for.
    static func killAndResume(
        tools: BenchTools, simulator: Simulator, ref: JobRef, size: Int, directory: String,
        environment: [String: String], expectedSHA256: String
    ) async throws -> Resume {
        let part = "\(directory)/heygen-\(ref.id)-video.mp4.part"
        let process = try tools.start(tools.reelwatch(["download", ref.description, "--to", directory]), environment)
        while process.isRunning, (BenchTools.size(of: part) ?? 0) < size / 2 {
            try await Task.sleep(for: .milliseconds(2))
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let killedAt = BenchTools.size(of: part) ?? 0
        let before = await simulator.requests.count
        let second = try tools.timed(
            tools.reelwatch(["download", ref.description, "--to", directory]), environment: environment)
        guard second.status == 0 else { throw ValidationError("the resumed download failed: \(second.stderr)") }
        let requests = await simulator.requests.dropFirst(before).filter { $0.path != nil }
        let fetched = requests.reduce(0) { total, request in
            let start =
                request.range.flatMap { $0.split(separator: "=").last?.split(separator: "-").first }
                .flatMap { Int($0) } ?? 0
            return total + (size - start)
        }
        let intact = try tools.sha256(of: "\(directory)/heygen-\(ref.id)-video.mp4") == expectedSHA256
        return Resume(killedAt: killedAt, fetched: fetched, intact: intact)
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted[sorted.count / 2]
    }
}
