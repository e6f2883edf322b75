import Foundation
import ReelWatch
import ReelWatchSimulator
import Subprocess
import Testing

/// `reelwatch wait` end to end against the simulator in real (short) time, with short delays from flags.
@Suite("reelwatch wait")
struct WaitCommandTests {
    static let fast = ["--min-delay", "50ms", "--max-delay", "200ms"]

    static func job(
        _ api: ProviderAPI, _ id: String, render: Duration, outcome: SimulatedJob.Outcome = .success
    )
        -> SimulatedJob
    {
        SimulatedJob(ref: JobRef(api: api, id: id), queueTime: .milliseconds(100), renderTime: render, outcome: outcome)
    }

    @Test("exit 0: every render succeeded; a line per state change, then each result")
    func success() async throws {
        let jobs = [Self.job(.v3, "a", render: .seconds(3600)), Self.job(.hera, "b", render: .zero)]
        try await CLI.withSimulator(jobs) { simulator, environment in
            async let waited = CLI.run(
                ["wait", "heygen:a", "hera:b", "--timeout", "20s"] + Self.fast, environment: environment)
            // Simulated time stands still until the first poll has seen heygen:a rendering (through the bulk status
            // endpoint: a v3 job is asked on its own only once it has finished).
            for _ in 0..<1000 where await simulator.bulkRequestCount == 0 {
                try await Task.sleep(for: .milliseconds(20))
            }
            await simulator.advance(by: .seconds(7200))
            let run = try await waited
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.stderr == "")
            #expect(run.stdout.contains("heygen:a  queued"))
            #expect(run.stdout.contains("heygen:a  succeeded"))
            #expect(run.stdout.contains("hera:b  succeeded"))
            #expect(run.stdout.contains("heygen:a  succeeded (completed)\n  duration"))
        }
    }

    @Test("exit 1: a failed render prints its reason")
    func failed() async throws {
        let jobs = [
            Self.job(.v1, "f", render: .milliseconds(300), outcome: SimulatedJob.documentedFailure(for: .v1)),
            Self.job(.hera, "ok", render: .milliseconds(300)),
        ]
        try await CLI.withSimulator(jobs, timeScale: 1) { _, environment in
            let run = try await CLI.run(
                ["wait", "heygen-v1:f", "hera:ok", "--timeout", "20s"] + Self.fast, environment: environment)
            #expect(run.status == 1)
            #expect(
                run.stderr
                    == "reelwatch: heygen-v1:f: render failed: Video is too long (> 3600.0s). Please upgrade your plan to generate longer videos (40119)\n"
            )
        }
    }

    @Test("exit 4: still running at the deadline; the ref is printed to resume with")
    func timedOut() async throws {
        try await CLI.withSimulator([Self.job(.translate, "slow", render: .seconds(3600))], timeScale: 1) {
            simulator, environment in
            let run = try await CLI.run(
                ["wait", "heygen-translate:slow", "--timeout", "5s"] + Self.fast, environment: environment)
            #expect(run.status == 4)
            // (5 s: on two loaded cores the deadline can cut a first poll that takes seconds: "still not answering".)
            #expect(run.stderr.hasPrefix("reelwatch: heygen-translate:slow: still processing after 5"), "\(run.stderr)")
            #expect(run.stderr.contains("(resume with: reelwatch wait heygen-translate:slow)"))
            // Polled through the translations' bulk status endpoint: every status looked at counts.
            let polls = await simulator.counts.polls
            // At most one per 50 ms. (At least the first poll; the one at the deadline too unless the machine is so
            // loaded that the first answer took the whole 5 s — the engine's tests check the deadline poll exactly.)
            #expect(polls >= 1 && polls <= 102, "\(polls) polls in 5 s between 50 and 200 ms apart")
        }
    }

    @Test("--json: a snapshot per state change, the final one last; errors as JSON lines on stderr")
    func json() async throws {
        let jobs = [Self.job(.v3, "j", render: .milliseconds(300), outcome: SimulatedJob.documentedFailure(for: .v3))]
        try await CLI.withSimulator(jobs, timeScale: 1) { _, environment in
            let run = try await CLI.run(
                ["wait", "--json", "heygen:j", "--timeout", "20s"] + Self.fast, environment: environment)
            #expect(run.status == 1)
            let states = try run.stdoutLines.map {
                try JSONDecoder().decode(JobSnapshot.self, from: Data($0.utf8)).state
            }
            #expect(states.last == .failed)
            #expect(Set(states) == Set(states).intersection([.queued, .processing, .failed]))
            #expect(states.count == Set(states).count)
            let error = try JSONValue.parse(Array(run.stderr.utf8))["error"]
            #expect(error?["code"] == "render_failed")
            #expect(error?["ref"] == "heygen:j")
            #expect(error?["message"] == "render failed: Script too long for selected avatar (script_too_long)")
        }
    }

    @Test("a 429 storm is ridden out and the wait still succeeds")
    func rateLimitStorm() async throws {
        let job = Self.job(.v3, "storm", render: .milliseconds(400))
        try await CLI.withSimulator([job], timeScale: 1) { simulator, environment in
            await simulator.inject(.rateLimited(retryAfter: 0), times: 8)
            let run = try await CLI.run(
                ["wait", "heygen:storm", "--timeout", "20s", "--retries", "1"] + Self.fast,
                environment: environment
            )
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.stdout.contains("heygen:storm  succeeded"))
            // The storm hits the bulk status calls (and the detail call once the render finished).
            #expect(await simulator.requests.count > 8)
        }
    }

    @Test("exit 130 on Ctrl-C or SIGTERM, after printing where each job stood", arguments: ["SIGINT", "SIGTERM"])
    func interrupted(signal: String) async throws {
        try await CLI.withSimulator([Self.job(.hera, "long", render: .seconds(3600))], timeScale: 1) {
            simulator, environment in
            // Interrupted once the second poll came in, so the first answer has been taken in.
            let run = try await CLI.run(
                ["wait", "hera:long", "--timeout", "10m"] + Self.fast,
                environment: environment,
                interruptWhen: { await simulator.statusRequestCount(for: JobRef(api: .hera, id: "long")) >= 2 },
                signal: signal == "SIGINT" ? .interrupt : .terminate
            )
            #expect(run.status == 130)
            #expect(run.stderr.hasPrefix("reelwatch: hera:long: interrupted while processing after"), "\(run.stderr)")
            #expect(run.stderr.contains("(resume with: reelwatch wait hera:long)"))
            #expect(
                run.stderrLines.last
                    == "reelwatch: interrupted by \(signal): stopped waiting (run the same command to resume)")
        }
    }

    @Test(
        "exits 2, 3, 5 and 6 as for status",
        arguments: [
            (["wait", "nope"], 2), (["wait", "heygen:x", "--timeout", "forever"], 2),
            (["wait", "heygen:x", "--min-delay", "10s", "--max-delay", "1s"], 2), (["wait", "heygen:missing"], 3),
            (["wait", "heygen:ok", "hera:ok"], 5), (["wait", "heygen-v1:broken"], 6),
        ] as [([String], Int32)]
    )
    func otherExits(arguments: [String], status: Int32) async throws {
        let jobs = [
            Self.job(.v3, "ok", render: .seconds(1)), Self.job(.hera, "ok", render: .seconds(1)),
            Self.job(.v1, "broken", render: .seconds(1)),
        ]
        try await CLI.withSimulator(jobs, timeScale: 1) { simulator, environment in
            var environment = environment
            if status == 5 { environment["HERA_API_KEY"] = nil }
            await simulator.inject(.htmlPage, for: JobRef(api: .v1, id: "broken"))
            // The case's own flags come last, so they win over the fast defaults.
            let run = try await CLI.run(["wait"] + Self.fast + arguments.dropFirst(), environment: environment)
            #expect(run.status == status, "\(run.stderr)")
            #expect(!run.stderr.isEmpty)
            #expect(run.stderr.split(separator: "\n").allSatisfy { $0.hasPrefix("reelwatch: ") })
        }
    }
}
