import Foundation
import ReelWatch
import ReelWatchSimulator
import Testing

/// `track sync --kinds agents`: the account's Video Agent sessions, from `GET /v3/video-agents` (entries keyed
/// `session_id`), through the built binary against the simulator.
@Suite("reelwatch track sync and Video Agent sessions")
struct AgentSyncTests {
    @Test("track sync --kinds agents: 120 sessions in ⌈120/100⌉ = 2 pages of /v3/video-agents, keyed session_id")
    func syncAgents() async throws {
        let sessions = (0..<120).map {
            SimulatedJob(ref: JobRef(api: .agent, id: "sess_\($0)"), queueTime: .zero, renderTime: .seconds(36_000))
        }
        let video = SimulatedJob(ref: JobRef(api: .v3, id: "v1"), queueTime: .zero, renderTime: .seconds(36_000))
        try await CLI.withSimulator(sessions + [video]) { simulator, base in
            var environment = base
            environment["REELWATCH_HOME"] = NSTemporaryDirectory() + "reelwatch-agent-sync-" + UUID().uuidString
            let synced = try await CLI.run(["track", "sync", "--kinds", "agents", "--json"], environment: environment)
            #expect(synced.status == 0, "\(synced.stderr)")
            let summary = try JSONValue.parse(Array(synced.stdout.utf8))
            #expect(Set(summary["added"]?.arrayValue?.compactMap(\.text) ?? []) == Set(sessions.map(\.ref.description)))
            #expect(summary["skipped"]?.number == 0)
            #expect(summary["pages"]?.number == 2)
            #expect(await simulator.requests.compactMap(\.path) == ["/v3/video-agents", "/v3/video-agents"])
        }
    }

    @Test("the agents list reads session_id (else id); an entry with neither is skipped, never a failed page")
    func listPage() throws {
        let body = try JSONValue.parse(
            Array(
                #"""
                {"data": [{"session_id": "s1", "status": "thinking", "title": "A", "created_at": 1800000000},
                          {"id": "s2", "status": "completed", "video_id": "v9"},
                          {"session_id": null, "status": "generating"},
                          {"status": "reviewing", "extra": 1}],
                 "has_more": true, "next_token": "t2"}
                """#.utf8))
        let adapter = try #require(ProviderAPI.agent.listAdapter)
        #expect(adapter.listKind == "agents")
        let page = try adapter.listPage(from: body, httpStatus: 200)
        #expect(page.renders.map(\.ref.description) == ["heygen-agent:s1", "heygen-agent:s2"])
        #expect(page.skipped == 2)
        #expect(page.nextToken == "t2")
    }
}
