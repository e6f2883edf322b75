import Crypto
import Foundation
import MCP
import ReelWatch
import ReelWatchSimulator
import ReelWatchTestSupport
import ReelWatchTesting
import Testing

/// The MCP tools through the Swift SDK's `Client` over an in-memory transport, against the simulator over HTTP.
@Suite("MCP tools", .timeLimit(.minutes(1)))
struct MCPToolTests {
    static let video = SimulatorHarness.done(.v3, "vid-1")
    static let slow = SimulatedJob(
        ref: JobRef(api: .v3, id: "slow"), title: "Slow", queueTime: .seconds(30), renderTime: .seconds(240))
    static let endless = SimulatedJob(
        ref: JobRef(api: .v3, id: "endless"), queueTime: .zero, renderTime: .seconds(10 * 3600))
    static let broken = SimulatedJob(
        ref: JobRef(api: .v3, id: "broken"), queueTime: .zero, renderTime: .seconds(60),
        outcome: SimulatedJob.documentedFailure(for: .v3))

    /// The SHA-256 of the file at `path`, in hex.
    static func sha256(_ path: String) throws -> String {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }

    @Test("tools/list: six tools with their schemas and honest annotations")
    func listTools() async throws {
        try await MCPSession.run([]) { session in
            let tools = try await session.client.listTools().tools
            #expect(tools.map(\.name) == ["status", "wait", "download", "track", "untrack", "list_tracked"])
            let byName = Dictionary(uniqueKeysWithValues: tools.map { ($0.name, $0) })
            // Each tool's exact hints: read-only, idempotent, destructive (track overwrites a tracked job's label,
            // meta values and download directory; untrack removes jobs), open world (talks to a provider).
            let hints: [String: [Bool]] = [
                "status": [true, true, false, true], "wait": [false, true, false, true],
                "download": [false, true, false, true], "track": [false, true, true, false],
                "untrack": [false, true, true, false], "list_tracked": [true, true, false, false],
            ]
            for tool in tools {
                let annotations = tool.annotations
                let actual = [
                    annotations.readOnlyHint, annotations.idempotentHint, annotations.destructiveHint,
                    annotations.openWorldHint,
                ]
                #expect(actual == hints[tool.name]?.map { Optional($0) }, "\(tool.name)")
                #expect(tool.description?.isEmpty == false, "\(tool.name)")
                #expect(tool.title?.isEmpty == false, "\(tool.name)")
                let properties = tool.inputSchema["properties"]?.objectValue ?? [:]
                #expect(!properties.isEmpty, "\(tool.name)")
                for (name, property) in properties {
                    #expect(property["description"]?.stringValue?.isEmpty == false, "\(tool.name).\(name)")
                }
            }
            // The kinds of files come from the CLI's one list (audio included).
            let kinds = AssetSelection.words.map { Value.string($0) }
            #expect(kinds.contains("audio"))
            for name in ["wait", "download"] {
                #expect(byName[name]?.inputSchema["properties"]?["assets"]?["items"]?["enum"]?.elements == kinds)
            }
            for tool in tools where tool.name != "list_tracked" {
                #expect(tool.inputSchema["required"]?.elements.contains("refs") == true, "\(tool.name)")
                #expect(tool.inputSchema["properties"]?["refs"]?["type"] == "array", "\(tool.name)")
            }
            #expect(byName["download"]?.inputSchema["required"]?.elements == ["refs", "dir"])
        }
    }

    @Test("status: the --json snapshot keys under jobs, and a text summary")
    func status() async throws {
        try await MCPSession.run([Self.video, Self.slow]) { session in
            let result = try await session.call("status", ["refs": [.string("\(Self.video.ref)"), "heygen:slow"]])
            #expect(result.isError == false)
            let jobs = result.structuredContent?["jobs"]?.elements ?? []
            try #require(jobs.count == 2)
            #expect(Set(jobs[0].objectValue?.keys.map { $0 } ?? []) == Set(JobSnapshot.jsonKeys))
            #expect(jobs[0]["ref"] == "heygen:vid-1")
            #expect(jobs[0]["state"] == "succeeded")
            #expect(jobs[1]["state"] == "queued")
            #expect(result.text.contains("heygen:vid-1: succeeded"))
            #expect(!result.json.contains(session.simulator.apiKey))
        }
    }

    @Test("errors are tool results with the CLI's envelope: not found, invalid reference, missing key")
    func errorResults() async throws {
        try await MCPSession.run([Self.video]) { session in
            let missing = try await session.call("status", ["refs": ["heygen:nope"]])
            #expect(missing.isError == true)
            #expect(missing.errorCode == "not_found")
            #expect(missing.structuredContent?["error"]?["ref"] == "heygen:nope")
            #expect(missing.structuredContent?["error"]?["hint"]?.stringValue?.isEmpty == false)
            #expect(!missing.json.contains(session.simulator.apiKey))

            let asked = await session.simulator.requests.count
            let malformed = try await session.call("wait", ["refs": ["not a ref"]])
            #expect(malformed.isError == true)
            #expect(malformed.errorCode == "invalid_ref")
            #expect(malformed.structuredContent?["error"]?["hint"]?.stringValue?.contains("PROVIDER:ID") == true)
            #expect(await session.simulator.requests.count == asked)
        }
        try await MCPSession.run([Self.video], apiKey: "") { session in
            let result = try await session.call("status", ["refs": [.string("\(Self.video.ref)")]])
            #expect(result.isError == true)
            #expect(result.errorCode == "missing_api_key")
            #expect(result.structuredContent?["error"]?["hint"]?.stringValue?.contains("HEYGEN_API_KEY") == true)
        }
    }

    @Test("protocol misuse is a JSON-RPC error: unknown tool, missing refs, wrong types, unknown arguments")
    func protocolErrors() async throws {
        try await MCPSession.run([Self.video]) { session in
            let calls: [(String, [String: Value])] = [
                ("render", ["refs": ["heygen:vid-1"]]),
                ("status", [:]),
                ("status", ["refs": "heygen:vid-1"]),
                ("status", ["refs": []]),
                ("wait", ["refs": ["heygen:vid-1"], "timeout_seconds": "soon"]),
                ("wait", ["refs": ["heygen:vid-1"], "timeout_seconds": -1]),
                ("download", ["refs": ["heygen:vid-1"]]),
                ("status", ["refs": ["heygen:vid-1"], "verbose": true]),
                ("list_tracked", ["limit": 1.5]),
            ]
            for (tool, arguments) in calls {
                await #expect(throws: MCPError.self, "\(tool) \(arguments)") {
                    _ = try await session.call(tool, arguments)
                }
            }
            // The session is still fine.
            let status = try await session.call("status", ["refs": ["heygen:vid-1"]])
            #expect(status.isError == false)
        }
    }

    @Test("wait: progress notifications with state and time left, then the final snapshot and the saved files")
    func waitWithProgress() async throws {
        try await MCPSession.run([Self.slow]) { session in
            let driver = session.drive()
            defer { driver.cancel() }
            let result = try await session.call(
                "wait", ["refs": ["heygen:slow"], "download_dir": .string(session.directory)],
                progressToken: .string("wait-1"))
            #expect(result.isError == false)
            #expect(result.structuredContent?["jobs"]?.elements.first?["state"] == "succeeded")
            #expect(result.structuredContent?["running"]?.elements == [])
            let files = result.structuredContent?["files"]?.elements ?? []
            try #require(files.count == 1)
            let path = try #require(files[0]["path"]?.stringValue)
            #expect(path.hasPrefix(session.directory))
            #expect(files[0]["bytes"]?.intValue == Self.slow.videoSize)
            let digest = try Self.sha256(path)
            #expect(files[0]["sha256"]?.stringValue == digest)

            let notes = await session.progress.received
            #expect(notes.count >= 3)
            #expect(notes.allSatisfy { $0.progressToken == .string("wait-1") })
            #expect(zip(notes, notes.dropFirst()).allSatisfy { $0.progress < $1.progress })
            #expect(notes.contains { $0.message?.contains("heygen:slow: queued after") == true })
            #expect(notes.contains { $0.message?.contains("left)") == true })
            #expect(notes.contains { $0.message?.contains("succeeded") == true })
        }
    }

    @Test("wait without a progress token sends no notifications")
    func waitWithoutProgress() async throws {
        try await MCPSession.run([Self.video]) { session in
            let result = try await session.call("wait", ["refs": ["heygen:vid-1"]])
            #expect(result.isError == false)
            #expect(await session.progress.received.isEmpty)
        }
    }

    @Test("wait: a timeout is not an error; it returns the jobs still running")
    func waitTimeout() async throws {
        try await MCPSession.run([Self.endless, Self.video]) { session in
            let driver = session.drive()
            defer { driver.cancel() }
            let result = try await session.call(
                "wait", ["refs": ["heygen:endless", "heygen:vid-1"], "timeout_seconds": 120])
            #expect(result.isError == false)
            #expect(result.structuredContent?["running"]?.elements == ["heygen:endless"])
            let states = result.structuredContent?["jobs"]?.elements.compactMap { $0["state"]?.stringValue }
            #expect(states == ["processing", "succeeded"])
            #expect(result.text.contains("call wait again"))
            #expect(session.clock.now.offset <= .seconds(125))
        }
    }

    @Test("wait: a job waiting for a person ends the call, listed under needs_input: neither an error nor done")
    func waitNeedsInput() async throws {
        let agent = SimulatedJob(ref: JobRef(api: .hera, id: "agent"), queueTime: .zero, renderTime: .seconds(3600))
        try await MCPSession.run([agent, Self.video]) { session in
            await session.simulator.inject(.unknownStatus("waiting_for_input"), for: agent.ref)
            let driver = session.drive()
            defer { driver.cancel() }
            let result = try await session.call("wait", ["refs": ["hera:agent", "heygen:vid-1"]])
            #expect(result.isError == false)
            let waiting = result.structuredContent?["needs_input"]?.elements ?? []
            #expect(waiting.map { $0["ref"] } == ["hera:agent"])
            #expect(waiting.first?["code"] == "needs_input")
            #expect(waiting.first?["message"] == "waiting for input (waiting_for_input)")
            #expect(result.structuredContent?["running"]?.elements == [])
            let states = result.structuredContent?["jobs"]?.elements.compactMap { $0["state"]?.stringValue }
            #expect(states == ["needs_input", "succeeded"])
            #expect(result.text.contains("hera:agent: waiting for input (waiting_for_input): a person must answer it"))
            #expect(session.clock.now.offset == .zero)
        }
    }

    @Test("wait: a failed render is an error result with render_failed")
    func waitFailedRender() async throws {
        try await MCPSession.run([Self.broken]) { session in
            let driver = session.drive()
            defer { driver.cancel() }
            let result = try await session.call("wait", ["refs": ["heygen:broken"]])
            #expect(result.isError == true)
            #expect(result.errorCode == "render_failed")
            #expect(result.structuredContent?["jobs"]?.elements.first?["state"] == "failed")
            #expect(result.text.contains("Script too long"))
        }
    }

    @Test("wait: a cancelled notification stops the engine promptly")
    func waitCancelled() async throws {
        try await MCPSession.run([Self.endless]) { session in
            let call = try await session.start("wait", ["refs": ["heygen:endless"]])
            // The engine polled once and sleeps until the next poll; nobody moves the clock.
            #expect(await session.clock.sleepers(1).count == 1)
            try await session.client.cancelRequest(call.requestID, reason: "test")
            await #expect(throws: CancellationError.self) { _ = try await call.value }
            #expect(await session.clock.sleepers(0).isEmpty)
            // Nothing polls any more, however far time goes.
            let asked = await session.simulator.requests.count
            session.clock.advance(by: .seconds(3600))
            let status = try await session.call("status", ["refs": ["heygen:vid-1"]])
            #expect(status.errorCode == "not_found")
            #expect(await session.simulator.requests.count == asked + 1)
        }
    }

    @Test("a client that goes away in the middle of a wait stops it; the server returns")
    func clientGoesAway() async throws {
        let clock = try await MCPSession.run([Self.endless]) { session in
            _ = try await session.start("wait", ["refs": ["heygen:endless"]])
            #expect(await session.clock.sleepers(1).count == 1)
            return session.clock
        }
        // run() returned only after the server stopped, so the engine sleeps no more.
        #expect(clock.sleeperCount == 0)
    }

    @Test("download: files with path, bytes and sha256; a link that expired mid-way is refreshed; a relative dir")
    func downloadWithExpiredLink() async throws {
        try await MCPSession.run([Self.video]) { session in
            await session.simulator.expireLinks(times: 1, for: Self.video.ref)
            let result = try await session.call(
                "download",
                ["refs": ["heygen:vid-1"], "dir": "files", "assets": ["video", "captions"]])
            #expect(result.isError == false, "\(result.text)")
            let files = result.structuredContent?["files"]?.elements ?? []
            #expect(Set(files.compactMap { $0["kind"]?.stringValue }) == ["video", "captions"])
            for file in files {
                let path = try #require(file["path"]?.stringValue)
                #expect(path.hasPrefix(session.directory + "/files/"))
                let digest = try Self.sha256(path)
                #expect(file["sha256"]?.stringValue == digest)
                let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int
                #expect(file["bytes"]?.intValue == size)
            }
            // The first status call's links had expired: the download asked for fresh ones.
            #expect(await session.simulator.statusRequestCount(for: Self.video.ref) >= 2)
        }
    }

    @Test("download: the connection drops mid-file and the link has expired by the resume: fresh link, resumed")
    func downloadLinkExpiresMidway() async throws {
        try await MCPSession.run([Self.video]) { session in
            await session.simulator.inject(.dropAfter(bytes: 100_000), forFilesOf: Self.video.ref)
            let call = try await session.start("download", ["refs": ["heygen:vid-1"], "dir": "files"])
            // The drop: the downloader waits to retry. Meanwhile a week passes at the provider: the link expires.
            let retry = try #require(await session.clock.sleepers(1).first)
            await session.simulator.advance(by: .seconds(8 * 24 * 3600))
            session.clock.advance(to: retry)
            let driver = session.drive()
            defer { driver.cancel() }
            let result = try await call.value
            #expect(result.isError == false, "\(result.text)")
            let file = try #require(result.structuredContent?["files"]?.elements.first)
            let path = try #require(file["path"]?.stringValue)
            let digest = try Self.sha256(path)
            #expect(file["sha256"]?.stringValue == digest)
            #expect(file["bytes"]?.intValue == Self.video.videoSize)
            // A fresh link was fetched after the refusal, and the file resumed from what had arrived before the drop.
            #expect(await session.simulator.statusRequestCount(for: Self.video.ref) == 2)
            let starts = await session.simulator.requests.compactMap(\.range).compactMap { range in
                Int(range.drop { !$0.isNumber }.prefix { $0.isNumber })
            }
            #expect(starts.contains { $0 > 0 && $0 <= 100_000 }, "\(starts)")
        }
    }

    @Test("download of a render still running: not_ready, with a hint to call wait")
    func downloadNotReady() async throws {
        try await MCPSession.run([Self.slow]) { session in
            let result = try await session.call(
                "download", ["refs": ["heygen:slow"], "dir": .string(session.directory)])
            #expect(result.isError == true)
            #expect(result.errorCode == "not_ready")
            #expect(result.structuredContent?["error"]?["hint"]?.stringValue?.contains("call wait") == true)
            #expect(result.structuredContent?["jobs"]?.elements.first?["state"] == "queued")
        }
    }

    @Test("track, list_tracked and untrack over the job store")
    func trackedJobs() async throws {
        try await MCPSession.run([Self.video]) { session in
            let tracked = try await session.call(
                "track", ["refs": ["heygen:vid-1", "hera:h-1"], "label": "launch", "meta": ["campaign": "q4"]])
            #expect(tracked.isError == false)
            #expect(tracked.structuredContent?["jobs"]?.elements.map { $0["label"] } == ["launch", "launch"])
            #expect(tracked.structuredContent?["jobs"]?.elements.first?["meta"]?["campaign"] == "q4")
            #expect(tracked.structuredContent?["jobs"]?.elements.first?["state"] == .null)

            let listed = try await session.call("list_tracked", ["state": "new", "label": "launch", "limit": 1])
            #expect(listed.structuredContent?["jobs"]?.elements.count == 1)
            let other = try await session.call("list_tracked", ["label": "other"])
            #expect(other.structuredContent?["jobs"] == [])

            let removed = try await session.call("untrack", ["refs": ["hera:h-1", "hera:never"]])
            #expect(removed.isError == true)
            #expect(removed.errorCode == "not_found")
            #expect(removed.structuredContent?["removed"] == ["hera:h-1"])
            let rest = try await session.call("list_tracked", [:])
            #expect(rest.structuredContent?["jobs"]?.elements.map { $0["ref"] } == ["heygen:vid-1"])
        }
    }
}
