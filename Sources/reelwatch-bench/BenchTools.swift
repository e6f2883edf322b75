import ArgumentParser
import Foundation
import ReelWatch

/// Runs the programs a benchmark compares: the `reelwatch` binary beside this one, `curl`, and `/usr/bin/time`
/// for each run's wall time and peak RSS.
struct BenchTools {
    /// The `reelwatch` executable built in the same configuration as this benchmark.
    let reelwatchPath: String

    /// One finished run.
    struct Run {
        var status: Int32
        var seconds: Double
        /// Peak resident set size in KiB, as `/usr/bin/time` reports it.
        var peakKiB: Int
        var stderr: String
    }

    /// Finds `reelwatch` next to this executable and checks that `curl`, `time` and `sha256sum` exist.
    static func locate() throws -> BenchTools {
        let own = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        let reelwatch = own.deletingLastPathComponent().appendingPathComponent("reelwatch").path
        guard FileManager.default.isExecutableFile(atPath: reelwatch) else {
            throw ValidationError(
                "no reelwatch binary beside this one (\(reelwatch)); build it first: swift build -c release --product reelwatch"
            )
        }
        for tool in ["/usr/bin/curl", "/usr/bin/time", "/usr/bin/sha256sum", "/usr/bin/openssl", "/usr/bin/tee"]
        where !FileManager.default.isExecutableFile(atPath: tool) {
            throw ValidationError("this benchmark needs \(tool)")
        }
        return BenchTools(reelwatchPath: reelwatch)
    }

    /// The command line that runs `reelwatch ARGS`.
    func reelwatch(_ arguments: [String]) -> [String] { [reelwatchPath] + arguments }

    /// Starts `command` without waiting for it.
    func start(_ command: [String], _ environment: [String: String] = [:]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Writes every dirty page of the machine to disk and waits for it (`sync(2)`), so that a timed run does not
    /// pay for the writeback, or the discards, left by the files of the run before it.
    static func settle() {
        sync()
    }

    /// Runs `command` under `/usr/bin/time` and waits for it.
    func timed(_ command: [String], environment: [String: String] = [:]) throws -> Run {
        let report = NSTemporaryDirectory() + "reelwatch-bench-time-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: report) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/time")
        process.arguments = ["-f", "%M", "-o", report] + command
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let errors = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        let started = ContinuousClock.now
        try process.run()
        let stderr = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let elapsed = started.duration(to: .now)
        let seconds = elapsed.secondsValue
        let peak =
            (try? String(contentsOfFile: report, encoding: .utf8))?
            .split(separator: "\n").last.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) } ?? 0
        return Run(
            status: process.terminationStatus, seconds: seconds, peakKiB: peak,
            stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// What `/usr/bin/time` measured of a process started by ``startTimed(_:environment:report:stdout:stderr:)``.
    struct Usage {
        /// Peak resident set size in KiB.
        var peakKiB: Int
        /// User plus system CPU time, in seconds.
        var cpuSeconds: Double
    }

    /// Starts `command` under `/usr/bin/time`, which writes the command's peak RSS and CPU time to `report` when
    /// it ends (read them with ``usage(report:)``); stdout and stderr go to the files given.
    func startTimed(
        _ command: [String], environment: [String: String], report: String, stdout: String, stderr: String
    ) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/time")
        process.arguments = ["-f", "%M %U %S", "-o", report] + command
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        guard FileManager.default.createFile(atPath: stdout, contents: nil),
            FileManager.default.createFile(atPath: stderr, contents: nil)
        else { throw ValidationError("cannot create \(stdout) or \(stderr)") }
        process.standardOutput = FileHandle(forWritingAtPath: stdout)
        process.standardError = FileHandle(forWritingAtPath: stderr)
        try process.run()
        return process
    }

    /// The figures `/usr/bin/time` wrote to `report`.
    static func usage(report: String) -> Usage? {
        guard let text = try? String(contentsOfFile: report, encoding: .utf8),
            let line = text.split(separator: "\n").last
        else { return nil }
        let fields = line.split(separator: " ").compactMap { Double($0) }
        guard fields.count == 3 else { return nil }
        return Usage(peakKiB: Int(fields[0]), cpuSeconds: fields[1] + fields[2])
    }

    /// The process `/usr/bin/time` (process `pid`) started, once it has (time ignores SIGINT itself, so signals go
    /// to this one).
    static func child(of pid: Int32) -> Int32? {
        let path = "/proc/\(pid)/task/\(pid)/children"
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        return text.split(separator: " ").first.flatMap { Int32($0) }
    }

    /// The SHA-256 of the file at `path`, from `sha256sum`.
    func sha256(of path: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        process.arguments = [path]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).split(separator: " ").first.map(String.init) ?? ""
    }

    /// The size of the file at `path`, or nil when there is none.
    static func size(of path: String) -> Int? {
        (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue
    }
}
