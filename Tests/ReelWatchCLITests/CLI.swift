import Foundation
import Logging
import ReelWatch
import ReelWatchSimulator
import Subprocess
import SystemPackage
import Testing

/// Runs the built `reelwatch` binary as a child process, with a clean environment.
enum CLI {
    struct Run: Sendable {
        var status: Int32
        var stdout: String
        var stderr: String

        var stdoutLines: [String] { stdout.split(separator: "\n", omittingEmptySubsequences: true).map(String.init) }
        var stderrLines: [String] { stderr.split(separator: "\n", omittingEmptySubsequences: true).map(String.init) }
    }

    /// The `reelwatch` executable next to the test bundle.
    static var executable: FilePath {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let beside = bundle.appendingPathComponent("reelwatch").path
        if FileManager.default.isExecutableFile(atPath: beside) { return FilePath(beside) }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return FilePath(root.appendingPathComponent(".build/debug/reelwatch").path)
    }

    /// Runs `reelwatch ARGS` with only PATH, HOME and `environment` set; with `interruptAfter`, sends it SIGINT
    /// after that long; with `interruptWhen`, as soon as that holds (checked every 20 ms, for up to 60 s); `signal`
    /// replaces SIGINT. With `descriptorLimit`, it runs under `ulimit -n` of that many open descriptors. With
    /// `killAfter`, it runs under `timeout(1)`, which kills it then (exit 137): a test of how soon a command ends
    /// fails in seconds, not minutes, when it does not.
    static func run(
        _ arguments: [String],
        environment: [String: String] = [:],
        descriptorLimit: Int? = nil,
        interruptAfter: Duration? = nil,
        interruptWhen: (@Sendable () async -> Bool)? = nil,
        signal: Subprocess.Signal = .interrupt,
        killAfter: Duration? = nil
    ) async throws -> Run {
        var variables: [Environment.Key: String] = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
            "HOME": NSTemporaryDirectory(),
        ]
        // Each run has its own job store unless the test shares one between runs.
        variables["REELWATCH_HOME"] = NSTemporaryDirectory() + "reelwatch-run-" + UUID().uuidString
        for (key, value) in environment {
            if let key = Environment.Key(rawValue: key) { variables[key] = value }
        }
        var command = [executable.string] + arguments
        if let killAfter {
            command = ["/usr/bin/timeout", "--signal=KILL", "\(killAfter.components.seconds)"] + command
        }
        if let descriptorLimit {
            command = ["/bin/sh", "-c", "ulimit -n \(descriptorLimit) && exec \"$0\" \"$@\""] + command
        }
        let configuration = Configuration(
            executable: .path(FilePath(command[0])),
            arguments: Arguments(Array(command.dropFirst())),
            environment: .custom(variables)
        )
        let result = try await Subprocess.run(
            configuration,
            input: .none,
            output: .string(limit: 1 << 24),
            error: .string(limit: 1 << 24)
        ) { execution in
            if let interruptAfter {
                try await Task.sleep(for: interruptAfter)
                try execution.send(signal: signal)
            }
            if let interruptWhen {
                for _ in 0..<3000 {
                    if await interruptWhen() { break }
                    try await Task.sleep(for: .milliseconds(20))
                }
                try execution.send(signal: signal)
            }
        }
        let status: Int32 =
            switch result.terminationStatus {
            case .exited(let code): code
            case .signaled(let signal): 128 + signal
            }
        return Run(status: status, stdout: result.standardOutput, stderr: result.standardError)
    }

    static let quiet = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    /// Starts a frozen-time simulator holding `jobs` and runs `body` with the environment that points at it.
    static func withSimulator<Result: Sendable>(
        _ jobs: [SimulatedJob],
        timeScale: Double = 0,
        _ body: @Sendable (Simulator, [String: String]) async throws -> Result
    ) async throws -> Result {
        let simulator = Simulator(timeScale: timeScale)
        await simulator.add(jobs)
        return try await SimulatorServer(simulator: simulator, logger: quiet).withRunning { endpoint in
            try await body(simulator, endpoint.environment(apiKey: simulator.apiKey))
        }
    }

    static func done(_ api: ProviderAPI, _ id: String = "job-1") -> SimulatedJob {
        SimulatedJob(ref: JobRef(api: api, id: id), title: "Title \(id)", queueTime: .zero, renderTime: .zero)
    }
}
