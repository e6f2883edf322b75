import Foundation
import ReelWatch
import ReelWatchTestSupport
import Testing

/// `wait --timeout` ends within a second of its deadline whatever the provider does — a host that takes the request
/// and never answers, a port that refuses connections — with the exit code and error of any timeout. The real
/// binary in real time (a run that overstays is killed after 20 s).
@Suite("reelwatch wait: the deadline", .timeLimit(.minutes(1)))
struct WaitDeadlineTests {
    /// Runs `reelwatch wait heygen:x --timeout TIMEOUT --json` against `base`; what it did and how long it took.
    static func wait(_ base: String, timeout: String) async throws -> (CLI.Run, Duration) {
        let started = ContinuousClock.now
        let run = try await CLI.run(
            ["wait", "heygen:x", "--timeout", timeout, "--json"],
            environment: ["HEYGEN_API_KEY": "k", "REELWATCH_HEYGEN_URL": base], killAfter: .seconds(20))
        return (run, ContinuousClock.now - started)
    }

    /// How far past its deadline a run may end in this test: the command itself ends within a second of it (3.3 s
    /// for `--timeout 3s` measured alone), but the whole suite runs in parallel on two cores, where starting a debug
    /// binary alone can take seconds. The old code took 57 s and 2 min 33 s: the bound still tells them apart.
    static let loadAllowance: Duration = .seconds(10)

    /// The error the run ended with: its one JSON error line on stderr.
    static func error(_ run: CLI.Run) throws -> JSONValue {
        let lines = run.stderrLines.compactMap { try? JSONValue.parse(Array($0.utf8)) }.compactMap { $0["error"] }
        try #require(lines.count == 1, "\(run.stderr)")
        return lines[0]
    }

    /// It took 2 min 33 s: a bulk status request had 30 s and four retries, whatever the deadline.
    @Test("--timeout 3s against a host that accepts and never answers: exit 4 at its deadline")
    func silentHost() async throws {
        let listener = try SilentListener()
        let (run, elapsed) = try await Self.wait(listener.url, timeout: "3s")
        #expect(run.status == 4, "\(run.stderr)")
        #expect(elapsed < .seconds(3) + Self.loadAllowance, "\(elapsed)")
        let error = try Self.error(run)
        #expect(error["code"] == "timed_out")
        #expect(error["ref"] == "heygen:x")
        #expect(error["message"]?.text?.hasPrefix("still not answering after") == true, "\(error)")
        #expect(run.stdout.isEmpty)
        extendLifetime(listener)
    }

    /// It took 57 s: each attempt waited for the connection for as long as its own timeout allowed.
    @Test("--timeout 2s against a port that refuses connections: exit 4 at its deadline")
    func refusedPort() async throws {
        let port = try SilentListener.refusedPort()
        let (run, elapsed) = try await Self.wait("http://127.0.0.1:\(port)", timeout: "2s")
        #expect(run.status == 4, "\(run.stderr)")
        #expect(elapsed < .seconds(2) + Self.loadAllowance, "\(elapsed)")
        let error = try Self.error(run)
        #expect(error["code"] == "timed_out")
        #expect(error["message"]?.text?.hasPrefix("still not answering after") == true, "\(error)")
    }
}
