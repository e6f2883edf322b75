import Foundation
import HTTPTypes
import Logging
import ReelWatchSimulator
import ReelWatchTestSupport
import ReelWatchTesting
import Testing

@testable import ReelWatch

/// HeyGen's v3 translations (`heygen-translate:`), the v2 route kept as `heygen-translate-v2:`, and the legacy
/// notice, over HTTP against the simulator.
@Suite("Translations")
struct TranslationTests {
    static func job(
        _ id: String, api: ProviderAPI = .translate, outcome: SimulatedJob.Outcome = .success
    )
        -> SimulatedJob
    {
        SimulatedJob(
            ref: JobRef(api: api, id: id), title: "Launch (Urdu)", queueTime: .seconds(60),
            renderTime: .seconds(600), outcome: outcome, captions: true)
    }

    @Test("v3: pending, running, completed with video, audio and SRT and VTT captions, from /v3/video-translations")
    func statesAndAssets() async throws {
        let ref = JobRef(api: .translate, id: "tr-1")
        try await SimulatorHarness.run([Self.job("tr-1")]) { simulator, endpoint in
            let client = SimulatorHarness.client(endpoint)
            var seen: [String] = []
            var last: JobSnapshot?
            for step in [0, 40, 60, 600] {
                await simulator.advance(by: .seconds(step))
                let snapshot = try await client.snapshot(of: ref)
                seen.append("\(snapshot.state.rawValue)/\(snapshot.providerStatus?.rawValue ?? "-")")
                last = snapshot
            }
            #expect(seen == ["queued/pending", "queued/pending", "processing/running", "succeeded/completed"])
            let done = try #require(last)
            #expect(done.title == "Launch (Urdu)")
            #expect(done.outputLanguage == "Urdu (Pakistan)")
            #expect(done.durationSeconds == 42.5)
            #expect(done.createdAt != nil)
            #expect(done.assets.map(\.kind) == [.video, .audio, .captions, .captions])
            #expect(done.assets.map(\.format) == ["mp4", "mp3", "srt", "vtt"])
            let requests = await simulator.requests
            #expect(requests.allSatisfy { $0.ref == ref && $0.authorized })
        }
    }

    @Test("v3: a failed translation carries failure_message; an unknown ID is not found")
    func failedAndMissing() async throws {
        let failure = SimulatedJob.documentedFailure(for: .translate)
        var failing = Self.job("bad", outcome: failure)
        failing.queueTime = .zero
        failing.renderTime = .zero
        let job = failing
        try await SimulatorHarness.run([job]) { _, endpoint in
            let client = SimulatorHarness.client(endpoint)
            let snapshot = try await client.snapshot(of: job.ref)
            #expect(snapshot.state == .failed)
            #expect(snapshot.failure?.message == "No speech was detected in the source video")
            #expect(snapshot.assets.isEmpty)
            let error = try await #require(throws: ReelWatchError.self) {
                try await client.snapshot(of: JobRef(api: .translate, id: "ghost"))
            }
            #expect(error.code == .jobNotFound)
        }
    }

    @Test("v3 bulk: /v3/video-translations/statuses in chunks of 100, pending and running words mapped")
    func bulk() async throws {
        var done = Self.job("done")
        done.queueTime = .zero
        done.renderTime = .zero
        let finished = done
        let jobs = (0..<120).map { Self.job("t\($0)") } + [finished]
        try await SimulatorHarness.run(jobs) { simulator, endpoint in
            await simulator.advance(by: .seconds(61))
            let refs = jobs.map(\.ref) + [JobRef(api: .translate, id: "ghost")]
            let statuses = try await SimulatorHarness.client(endpoint).bulkStatuses(of: refs)
            #expect(await simulator.bulkRequestCount == 2)
            #expect(statuses[JobRef(api: .translate, id: "t0")]?.state == .processing)
            #expect(statuses[JobRef(api: .translate, id: "t0")]?.providerStatus.rawValue == "running")
            #expect(statuses[finished.ref]?.state == .succeeded)
            #expect(statuses[JobRef(api: .translate, id: "ghost")]?.isNotFound == true)
            let paths = await simulator.requests.compactMap(\.path)
            #expect(paths == Array(repeating: "/v3/video-translations/statuses", count: 2))
        }
    }

    @Test("the bulk request names translations with video_translation_ids; answers naming them either way decode")
    func bulkRequestShape() async throws {
        let page =
            #"{"data":[{"video_id":"a","status":"pending"},{"video_translation_id":"b","status":"failed","#
            + #""error":{"code":"x","message":"no speech"}}],"has_more":false}"#
        let transport = ScriptedTransport([.json(page)])
        let client = StatusClient(
            configuration: Configuration(
                heygenBaseURL: BaseURL("http://heygen.test/api")!, heraBaseURL: BaseURL("http://hera.test")!,
                heygenAPIKey: APIKey("k")),
            transport: transport,
            clock: ManualClock(),
            wallClock: { SimulatorHarness.epoch },
            logger: SimulatorHarness.quiet
        )
        let statuses = try await client.bulkStatuses(of: ["a", "b"].map { JobRef(api: .translate, id: $0) })
        #expect(statuses[JobRef(api: .translate, id: "a")]?.state == .queued)
        #expect(statuses[JobRef(api: .translate, id: "b")]?.failure?.message == "no speech")
        #expect(
            transport.requests.map { $0.path ?? "" } == [
                "/api/v3/video-translations/statuses?video_translation_ids=a,b"
            ])
    }

    @Test("heygen-translate-v2: the v2 route still decodes; a legacy notice is a warning once per API, not an error")
    func legacyWarningOnce() async throws {
        let jobs = ["a", "b"].map { id in
            var job = Self.job(id, api: .translateV2)
            job.queueTime = .zero
            job.renderTime = .zero
            return job
        }
        let lines = RecordedLog()
        try await SimulatorHarness.run(jobs) { _, endpoint in
            let client = StatusClient(
                configuration: endpoint.configuration(apiKey: "sim-key"),
                clock: ManualClock(),
                wallClock: { SimulatorHarness.epoch },
                logger: Logger(label: "test") { _ in lines.handler }
            )
            for job in jobs {
                let snapshot = try await client.snapshot(of: job.ref)
                #expect(snapshot.state == .succeeded)
                #expect(snapshot.providerStatus?.rawValue == "success")
            }
        }
        let warnings = lines.entries.filter { $0.level == .warning }
        #expect(warnings.count == 1)
        #expect(
            warnings.first?.message
                == "HeyGen says the endpoint behind heygen-translate-v2: refs is legacy (\"This v2 endpoint is Legacy "
                + "and will be removed\"); move to heygen-translate: refs (heygen-translate-v2: still works for now)")
    }

    @Test("legacy notices are read from Deprecation, Sunset and Warning headers and from the body's words")
    func legacyNoticeSources() throws {
        let none = try JSONValue.parse(Array(#"{"data": {"status": "completed", "message": "ok"}}"#.utf8))
        #expect(LegacyNoticeLog.notice(headers: [:], json: none) == nil)
        #expect(LegacyNoticeLog.notice(headers: [HTTPField.Name("Deprecation")!: "@1735689600"], json: nil) != nil)
        #expect(LegacyNoticeLog.notice(headers: [HTTPField.Name("Sunset")!: "Wed, 31 Dec 2026"], json: nil) != nil)
        #expect(
            LegacyNoticeLog.notice(headers: [HTTPField.Name("Warning")!: "299 - \"Deprecated API\""], json: nil)
                == "299 - \"Deprecated API\"")
        let error = try JSONValue.parse(Array(#"{"error": {"code": "gone", "message": "v1 is deprecated"}}"#.utf8))
        #expect(LegacyNoticeLog.notice(headers: [:], json: error) == "v1 is deprecated")
    }
}
