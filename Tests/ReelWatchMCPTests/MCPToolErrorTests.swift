import Foundation
import MCP
import ReelWatch
import ReelWatchSimulator
import ReelWatchTestSupport
import Testing

/// Every error code a tool can return, over MCP: a tool result with `isError: true` whose structured content is the
/// CLI's envelope `{"error": {code, message, hint, ref}}`, never carrying an API key.
@Suite("MCP tool errors", .timeLimit(.minutes(1)))
struct MCPToolErrorTests {
    static let video = SimulatorHarness.done(.v3, "vid-1")

    /// Checks `result` is a failure with `code`, a message and a hint, and no secret anywhere in it.
    static func expectFailure(
        _ result: CallTool.Result, code: String, ref: String?, secrets: [String],
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(result.isError == true, sourceLocation: sourceLocation)
        let envelope = result.structuredContent?["error"]
        #expect(envelope?["code"]?.stringValue == code, "\(result.text)", sourceLocation: sourceLocation)
        #expect(envelope?["message"]?.stringValue?.isEmpty == false, sourceLocation: sourceLocation)
        #expect(envelope?["hint"]?.stringValue?.isEmpty == false, sourceLocation: sourceLocation)
        #expect(envelope?["ref"]?.stringValue == ref, sourceLocation: sourceLocation)
        #expect(Set(envelope?.objectValue?.keys.map { $0 } ?? []) == ["code", "message", "hint", "ref"])
        #expect(result.text.contains("error \(code)"), sourceLocation: sourceLocation)
        for secret in secrets {
            #expect(!result.json.contains(secret), "\(code) leaks a key", sourceLocation: sourceLocation)
        }
    }

    @Test("auth_failed: the simulator rejects the configured key; neither key appears")
    func authFailed() async throws {
        let wrongKey = "wrong-key-7f3a9c"
        try await MCPSession.run([Self.video], apiKey: wrongKey) { session in
            let result = try await session.call("status", ["refs": ["heygen:vid-1"]])
            Self.expectFailure(
                result, code: "auth_failed", ref: "heygen:vid-1", secrets: [wrongKey, session.simulator.apiKey])
            #expect(result.structuredContent?["error"]?["hint"]?.stringValue?.contains("HEYGEN_API_KEY") == true)
        }
    }

    @Test("provider_unavailable: every answer a 503, after the retries")
    func providerUnavailable() async throws {
        try await MCPSession.run([Self.video]) { session in
            await session.simulator.inject(.serverError(status: 503))
            let driver = session.drive()
            defer { driver.cancel() }
            let result = try await session.call("status", ["refs": ["heygen:vid-1"]])
            Self.expectFailure(
                result, code: "provider_unavailable", ref: "heygen:vid-1", secrets: [session.simulator.apiKey])
            // One request and the two retries of the session's policy.
            #expect(await session.simulator.statusRequestCount(for: Self.video.ref) == 3)
        }
    }

    @Test("invalid_response: a status answer cut off halfway")
    func invalidResponse() async throws {
        try await MCPSession.run([Self.video]) { session in
            await session.simulator.inject(.truncatedBody)
            let driver = session.drive()
            defer { driver.cancel() }
            let result = try await session.call("status", ["refs": ["heygen:vid-1"]])
            Self.expectFailure(
                result, code: "invalid_response", ref: "heygen:vid-1", secrets: [session.simulator.apiKey])
            #expect(result.structuredContent?["jobs"] == [])
        }
    }

    @Test("download_failed: the file link refused for good (HTTP 410); no file left in place")
    func downloadFailed() async throws {
        try await MCPSession.run([Self.video]) { session in
            await session.simulator.inject(.serverError(status: 410), forFilesOf: Self.video.ref)
            let driver = session.drive()
            defer { driver.cancel() }
            let result = try await session.call("download", ["refs": ["heygen:vid-1"], "dir": "files"])
            Self.expectFailure(
                result, code: "download_failed", ref: "heygen:vid-1", secrets: [session.simulator.apiKey])
            #expect(result.structuredContent?["files"] == [])
            #expect(result.structuredContent?["jobs"]?.elements.first?["state"] == "succeeded")
            #expect(!FileManager.default.fileExists(atPath: session.directory + "/files/heygen-vid-1-video.mp4"))
        }
    }

    @Test("store_unavailable: the job store's path is a directory; track, untrack and list_tracked say so")
    func storeUnavailable() async throws {
        try await MCPSession.run([Self.video]) { session in
            try FileManager.default.createDirectory(
                atPath: session.directory + "/reelwatch.sqlite", withIntermediateDirectories: true)
            for (tool, arguments) in [
                ("track", ["refs": ["heygen:vid-1"]]), ("untrack", ["refs": ["heygen:vid-1"]]),
                ("list_tracked", [:]),
            ] as [(String, [String: Value])] {
                let result = try await session.call(tool, arguments)
                Self.expectFailure(result, code: "store_unavailable", ref: nil, secrets: [session.simulator.apiKey])
                #expect(
                    result.structuredContent?["error"]?["hint"]?.stringValue?.contains("REELWATCH_HOME") == true)
            }
            // The render tools do not need the job store.
            let status = try await session.call("status", ["refs": ["heygen:vid-1"]])
            #expect(status.isError == false)
        }
    }
}
