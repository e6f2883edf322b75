import ArgumentParser
import Foundation

/// A `reelwatch serve` process under `/usr/bin/time`, started on an ephemeral port that it reports.
struct ServeProcess {
    let process: Process
    /// The port it listens on (127.0.0.1).
    let port: Int
    /// Where `/usr/bin/time` writes its usage.
    let usageReport: String

    /// Starts `reelwatch serve --port 0 ARGUMENTS` with `home` as `REELWATCH_HOME` and waits (up to 30 s) until it
    /// says where it listens.
    static func start(
        tools: BenchTools, home: String, arguments: [String], environment: [String: String]
    ) throws -> ServeProcess {
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        let process = try tools.startTimed(
            tools.reelwatch(["serve", "--port", "0"] + arguments),
            environment: environment.merging(["REELWATCH_HOME": home]) { $1 }, report: "\(home)/usage",
            stdout: "\(home)/stdout", stderr: "\(home)/stderr")
        for _ in 0..<3000 {
            let text = (try? String(contentsOfFile: "\(home)/stderr", encoding: .utf8)) ?? ""
            if let range = text.range(of: "serving http://127.0.0.1:") {
                let digits = text[range.upperBound...].prefix { $0.isNumber }
                if let port = Int(digits) {
                    return ServeProcess(process: process, port: port, usageReport: "\(home)/usage")
                }
            }
            guard process.isRunning else { break }
            usleep(10_000)
        }
        TrackBenchmark.stop(process)
        let errors = (try? String(contentsOfFile: "\(home)/stderr", encoding: .utf8)) ?? ""
        throw ValidationError("reelwatch serve did not start: \(errors.suffix(400))")
    }

    /// Stops it gracefully (SIGINT) and returns what `/usr/bin/time` measured.
    @discardableResult
    func stop() -> BenchTools.Usage? {
        TrackBenchmark.stop(process)
        return BenchTools.usage(report: usageReport)
    }
}
