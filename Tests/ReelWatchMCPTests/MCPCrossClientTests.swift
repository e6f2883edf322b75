import Foundation
import MCP
import ReelWatch
import ReelWatchSimulator
import ReelWatchTestSupport
import Subprocess
import SystemPackage
import Testing

/// Another MCP implementation drives the built `reelwatch mcp` over stdio: the Python SDK from PyPI (the version
/// `.ci/run` pins), through `Tests/MCPCrossClient/cross_client.py`, against a simulator on loopback whose time
/// stands still until the test moves it (so nothing depends on how fast the machine is).
@Suite("MCP cross-client")
struct MCPCrossClientTests {
    /// A Python with the `mcp` package, from `REELWATCH_MCP_PYTHON`.
    static let python = ProcessInfo.processInfo.environment["REELWATCH_MCP_PYTHON"].flatMap { $0.isEmpty ? nil : $0 }

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The `reelwatch` executable next to the test bundle, or the debug build's.
    static var executable: String {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("reelwatch").path
        if FileManager.default.isExecutableFile(atPath: beside) { return beside }
        return root.appendingPathComponent(".build/debug/reelwatch").path
    }

    @Test(
        "the Python SDK initializes, lists tools, calls status, wait (with progress) and download",
        .enabled(if: python != nil, "set REELWATCH_MCP_PYTHON to a Python with the mcp package"),
        .timeLimit(.minutes(1))
    )
    func pythonClient() async throws {
        let python = try #require(Self.python)
        // A HeyGen v1 job (no bulk status: every poll is a request about it) still queued until the test moves time.
        let job = SimulatedJob(
            ref: JobRef(api: .v1, id: "cross-client"), title: "Cross client", queueTime: .seconds(30),
            renderTime: .seconds(150))
        let simulator = Simulator(timeScale: 0)
        await simulator.add(job)
        let home = NSTemporaryDirectory() + "reelwatch-mcp-cross-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: home) }
        let run = try await SimulatorServer(simulator: simulator, logger: SimulatorHarness.quiet).withRunning {
            endpoint in
            var variables: [Environment.Key: String] = [
                "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
                "HOME": home, "REELWATCH_HOME": home,
            ]
            for (key, value) in endpoint.environment(apiKey: simulator.apiKey) {
                if let key = Environment.Key(rawValue: key) { variables[key] = value }
            }
            let script = Self.root.appendingPathComponent("Tests/MCPCrossClient/cross_client.py").path
            async let client = Subprocess.run(
                .path(FilePath(python)),
                arguments: [script, Self.executable, home + "/files", job.ref.description],
                environment: .custom(variables),
                output: .string(limit: 1 << 22),
                error: .string(limit: 1 << 22)
            )
            // Once `status` and the first poll of `wait` have seen the job queued, the render finishes.
            for _ in 0..<3000 where await simulator.statusRequestCount(for: job.ref) < 2 {
                try await Task.sleep(for: .milliseconds(20))
            }
            await simulator.advance(by: .seconds(600))
            return try await client
        }
        #expect(run.terminationStatus.isSuccess, "\(run.standardError)")
        let output = try JSONDecoder().decode(Value.self, from: Data(run.standardOutput.utf8))
        #expect(output["server"] == "reelwatch")
        #expect(
            output["tools"]?.elements == ["status", "wait", "download", "track", "untrack", "list_tracked"])
        let status = output["status"]?["structured"]?["jobs"]?.elements.first
        #expect(status?["ref"] == "heygen-v1:cross-client")
        #expect(status?["state"] == "queued")

        let wait = output["wait"]
        #expect(wait?["is_error"] == false)
        #expect(wait?["structured"]?["jobs"]?.elements.first?["state"] == "succeeded")
        let progress = output["progress"]?.elements ?? []
        #expect(progress.count >= 2)
        #expect(progress.first?["message"]?.stringValue?.contains("queued") == true)
        #expect(progress.last?["message"]?.stringValue?.contains("succeeded") == true)

        let files = output["download"]?["structured"]?["files"]?.elements ?? []
        try #require(files.count == 1)
        #expect(files[0]["bytes"]?.intValue == job.videoSize)
        #expect(files[0]["sha256"]?.stringValue?.count == 64)
        #expect(output["missing"]?["is_error"] == true)
        #expect(output["missing"]?["structured"]?["error"]?["code"] == "not_found")
    }
}
