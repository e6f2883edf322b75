import Foundation
import ReelWatchDaemon
import ReelWatchSimulator
import ReelWatchTerminal
import ReelWatchTestSupport
import ReelWatchTesting
import Testing

@testable import ReelWatch

/// HeyGen's background removals (`heygen-bgremoval:`): bodies shaped like HeyGen's, then over HTTP against the
/// simulator, hostile layer names included, with every layer's file on disk.
@Suite("Background removals", .timeLimit(.minutes(1)))
struct BackgroundRemovalTests {
    static func decode(_ data: String, id: String = "bg-1") throws -> JobSnapshot {
        try Fixture.decode(#"{"data": \#(data)}"#, ref: "heygen-bgremoval:\(id)")
    }

    static func job(
        _ id: String, layers: [String] = SimulatedJob.defaultLayers, outcome: SimulatedJob.Outcome = .success,
        queue: Duration = .zero, render: Duration = .zero
    ) -> SimulatedJob {
        SimulatedJob(
            ref: JobRef(api: .backgroundRemoval, id: id), queueTime: queue, renderTime: render, outcome: outcome,
            videoSize: 4096, layers: layers)
    }

    @Test("every state: pending, processing, completed with one asset per layer, failed with its error")
    func states() throws {
        let pending = try Self.decode(#"{"id": "bg-1", "status": "pending", "layers": null, "error": null}"#)
        #expect(pending.state == .queued)
        #expect(pending.assets.isEmpty)
        let processing = try Self.decode(#"{"id": "bg-1", "status": "processing"}"#)
        #expect(processing.state == .processing)
        let completed = try Self.decode(
            #"{"id": "bg-1", "status": "completed", "duration": 12.5, "created_at": 1800000000, "completed_at": 1800000090, "error": null, "new_field": {"x": [1]}, "layers": {"matte": "https://cdn.test/bg/matte.webm?Expires=1800600000", "foreground": "https://cdn.test/bg/fg.mov", "empty": null, "number": 7, "list": ["https://x"]}}"#
        )
        #expect(completed.state == .succeeded)
        #expect(completed.providerStatus?.rawValue == "completed")
        #expect(completed.durationSeconds == 12.5)
        #expect(completed.createdAt == Fixture.date(1_800_000_000))
        #expect(completed.completedAt == Fixture.date(1_800_000_090))
        #expect(completed.failure == nil)
        // Sorted by name (a JSON object has no order); a null or an array is no link.
        #expect(completed.assets.map(\.label) == ["foreground", "matte", "number"])
        #expect(completed.assets.allSatisfy { $0.kind == .layer && $0.state == .succeeded })
        #expect(completed.assets[0].format == "mov")
        #expect(completed.assets[1].format == "webm")
        #expect(completed.assets[1].expiresAt == Fixture.date(1_800_600_000))
        let failed = try Self.decode(
            #"{"id": "bg-1", "status": "failed", "layers": {}, "error": "No person was detected"}"#)
        #expect(failed.state == .failed)
        #expect(failed.failureReason == "No person was detected")
        let failedObject = try Self.decode(
            #"{"id": "bg-1", "status": "failed", "error": {"code": "bad_input", "message": "Unreadable video"}}"#)
        #expect(failedObject.failureReason == "Unreadable video (bad_input)")
    }

    @Test("deleted: a failure with the reason 'deleted', its layers ignored; only this API maps the word")
    func deleted() throws {
        let deleted = try Self.decode(
            #"{"id": "bg-1", "status": "deleted", "layers": {"fg": "https://cdn.test/fg.webm"}, "error": null}"#)
        #expect(deleted.state == .failed)
        #expect(deleted.state.isTerminal)
        #expect(deleted.providerStatus?.rawValue == "deleted")
        #expect(deleted.failureReason == "deleted")
        #expect(deleted.assets.isEmpty)
        let said = try Self.decode(#"{"id": "bg-1", "status": "Deleted", "error": "removed by its owner"}"#)
        #expect(said.state == .failed)
        #expect(said.failureReason == "removed by its owner (deleted)")
        let error = try #require(throws: ReelWatchError.self) {
            try Downloader.plan(deleted, directory: "/tmp/unused")
        }
        #expect(error.code == .renderFailed)
        #expect(error.message.contains("deleted"))
        // Elsewhere the word is unknown: never a failure by the global word list.
        #expect(JobState(providerStatus: ProviderStatus(rawValue: "deleted")) == .unknown)
        let video = try Fixture.decode(#"{"data": {"id": "v", "status": "deleted"}}"#, ref: "heygen:v")
        #expect(video.state == .unknown)
    }

    @Test("missing fields, nulls and an unknown status kept verbatim; a body about another job or without data refused")
    func lenient() throws {
        let bare = try Self.decode(#"{"status": "completed"}"#)
        #expect(bare.state == .succeeded)
        #expect(bare.assets.isEmpty)
        #expect(bare.durationSeconds == nil)
        let nulls = try Self.decode(
            #"{"id": "bg-1", "status": "processing", "layers": null, "error": null, "duration": null, "created_at": null, "completed_at": null}"#
        )
        #expect(nulls.state == .processing)
        let unknown = try Self.decode(#"{"id": "bg-1", "status": "archiving"}"#)
        #expect(unknown.state == .unknown)
        #expect(unknown.providerStatus?.rawValue == "archiving")
        let other = try #require(throws: ReelWatchError.self) {
            try Self.decode(#"{"id": "bg-2", "status": "completed"}"#)
        }
        #expect(other.code == .invalidResponse)
        let noStatus = try #require(throws: ReelWatchError.self) { try Self.decode(#"{"id": "bg-1"}"#) }
        #expect(noStatus.code == .invalidResponse)
        let error = try #require(throws: ReelWatchError.self) {
            try Fixture.decode(
                #"{"error": {"code": "not_found", "message": "Background removal not found"}}"#,
                ref: "heygen-bgremoval:bg-1")
        }
        #expect(error.code == .jobNotFound)
    }

    @Test("hostile layer names: hundreds, '..', '/', control characters, 10 kB: every file name safe and distinct")
    func hostileLayerNames() throws {
        var names = [
            "..", ".", "../../etc/passwd", "a/b", "a_b", "a\\b", "\u{1B}[31mred\u{1B}[0m", "line\nbreak", "",
            "-rf", "\u{202E}txt.exe", String(repeating: "é", count: 5000), String(repeating: "x", count: 10_000),
            String(repeating: "x", count: 10_000) + "y", "CON", "fore ground", "fore_ground",
        ]
        names += (0..<300).map { "layer \($0)" }
        let layers = Dictionary(
            names.map { ($0, JSONValue.string("https://cdn.test/l/\(BaseURL.encode($0)).webm")) },
            uniquingKeysWith: { first, _ in first })
        let body = JSONValue.object(["data": ["id": "bg-1", "status": "completed", "layers": .object(layers)]])
        let ref = JobRef(api: .backgroundRemoval, id: "bg-1")
        let snapshot = try ref.api.adapter.snapshot(from: body, ref: ref, httpStatus: 200)
        #expect(snapshot.assets.count == names.count)
        #expect(Set(snapshot.assets.compactMap(\.label)) == Set(names))
        for naming in [FileNaming(), FileNaming(fromTitle: true)] {
            let items = try Downloader.plan(snapshot, directory: "/tmp/bg", naming: naming)
            #expect(items.count == names.count)
            let files = items.map(\.fileName)
            #expect(Set(files).count == files.count)
            for file in files {
                #expect(!file.contains("/") && !file.contains("\\") && !file.hasPrefix(".") && !file.hasPrefix("-"))
                #expect(!file.contains(".."))
                #expect(file.utf8.count <= FileNaming.maximumLength)
                #expect(!file.unicodeScalars.contains { $0.properties.generalCategory == .control })
                #expect(!file.unicodeScalars.contains { $0.properties.generalCategory == .format })
            }
        }
        // On a terminal each layer is named, escaped.
        let text = SnapshotText(colour: false, now: { SimulatorHarness.epoch }).render(snapshot)
        #expect(!text.unicodeScalars.contains { $0 == "\u{1B}" || $0 == "\u{202E}" })
        let rows = text.split(separator: "\n").filter { $0.hasPrefix("  layer ") }
        #expect(rows.count == names.count)
        #expect(rows.contains { $0.hasSuffix("layer 299  webm  no expiry given  https://cdn.test/l/layer%20299.webm") })
        // Without numbering: labels that sanitize alike or share their first 60 bytes keep apart by a digest.
        let naming = FileNaming()
        let raw = snapshot.assets.map { naming.name(for: $0, of: snapshot) }
        #expect(Set(raw).count == raw.count)
        #expect(raw.contains("heygen-bg-1-layer-layer_7-\(FileNaming.digest(of: "layer 7")).webm"))
        #expect(raw.contains("heygen-bg-1-layer-a_b.webm"))
    }

    @Test("over HTTP: pending, processing, completed with a link per layer; an unknown ID is not found")
    func overHTTP() async throws {
        let job = Self.job("bg-http", queue: .seconds(30), render: .seconds(120))
        try await SimulatorHarness.run([job]) { simulator, endpoint in
            let client = SimulatorHarness.client(endpoint)
            var seen: [String] = []
            var last: JobSnapshot?
            for step in [0, 60, 120] {
                await simulator.advance(by: .seconds(step))
                let snapshot = try await client.snapshot(of: job.ref)
                seen.append("\(snapshot.state.rawValue)/\(snapshot.providerStatus?.rawValue ?? "-")")
                last = snapshot
            }
            #expect(seen == ["queued/pending", "processing/processing", "succeeded/completed"])
            let done = try #require(last)
            #expect(done.assets.map(\.label) == ["alpha_matte", "foreground"])
            #expect(done.assets.allSatisfy { $0.kind == .layer && $0.url != nil && $0.expiresAt != nil })
            #expect(await simulator.statusRequestCount(for: job.ref) == 3)
            let error = try await #require(throws: ReelWatchError.self) {
                try await client.snapshot(of: JobRef(api: .backgroundRemoval, id: "ghost"))
            }
            #expect(error.code == .jobNotFound)
            #expect(error.message.contains("Background removal not found"))
        }
    }

    @Test("a layer name that echoes the API key comes back redacted, in the snapshot and the file name")
    func layerNameRedacted() async throws {
        let job = Self.job("bg-echo", layers: ["echo sim-key"])
        try await SimulatorHarness.run([job]) { _, endpoint in
            let snapshot = try await SimulatorHarness.client(endpoint).snapshot(of: job.ref)
            #expect(snapshot.assets.map(\.label) == ["echo <redacted>"])
            let names = try Downloader.plan(snapshot, directory: "/tmp/unused").map(\.fileName)
            #expect(names.count == 1 && !names[0].contains("sim-key"))
        }
    }

    @Test("a fresh link after a 403 is the same layer's, found by its name though another layer came before it")
    func freshLinkByLabel() async throws {
        let job = Self.job("bg-fresh", layers: ["b", "c"])
        try await SimulatorHarness.run([job]) { simulator, endpoint in
            let client = SimulatorHarness.client(endpoint)
            let directory = NSTemporaryDirectory() + "reelwatch-bg-" + UUID().uuidString
            let items = try Downloader.plan(try await client.snapshot(of: job.ref), directory: directory)
            let item = try #require(items.first { $0.asset.label == "c" })
            #expect(item.asset.url?.contains("/layer-1.webm?") == true)
            // The removal now lists a layer before both: "c" is the third file.
            var grown = job
            grown.layers = ["a", "b", "c"]
            await simulator.add(grown)
            await simulator.inject(.forbidden, times: 1, forFilesOf: job.ref)
            let downloader = Downloader(
                statusClient: client, transport: AsyncHTTPClientTransport(),
                retryPolicy: RetryPolicy(maxRetries: 2, baseDelay: .milliseconds(1), maxDelay: .milliseconds(2)))
            let saved = try await downloader.download(item)
            #expect(saved.path.hasSuffix("-layer-c.webm"))
            #expect(await simulator.bytesServed(path: "/files/bgremoval/bg-fresh/layer-2.webm") == 1024)
            #expect(await simulator.bytesServed(path: "/files/bgremoval/bg-fresh/layer-1.webm") == 0)
            try? FileManager.default.removeItem(atPath: directory)
        }
    }

    @Test("over HTTP: failed and deleted removals end the wait as failures with their reasons")
    func failures() async throws {
        let failed = Self.job("bg-failed", outcome: SimulatedJob.documentedFailure(for: .backgroundRemoval))
        let deleted = Self.job("bg-deleted", outcome: .failure(code: "deleted", message: "deleted", detail: nil))
        try await SimulatorHarness.run([failed, deleted]) { _, endpoint in
            let client = SimulatorHarness.client(endpoint)
            let one = try await client.snapshot(of: failed.ref)
            #expect(one.state == .failed)
            #expect(one.failureReason == "No person was detected in the video")
            let two = try await client.snapshot(of: deleted.ref)
            #expect(two.state == .failed)
            #expect(two.providerStatus?.rawValue == "deleted")
            #expect(two.failureReason == "deleted")
            let error = try await #require(throws: WaitError.self) {
                try await client.wait(for: deleted.ref, timeout: .seconds(60))
            }
            #expect(error.reason == .failed)
        }
    }

    @Test("followed to the end: wait, then every layer's file on disk, hostile names kept inside the directory")
    func followedToDisk() async throws {
        let layers =
            ["../../escape", "a/b", "a_b", "\u{1B}]0;title\u{07}", String(repeating: "z", count: 10_000)]
            + (0..<40).map { "layer-\($0)" }
        let job = Self.job("bg-disk", layers: layers, render: .seconds(200))
        try await SimulatorHarness.run([job]) { simulator, endpoint in
            let clock = ManualClock()
            let client = SimulatorHarness.client(endpoint, clock: clock)
            let driver = Task {
                while !Task.isCancelled {
                    let next = await clock.nextSleep()
                    if Task.isCancelled { return }
                    await simulator.advance(by: clock.now.duration(to: next))
                    clock.advance(to: next)
                }
            }
            defer { driver.cancel() }
            let snapshot = try await client.wait(for: job.ref, timeout: .seconds(3600))
            #expect(snapshot.state == .succeeded)
            driver.cancel()
            let directory = NSTemporaryDirectory() + "reelwatch-bg-" + UUID().uuidString
            let downloader = Downloader(
                statusClient: SimulatorHarness.client(endpoint, clock: ManualClock()),
                transport: AsyncHTTPClientTransport())
            let layerOnly = try #require(AssetSelection(parsing: "layer"))
            #expect(AssetSelection.words.contains("layer"))
            for selection in [AssetSelection.defaults, layerOnly] {
                #expect(selection.assets(of: snapshot).count == layers.count)
            }
            #expect(AssetSelection(parsing: "video")?.assets(of: snapshot).isEmpty == true)
            let items = try Downloader.plan(snapshot, selection: layerOnly, directory: directory)
            var saved: [DownloadResult] = []
            for item in items { saved.append(try await downloader.download(item)) }
            let onDisk = try FileManager.default.contentsOfDirectory(atPath: directory)
            #expect(onDisk.count == layers.count)
            #expect(Set(onDisk) == Set(saved.map { ($0.path as NSString).lastPathComponent }))
            #expect(saved.allSatisfy { $0.path.hasPrefix(directory + "/") && $0.bytes == 1024 && $0.kind == .layer })
            #expect(!FileManager.default.fileExists(atPath: directory + "/../escape"))
            try? FileManager.default.removeItem(atPath: directory)
        }
    }
}
