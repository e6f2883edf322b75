import Foundation
import ReelWatch
import ReelWatchSimulator
import Testing

/// `needs_input` and `cancelled` through the commands, against the simulator. No API the simulator plays reports
/// `needs_input` yet: its `unknownStatus` fault puts the word in a Hera job's answers (Hera has no bulk status, so
/// every poll reads it); `cancelled` comes the same way to a v3 job's detail call.
@Suite("needs_input and cancelled in the commands")
struct NeedsInputCommandTests {
    static let fast = WaitCommandTests.fast

    static func job(_ api: ProviderAPI, _ id: String, render: Duration) -> SimulatedJob {
        SimulatedJob(ref: JobRef(api: api, id: id), queueTime: .zero, renderTime: render, videoSize: 40_000)
    }

    @Test("wait: a job waiting for a person exits 10 with the state, and --json says needs_input")
    func waitExits10() async throws {
        try await CLI.withSimulator([Self.job(.hera, "agent", render: .seconds(3600))]) { simulator, environment in
            let ref = JobRef(api: .hera, id: "agent")
            await simulator.inject(.unknownStatus("waiting_for_input"), for: ref)
            let run = try await CLI.run(
                ["wait", "hera:agent", "--timeout", "1m"] + Self.fast, environment: environment)
            #expect(run.status == 10, "\(run.stderr)")
            #expect(run.stdout.contains("hera:agent  needs_input (waiting_for_input)"))
            #expect(
                run.stderr
                    == "reelwatch: hera:agent: waiting for input (waiting_for_input) (answer it at HeyGen, then: reelwatch wait hera:agent (--keep-waiting follows it on))\n"
            )
            #expect(await simulator.statusRequestCount(for: ref) == 1)

            let json = try await CLI.run(
                ["wait", "--json", "hera:agent", "--timeout", "1m"] + Self.fast, environment: environment)
            #expect(json.status == 10)
            let last = try JSONDecoder().decode(JobSnapshot.self, from: Data((json.stdoutLines.last ?? "").utf8))
            #expect(last.state == .needsInput)
            let error = try JSONValue.parse(Array(json.stderr.utf8))["error"]
            #expect(error?["code"] == "needs_input")
            #expect(error?["ref"] == "hera:agent")

            // status asks once: any state is exit 0, this one shown with the provider's word.
            let status = try await CLI.run(["status", "hera:agent"], environment: environment)
            #expect(status.status == 0, "\(status.stderr)")
            #expect(status.stdout.hasPrefix("hera:agent  needs_input (waiting_for_input)"))

            // download does not wait: nothing to download yet, exit 4.
            let download = try await CLI.run(
                ["download", "hera:agent", "--to", NSTemporaryDirectory() + UUID().uuidString], environment: environment
            )
            #expect(download.status == 4)
            #expect(download.stderr.hasPrefix("reelwatch: hera:agent: still needs_input, nothing to download yet"))
        }
    }

    @Test("wait --keep-waiting: polled on at --max-delay while it waits, then followed to the end (exit 0)")
    func keepWaiting() async throws {
        try await CLI.withSimulator([Self.job(.hera, "k", render: .milliseconds(200))], timeScale: 1) {
            simulator, environment in
            let ref = JobRef(api: .hera, id: "k")
            await simulator.inject(.unknownStatus("reviewing"), times: 3, for: ref)
            let run = try await CLI.run(
                ["wait", "hera:k", "--keep-waiting", "--timeout", "1m"] + Self.fast, environment: environment)
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.stderr == "")
            #expect(run.stdout.contains("hera:k  needs_input (reviewing)"))
            #expect(run.stdout.contains("hera:k  succeeded"))
            #expect(await simulator.statusRequestCount(for: ref) >= 4)
        }
    }

    @Test("wait on a cancelled render: exit 1, 'render failed: cancelled'; --json ends in state cancelled")
    func waitCancelled() async throws {
        try await CLI.withSimulator([Self.job(.v3, "c", render: .zero)]) { simulator, environment in
            await simulator.inject(.unknownStatus("cancelled"), for: JobRef(api: .v3, id: "c"))
            let run = try await CLI.run(["wait", "heygen:c", "--timeout", "1m"] + Self.fast, environment: environment)
            #expect(run.status == 1)
            #expect(run.stderr == "reelwatch: heygen:c: render failed: cancelled\n")
            #expect(run.stdout.contains("heygen:c  failed"))
            let json = try await CLI.run(
                ["wait", "--json", "heygen:c", "--timeout", "1m"] + Self.fast, environment: environment)
            #expect(json.status == 1)
            let last = try JSONDecoder().decode(JobSnapshot.self, from: Data((json.stdoutLines.last ?? "").utf8))
            #expect(last.state == .cancelled)
            #expect(last.providerStatus?.rawValue == "cancelled")
        }
    }

    @Test("track: a cancelled job is listed and shown cancelled and polled no more; one needing input shows so")
    func trackStates() async throws {
        let jobs = [Self.job(.v3, "c", render: .zero), Self.job(.hera, "agent", render: .seconds(3600))]
        try await CLI.withSimulator(jobs) { simulator, base in
            var environment = base
            environment["REELWATCH_HOME"] = TrackCommandTests.home()
            await simulator.inject(.unknownStatus("cancelled"), for: jobs[0].ref)
            await simulator.inject(.unknownStatus("waiting_for_input"), for: jobs[1].ref)
            let add = try await CLI.run(["track", "add", "heygen:c", "hera:agent"], environment: environment)
            #expect(add.status == 0, "\(add.stderr)")
            let check = try await CLI.run(["track", "check"] + Self.fast, environment: environment)
            #expect(check.status == 1)
            #expect(check.stderr.contains("heygen:c: render failed: cancelled"))

            let table = try await CLI.run(["track", "list"], environment: environment)
            #expect(table.stdoutLines.contains { $0.hasPrefix("heygen:c ") && $0.contains("  cancelled  ") })
            #expect(table.stdoutLines.contains { $0.hasPrefix("hera:agent ") && $0.contains("  needs_input  ") })
            let listed = try TrackCommandTests.objects(
                try await CLI.run(["track", "list", "--json"], environment: environment))
            #expect(listed.first { $0["ref"] as? String == "heygen:c" }?["state"] as? String == "cancelled")
            #expect(listed.first { $0["ref"] as? String == "hera:agent" }?["state"] as? String == "needs_input")
            let only = try await CLI.run(
                ["track", "list", "--state", "cancelled", "--json"], environment: environment)
            #expect(try TrackCommandTests.objects(only).map { $0["ref"] as? String } == ["heygen:c"])
            let shown = try await CLI.run(["track", "show", "heygen:c"], environment: environment)
            #expect(shown.stdout.contains("heygen:c  cancelled"))

            // A daemon run polls the one waiting for input (due after --max-delay) and never the cancelled one.
            let asked = await simulator.statusRequestCount(for: jobs[0].ref)
            let run = try await CLI.run(
                ["run", "--min-delay", "50ms", "--max-delay", "200ms"], environment: environment,
                interruptWhen: { await simulator.statusRequestCount(for: jobs[1].ref) >= 3 })
            #expect(run.status == 130, "\(run.stderr)")
            #expect(await simulator.statusRequestCount(for: jobs[0].ref) == asked)
        }
    }
}
