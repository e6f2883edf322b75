import Foundation
import ReelWatch
import ReelWatchDaemon
import ReelWatchSimulator
import ReelWatchStore
import ReelWatchTestSupport
import ReelWatchTesting
import Testing

/// A HeyGen Video Agent session followed by the engine against the simulator over HTTP, on a real SQLite store:
/// thinking, waiting for a person, generating a video it names, and handing over to that video, whose status and
/// files are the job's from then on.
@Suite("Video Agent sessions")
struct VideoAgentTests {
    /// A session that thinks for 300 s (waiting for input from 100 s to 200 s), then generates `vid-s1` for 600 s.
    static let session = SimulatedJob(
        ref: JobRef(api: .agent, id: "s1"), title: "Launch video", queueTime: .seconds(300),
        renderTime: .seconds(600),
        agent: SimulatedJob.Agent(videoID: "vid-s1", question: "Which avatar\u{1B}[31m should present?"),
        needsInputDuring: Duration.seconds(100)..<Duration.seconds(200))
    /// The video the session generates.
    static let video = SimulatedJob(
        ref: JobRef(api: .v3, id: "vid-s1"), title: "Launch video", queueTime: .seconds(310),
        renderTime: .seconds(590), videoSize: 40_000)

    /// A tracker on `clock` with no retries (a failed request is an error at once, never a sleep on the clock).
    static func tracker(_ endpoint: SimulatorServer.Endpoint, store: any JobStore, clock: ManualClock) -> Tracker {
        let client = StatusClient(
            configuration: endpoint.configuration(apiKey: "sim-key"),
            retryPolicy: RetryPolicy(maxRetries: 0, baseDelay: .milliseconds(10), maxDelay: .milliseconds(20)),
            clock: clock, random: { 0.5 }, wallClock: SimulatorHarness.wallClock(clock), logger: SimulatorHarness.quiet)
        return Tracker(
            store: store, client: client,
            downloader: Downloader(
                statusClient: client, transport: AsyncHTTPClientTransport(),
                retryPolicy: RetryPolicy(maxRetries: 0, baseDelay: .milliseconds(10), maxDelay: .milliseconds(20))),
            options: TrackerOptions())
    }

    /// Moves the simulator and the clock to `seconds` after the start and polls the session there.
    static func poll(
        at seconds: Int, _ tracker: Tracker, _ store: any JobStore, _ simulator: Simulator, _ clock: ManualClock
    ) async throws -> TrackedJob {
        let instant = ManualClock.Instant(offset: .seconds(seconds))
        await simulator.advance(by: clock.now.duration(to: instant))
        clock.advance(to: instant)
        _ = try await store.makeDue(session.ref, at: SimulatorHarness.wallClock(clock)())
        _ = try await tracker.pollDue()
        let job = try await store.job(session.ref)
        return try #require(job)
    }

    @Test(
        "thinking → waiting_for_input (needs_input, the agent's question escaped) → generating (handed over to its video, then polled through the videos' bulk status) → completed: the video's file lands, though the session's own endpoint fails at the end"
    )
    func sessionToFile() async throws {
        try await SimulatorHarness.run([Self.session, Self.video]) { simulator, endpoint in
            let clock = ManualClock()
            let store = try SQLiteJobStore(path: EngineTests.storePath())
            let directory = NSTemporaryDirectory() + "reelwatch-agent-" + UUID().uuidString
            _ = try await store.track(
                TrackRequest(ref: Self.session.ref, downloadDirectory: directory), at: SimulatorHarness.epoch)
            let tracker = Self.tracker(endpoint, store: store, clock: clock)

            let thinking = try await Self.poll(at: 10, tracker, store, simulator, clock)
            #expect(thinking.state == .processing)
            #expect(thinking.snapshot?.providerStatus?.rawValue == "thinking")
            #expect(thinking.snapshot?.handover == nil)

            let waiting = try await Self.poll(at: 150, tracker, store, simulator, clock)
            #expect(waiting.state == .needsInput)
            #expect(waiting.snapshot?.agentMessage == "Which avatar\\u{1B}[31m should present?")
            #expect(waiting.snapshot?.agentMessage?.unicodeScalars.contains("\u{1B}") == false)

            // Generating: the session names its video; the same poll asks the video.
            let generating = try await Self.poll(at: 400, tracker, store, simulator, clock)
            #expect(generating.state == .processing)
            #expect(generating.snapshot?.handover == Self.video.ref)
            #expect(generating.snapshot?.progress ?? 0 > 0)
            #expect(await simulator.statusRequestCount(for: Self.video.ref) == 1)
            let sessionPolls = await simulator.statusRequestCount(for: Self.session.ref)
            #expect(sessionPolls == 3)

            // From then on the video's bulk status answers while it renders: the session is not asked.
            let bulkBefore = await simulator.bulkRequestCount
            let rendering = try await Self.poll(at: 600, tracker, store, simulator, clock)
            #expect(rendering.state == .processing)
            #expect(await simulator.bulkRequestCount == bulkBefore + 1)
            #expect(await simulator.statusRequestCount(for: Self.session.ref) == sessionPolls)

            // The session's endpoint fails from now on; the video, done, decides.
            await simulator.inject(.serverError(status: 500), for: Self.session.ref)
            let done = try await Self.poll(at: 950, tracker, store, simulator, clock)
            #expect(done.state == .succeeded, "\(String(describing: done.lastError))")
            #expect(done.snapshot?.ref == Self.session.ref)
            #expect(done.snapshot?.assets.contains { $0.kind == .video && $0.url != nil } == true)
            #expect(try await tracker.downloadPending() >= 1)
            let files = try FileManager.default.contentsOfDirectory(atPath: directory)
            #expect(files.contains("heygen-s1-video.mp4"), "\(files)")
            let size = try FileManager.default.attributesOfItem(atPath: directory + "/heygen-s1-video.mp4")[.size]
            #expect(size as? Int == 40_000)
            let states = try await store.history(of: Self.session.ref).map(\.state)
            #expect(states.contains(.needsInput))
            #expect(states.last == .succeeded)
        }
    }

    @Test("a session that fails before naming a video: failed, with the session's reason")
    func failsBeforeVideo() async throws {
        let failing = SimulatedJob(
            ref: Self.session.ref, queueTime: .seconds(20), renderTime: .zero,
            outcome: SimulatedJob.documentedFailure(for: .agent))
        try await SimulatorHarness.run([failing]) { simulator, endpoint in
            let clock = ManualClock()
            let store = try SQLiteJobStore(path: EngineTests.storePath())
            _ = try await store.track(TrackRequest(ref: failing.ref), at: SimulatorHarness.epoch)
            let tracker = Self.tracker(endpoint, store: store, clock: clock)
            let job = try await Self.poll(at: 60, tracker, store, simulator, clock)
            #expect(job.state == .failed)
            #expect(job.snapshot?.failureReason == "The agent could not make a video from the prompt")
            #expect(job.phase == .done)
        }
    }
}
