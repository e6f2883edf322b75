import Foundation
import ReelWatchSimulator
import ReelWatchTestSupport
import Testing

@testable import ReelWatch

/// HeyGen's Video Agent sessions (`heygen-agent:`): the adapter on bodies shaped like HeyGen's, and the status
/// call against the simulator, which asks the session's video in the same call once the session names it.
@Suite("Video Agent adapter")
struct VideoAgentProviderTests {
    static let ref = JobRef(api: .agent, id: "sess_1")

    static func parse(_ data: JSONValue) throws -> JobSnapshot {
        try HeyGenAgentProvider().snapshot(from: ["data": data], ref: ref, httpStatus: 200)
    }

    @Test(
        "each status word: thinking and generating are processing, waiting_for_input and reviewing need input",
        arguments: [
            ("thinking", JobState.processing), ("waiting_for_input", .needsInput), ("reviewing", .needsInput),
            ("generating", .processing), ("completed", .succeeded), ("failed", .failed), ("cancelled", .cancelled),
            ("pondering", .unknown),
        ])
    func states(word: String, state: JobState) throws {
        let snapshot = try Self.parse(["session_id": "sess_1", "status": .string(word)])
        #expect(snapshot.state == state)
        #expect(snapshot.providerStatus?.rawValue == word)
    }

    @Test(
        "the newest model message (messages come newest first), escaped and cut to 500 characters; user messages never")
    func agentMessage() throws {
        let long = String(repeating: "é", count: 900)
        let snapshot = try Self.parse([
            "session_id": "sess_1", "status": "waiting_for_input", "unknown_field": ["nested": true],
            "messages": [
                ["role": "user", "type": "text", "content": "the user's reply"],
                ["role": "model", "type": "text", "content": .string("\u{202E}Pick\u{1B}[2J an avatar " + long)],
                ["role": "model", "type": "text", "content": "an older question"],
            ],
        ])
        let message = try #require(snapshot.agentMessage)
        #expect(message.hasPrefix("\\u{202E}Pick\\u{1B}[2J an avatar é"))
        #expect(!message.unicodeScalars.contains { $0 == "\u{1B}" || $0 == "\u{202E}" })
        #expect(message.count == JobSnapshot.agentMessageLimit)
        #expect(message.hasSuffix("é…"))
        let none = try Self.parse([
            "session_id": "sess_1", "status": "thinking", "messages": [["role": "user", "content": "hi"]],
        ])
        #expect(none.agentMessage == nil)
    }

    @Test("nulls, missing optional fields and strange numbers: no handover, progress clamped or absent, never a trap")
    func optionalFields() throws {
        let bare = try Self.parse(["session_id": "sess_1", "status": "generating", "video_id": nil, "messages": nil])
        #expect(bare.handover == nil)
        #expect(bare.progress == nil)
        #expect(bare.agentMessage == nil)
        for (value, expected) in [
            (JSONValue.number(1e300), 100), (.number(-5), 0), (.number(42.9), 42), (.string("57"), 57),
            (.string("lots"), nil), (.bool(true), nil),
        ] as [(JSONValue, Int?)] {
            #expect(
                try Self.parse(["session_id": "sess_1", "status": "thinking", "progress": value]).progress == expected)
        }
        // A video ID a ref could not carry is no handover.
        for bad in ["", "..", "a b", "x\u{0}y", String(repeating: "v", count: 600)] {
            let snapshot = try Self.parse(["session_id": "sess_1", "status": "generating", "video_id": .string(bad)])
            #expect(snapshot.handover == nil, "\(bad.prefix(10))")
        }
        let named = try Self.parse(["session_id": "sess_1", "status": "generating", "video_id": "vid_9"])
        #expect(named.handover == JobRef(api: .v3, id: "vid_9"))
    }

    @Test("an answer about another session is an invalid answer; no status is an invalid answer")
    func identity() {
        #expect(throws: ReelWatchError.self) { try Self.parse(["session_id": "other", "status": "thinking"]) }
        #expect(throws: ReelWatchError.self) { try Self.parse(["session_id": "sess_1"]) }
    }

    @Test("over HTTP: a session not known is job_not_found; a generating session is answered with its video's state")
    func overHTTP() async throws {
        let session = SimulatedJob(
            ref: Self.ref, queueTime: .seconds(60), renderTime: .seconds(600),
            agent: SimulatedJob.Agent(videoID: "vid_1"))
        let video = SimulatedJob(ref: JobRef(api: .v3, id: "vid_1"), queueTime: .seconds(30), renderTime: .seconds(30))
        try await SimulatorHarness.run([session, video]) { simulator, endpoint in
            let client = SimulatorHarness.client(endpoint)
            await #expect(throws: ReelWatchError.self) {
                try await client.snapshot(of: JobRef(api: .agent, id: "nope"))
            }
            let thinking = try await client.snapshot(of: Self.ref)
            #expect(thinking.state == .processing)
            #expect(await simulator.statusRequestCount(for: video.ref) == 0)
            await simulator.advance(by: .seconds(120))
            // The video finished first: the session says generating, the job is its video's, with its files.
            let handed = try await client.snapshot(of: Self.ref)
            #expect(handed.providerStatus?.rawValue == "generating")
            #expect(handed.state == .succeeded)
            #expect(handed.handover == video.ref)
            #expect(handed.assets.contains { $0.kind == .video })
            #expect(await simulator.statusRequestCount(for: video.ref) == 1)
        }
    }

    @Test("an agent's message that echoes the API key reaches no snapshot with it")
    func messageRedacted() async throws {
        let session = SimulatedJob(
            ref: Self.ref, queueTime: .seconds(60), renderTime: .seconds(600),
            agent: SimulatedJob.Agent(videoID: "vid_2", question: "Is sim-key your key?"),
            needsInputDuring: Duration.zero..<Duration.seconds(60))
        try await SimulatorHarness.run([session]) { _, endpoint in
            let snapshot = try await SimulatorHarness.client(endpoint, apiKey: "sim-key").snapshot(of: Self.ref)
            #expect(snapshot.state == .needsInput)
            let message = try #require(snapshot.agentMessage)
            #expect(!message.contains("sim-key"), "\(message)")
            #expect(message.hasPrefix("Is "))
        }
    }
}
