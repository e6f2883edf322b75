import Foundation
import ReelWatch
import ReelWatchSimulator
import Testing

/// A Video Agent session through the commands, against the simulator's sessions (no injected words): `wait` stops
/// with exit 10 while the session waits for a person, and once it has generated its video `wait --download` lands
/// the video's file under the session's ref.
@Suite("Video Agent sessions in the commands")
struct VideoAgentCommandTests {
    static let session = SimulatedJob(
        ref: JobRef(api: .agent, id: "launch"), title: "Launch", queueTime: .seconds(300), renderTime: .seconds(600),
        videoSize: 40_000, agent: SimulatedJob.Agent(videoID: "launch-video", question: "Which\u{1B}[2J avatar?"),
        needsInputDuring: Duration.seconds(100)..<Duration.seconds(200))

    @Test(
        "thinking → waiting_for_input (wait exits 10, the question escaped) → generating → completed: the video lands")
    func sessionToFile() async throws {
        try await CLI.withSimulator([Self.session]) { simulator, environment in
            let directory = NSTemporaryDirectory() + "reelwatch-agent-cli-" + UUID().uuidString
            await simulator.advance(by: .seconds(150))
            let waiting = try await CLI.run(
                ["wait", "heygen-agent:launch", "--timeout", "1m"] + WaitCommandTests.fast, environment: environment)
            #expect(waiting.status == 10, "\(waiting.stderr)")
            #expect(
                waiting.stdout.contains("heygen-agent:launch  needs_input (waiting_for_input)"), "\(waiting.stdout)")
            #expect(!waiting.stdout.contains("\u{1B}[2J") && !waiting.stderr.contains("\u{1B}[2J"))
            let status = try await CLI.run(["status", "heygen-agent:launch"], environment: environment)
            #expect(status.status == 0, "\(status.stderr)")
            #expect(status.stdout.contains("Which\\u{1B}[2J avatar?"), "\(status.stdout)")

            // Generating: the session names its video; at the end the video decides, and its file is the job's.
            await simulator.advance(by: .seconds(2000))
            let done = try await CLI.run(
                ["wait", "heygen-agent:launch", "--download", directory, "--timeout", "1m"] + WaitCommandTests.fast,
                environment: environment)
            #expect(done.status == 0, "\(done.stderr)")
            let files = try FileManager.default.contentsOfDirectory(atPath: directory)
            #expect(files == ["heygen-launch-video.mp4"], "\(files)")
            let json = try await CLI.run(["status", "heygen-agent:launch", "--json"], environment: environment)
            let snapshot = try JSONValue.parse(Array(json.stdout.utf8))
            #expect(snapshot["state"] == "succeeded")
            #expect(snapshot["handover"] == "heygen:launch-video")
            #expect(snapshot["provider_status"] == "completed")
        }
    }
}
