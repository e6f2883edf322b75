import Foundation
import ReelWatch
import ReelWatchSimulator
import Testing

@Suite("reelwatch demo")
struct DemoCommandTests {
    @Test("runs without any key, follows every simulated job to the end and shows the result")
    func demo() async throws {
        let run = try await CLI.run(["demo", "--time-scale", "300"])
        #expect(run.status == 0)
        for job in DemoJobs.all {
            #expect(
                run.stdout.contains("\(job.ref)  succeeded") || run.stdout.contains("\(job.ref)  failed"), "\(job.ref)")
        }
        #expect(run.stdout.contains("heygen-v1:demo-v1-queued  queued ("))
        #expect(run.stdout.contains("heygen-v1:demo-v1-queued  processing"))
        #expect(run.stderr.contains("heygen-v1:demo-v1-too-long: render failed: Video is too long"))
    }

    @Test("--json prints a snapshot per state change, each job's final state last")
    func demoJSON() async throws {
        let run = try await CLI.run(["demo", "--json", "--time-scale", "300"])
        #expect(run.status == 0)
        let snapshots = try run.stdoutLines.map { try JSONDecoder().decode(JobSnapshot.self, from: Data($0.utf8)) }
        var last: [JobRef: JobSnapshot] = [:]
        for snapshot in snapshots { last[snapshot.ref] = snapshot }
        #expect(Set(last.keys) == Set(DemoJobs.all.map(\.ref)))
        #expect(last.values.allSatisfy { $0.state.isTerminal })
        #expect(Set(snapshots.map(\.state)) == [.queued, .processing, .succeeded, .failed])
        #expect(Set(snapshots.map(\.api)) == Set(ProviderAPI.allCases))
        let errors = try run.stderrLines.map { try JSONValue.parse(Array($0.utf8))["error"]?["code"] }
        #expect(errors == ["render_failed", "render_failed"])
    }
}
