import Foundation
import NIOHTTP1
import ReelWatch
import ReelWatchTestSupport
import Testing

@testable import ReelWatchSimulator

/// Every answer the simulator gives, byte for byte, against the golden file `Golden/simulator-answers.txt`: for each
/// API × phase × outcome × edition (v1's legacy and reference shapes) × captions × bare links, the status body, the
/// bulk and list bodies, the 401 and 404 answers, the files with their links and whether each can be fetched, the
/// webhook event and the legacy routes' retirement answers; then each API's routes over HTTP. A change to any answer
/// fails here; one meant to happen is recorded again with `REELWATCH_RECORD_GOLDEN=1` and shows in the file's diff.
@Suite("Simulator golden answers")
struct SimulatorGoldenTests {
    /// The golden file, beside this source file.
    static let goldenURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Golden/simulator-answers.txt")

    static let epoch = Date(timeIntervalSince1970: 1_795_000_000)
    static let fileBase = "http://127.0.0.1:9"

    /// The simulated time each phase is asked at, for a job queued 30 s and rendered 300 s.
    static let phases: [(String, Duration)] = [
        ("waiting", .seconds(5)), ("queued", .seconds(20)), ("processing", .seconds(100)), ("done", .seconds(400)),
    ]

    /// The job of one case.
    static func job(
        _ api: ProviderAPI, failed: Bool, edition: SimulatedJob.V1Edition, captions: Bool, bareLinks: Bool
    ) -> SimulatedJob {
        SimulatedJob(
            ref: JobRef(api: api, id: "gold-1"), title: "Golden Title", queueTime: .seconds(30),
            renderTime: .seconds(300), outcome: failed ? SimulatedJob.documentedFailure(for: api) : .success,
            heraOutputs: [
                SimulatedJob.HeraOutput(),
                SimulatedJob.HeraOutput(format: "prores", aspectRatio: "9:16", fps: "24", resolution: "4k"),
                SimulatedJob.HeraOutput(format: "gif", aspectRatio: "1:1"),
                SimulatedJob.HeraOutput(format: "webm", failure: "Output too large"),
            ],
            captions: captions, callbackID: "cb-1", v1Edition: edition, videoSize: 1000, durationSeconds: 12.5,
            bareLinks: bareLinks, folderID: "folder-1")
    }

    static func text(_ answer: SimulatorResponse) -> String {
        var line = "\(answer.status) \(answer.contentType)"
        for (name, value) in answer.headers { line += " [\(name): \(value)]" }
        return line + " " + String(decoding: answer.body, as: UTF8.self)
    }

    static func text(_ plan: FilePlan) -> String {
        switch plan {
        case .error(let answer): text(answer)
        case .bytes(let bytes): "\(bytes.status) \(bytes.contentType) \(bytes.etag) \(bytes.size)"
        }
    }

    /// The lines of one case.
    static func lines(
        api: ProviderAPI, failed: Bool, edition: SimulatedJob.V1Edition, captions: Bool, bareLinks: Bool
    ) async -> [String] {
        let key =
            "\(api.rawValue) \(edition == .legacy ? "legacy" : "reference") \(failed ? "failed" : "succeeds")"
            + " captions=\(captions) bare=\(bareLinks)"
        var lines: [String] = []
        let job = job(api, failed: failed, edition: edition, captions: captions, bareLinks: bareLinks)
        for (phase, at) in phases {
            let simulator = Simulator(apiKey: "k", timeScale: 0, epoch: epoch, keepsLog: false, eventIDSeed: 7)
            await simulator.add(job)
            await simulator.advance(by: at)
            let prefix = "\(key) \(phase)"
            func status(_ ref: JobRef, key: String = "k") async -> String {
                text(await simulator.status(ref: ref, apiKey: key, userAgent: nil, fileBase: fileBase))
            }
            lines.append("\(prefix) status: " + (await status(job.ref)))
            if let successor = api.successor {
                lines.append("\(prefix) successor: " + (await status(JobRef(api: successor, id: job.ref.id))))
            }
            if Simulator.bulkPaths[api] != nil {
                let answer = await simulator.bulkStatus(
                    api: api, ids: [job.ref.id, "nobody"], apiKey: "k", userAgent: nil)
                lines.append("\(prefix) bulk: " + text(answer))
            }
            if Simulator.listPath(of: api) != nil {
                for (folder, title) in [(nil, nil), ("folder-1", "golden"), ("other", nil), (nil, "nothing")] {
                    let answer = await simulator.list(
                        api, limit: nil, token: nil, folderID: folder, title: title, apiKey: "k", userAgent: nil,
                        fileBase: fileBase)
                    // The unfiltered list whole; the filtered ones by the IDs they hold.
                    let ids = (try? JSONValue.parse(answer.body))?["data"]?.arrayValue?.compactMap { $0["id"]?.text }
                    let shown = folder == nil && title == nil ? text(answer) : "\(answer.status) \(ids ?? [])"
                    lines.append("\(prefix) list folder=\(folder ?? "-") title=\(title ?? "-"): " + shown)
                }
            }
            if let entry = await simulator.jobs[job.ref] {
                let times = await simulator.times(of: entry)
                for file in StatusBodies.files(for: job) {
                    let url = StatusBodies.url(of: file, job: job, base: fileBase, times: times)
                    let plan = await simulator.file(ref: job.ref, name: file.name, url: url, range: nil, ifRange: nil)
                    // The file and its link in full once the job is over; before, whether it can be fetched.
                    let described =
                        phase == "done"
                        ? "\(file.kind.rawValue) \(file.contentType) \(file.size) output=\(file.output.map(String.init) ?? "-")"
                            + " \(url) -> \(text(plan))" : "-> \(text(plan).prefix(3))"
                    lines.append("\(prefix) file \(file.name) \(described)")
                }
            }
            let events = await simulator.takeEndedEvents(fileBase: fileBase)
            for event in events {
                lines.append(
                    "\(prefix) event \(event.id) \(event.type) \(event.createdAt.timeIntervalSince1970) "
                        + String(decoding: event.body.serialized(), as: UTF8.self))
            }
        }
        let simulator = Simulator(apiKey: "k", timeScale: 0, epoch: epoch, keepsLog: false, eventIDSeed: 7)
        await simulator.add(job)
        lines.append(
            "\(key) unauthorized: "
                + text(await simulator.status(ref: job.ref, apiKey: "wrong", userAgent: nil, fileBase: fileBase)))
        lines.append(
            "\(key) not found: "
                + text(
                    await simulator.status(
                        ref: JobRef(api: api, id: "nobody"), apiKey: "k", userAgent: nil, fileBase: fileBase)))
        lines.append("\(key) sends webhooks: \(Simulator.sendsWebhooks(api))")
        for retirement in SimulatedRetirement.allCases {
            await simulator.retireLegacyRoutes(retirement)
            lines.append(
                "\(key) \(retirement.rawValue): "
                    + text(await simulator.status(ref: job.ref, apiKey: "k", userAgent: nil, fileBase: fileBase)))
        }
        return lines
    }

    /// Every case's lines, in a fixed order.
    static func allLines() async throws -> [String] {
        var lines: [String] = []
        for api in ProviderAPI.allCases {
            let editions: [SimulatedJob.V1Edition] = api == .v1 ? [.legacy, .reference] : [.reference]
            for edition in editions {
                for failed in [false, true] {
                    for captions in [false, true] {
                        for bareLinks in [false, true] {
                            lines += await Self.lines(
                                api: api, failed: failed, edition: edition, captions: captions, bareLinks: bareLinks)
                        }
                    }
                }
            }
        }
        lines += try await routeLines()
        return deduplicated(lines)
    }

    /// `lines` with each answer seen before written as `= ` and the key of its first line, so that the file holds
    /// every distinct answer once.
    static func deduplicated(_ lines: [String]) -> [String] {
        var firstKey: [Substring: Substring] = [:]
        return lines.map { line in
            guard let colon = line.range(of: ": ") else { return line }
            let key = line[..<colon.lowerBound]
            let answer = line[colon.upperBound...]
            guard answer.count > 40 else { return line }
            if let first = firstKey[answer] { return "\(key): = \(first)" }
            firstKey[answer] = key
            return line
        }
    }

    /// Each API's status, bulk and list routes over HTTP, the port written as PORT.
    static func routeLines() async throws -> [String] {
        let jobs = ProviderAPI.allCases.map { api in
            SimulatedJob(
                ref: JobRef(api: api, id: "route 1/é"), title: "Route", queueTime: .zero, renderTime: .zero,
                captions: true, folderID: "f")
        }
        return try await SimulatorHarness.run(jobs) { _, endpoint in
            var lines: [String] = []
            func get(_ name: String, _ url: String, apiKey: String = "sim-key", binary: Bool = false) async throws {
                let answer = try await RawHTTP.get(url, apiKey: apiKey)
                let sum = answer.body.reduce(0) { ($0 &* 31 &+ Int($1)) & 0xFFFF_FFFF }
                let body =
                    (binary
                    ? "\(answer.body.count) bytes, checksum \(sum)" : String(decoding: answer.body, as: UTF8.self))
                    .replacingOccurrences(of: "127.0.0.1:\(endpoint.port)", with: "127.0.0.1:PORT")
                let type = answer.headers["content-type"].first ?? "-"
                lines.append("route \(name): \(answer.status) \(type) \(body)")
            }
            for job in jobs {
                let url = SimulatorServerTests.statusURL(job.ref, endpoint)
                try await get("\(job.ref.api.rawValue) status", url)
                try await get("\(job.ref.api.rawValue) unauthorized", url, apiKey: "wrong")
            }
            let id = BaseURL.encode("route 1/é")
            let bulk = [
                ("v3", "/v3/videos/statuses?video_ids="),
                ("translate", "/v3/video-translations/statuses?video_translation_ids="),
                ("lipsync", "/v3/lipsyncs/statuses?lipsync_ids="),
            ]
            for (name, path) in bulk {
                try await get("\(name) bulk", endpoint.heygenURL + path + id + ",nobody")
            }
            for path in ["/v3/videos", "/v3/video-translations", "/v3/lipsyncs", "/v3/video-agents"] {
                try await get("list \(path)", endpoint.heygenURL + path)
            }
            try await get("v3 file", endpoint.fileBase + "/files/v3/\(id)/video.mp4", binary: true)
            try await get("hera file", endpoint.fileBase + "/files/hera/\(id)/output-0.mp4", binary: true)
            return lines
        }
    }

    @Test("every answer of every API, phase, outcome, edition, captions and link shape is the recorded one")
    func answersMatchTheGoldenFile() async throws {
        let actual = try await Self.allLines()
        if ProcessInfo.processInfo.environment["REELWATCH_RECORD_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(
                at: Self.goldenURL.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data((actual.joined(separator: "\n") + "\n").utf8).write(to: Self.goldenURL)
            return
        }
        let golden = try String(contentsOf: Self.goldenURL, encoding: .utf8).split(separator: "\n").map(String.init)
        // Compared by key (the text before the first `: `), so that an API added or removed shows as such.
        func keyed(_ lines: [String]) -> [String: String] {
            Dictionary(
                lines.map { line in
                    let colon = line.range(of: ": ")
                    return (colon.map { String(line[..<$0.lowerBound]) } ?? line, line)
                },
                uniquingKeysWith: { first, _ in first })
        }
        let now = keyed(actual)
        let recorded = keyed(golden)
        let changed = recorded.keys.filter { now[$0] != nil && now[$0] != recorded[$0] }.sorted()
        for key in changed.prefix(10) {
            Issue.record("changed:\n  now:    \(now[key] ?? "")\n  golden: \(recorded[key] ?? "")")
        }
        let gone = recorded.keys.filter { now[$0] == nil }.sorted()
        let new = now.keys.filter { recorded[$0] == nil }.sorted()
        #expect(gone.isEmpty, "answers no longer given: \(gone.prefix(10))")
        #expect(new.isEmpty, "answers not recorded (REELWATCH_RECORD_GOLDEN=1 records them): \(new.prefix(10))")
        #expect(changed.isEmpty)
        let sameOrder = actual == golden
        #expect(sameOrder, "the answers are the recorded ones, in another order")
    }
}
