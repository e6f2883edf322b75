import Foundation
import MCP
import ReelWatch
import ReelWatchMCP
import ReelWatchStore
import ReelWatchTestSupport
import Testing

/// MCP `wait` answers within a second of its `timeout_seconds` whatever the provider does, with what a timeout
/// always returns: the jobs still running. Real time, the CLI's request timeout and retries.
@Suite("MCP wait: the deadline", .timeLimit(.minutes(1)))
struct MCPDeadlineTests {
    /// It did not answer in 20 s: a bulk status request had 30 s and four retries, whatever the deadline.
    @Test("wait with timeout_seconds 3 against a host that accepts and never answers: answered at its deadline")
    func silentHost() async throws {
        let listener = try SilentListener()
        let clock = ContinuousClock()
        let client = StatusClient(
            configuration: Configuration(
                heygenBaseURL: BaseURL(listener.url)!, heraBaseURL: BaseURL(listener.url + "/hera")!,
                heygenAPIKey: APIKey("k")),
            clock: clock,
            wallClock: { Date() },
            rateLimiter: RateLimiter(clock: clock),
            logger: SimulatorHarness.quiet
        )
        let directory = NSTemporaryDirectory() + "reelwatch-mcp-deadline-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let environment = ToolEnvironment(
            client: client,
            downloader: Downloader(statusClient: client, transport: AsyncHTTPClientTransport()),
            followStore: { MemoryJobStore() },
            trackedStore: { () throws(ReelWatchError) -> any JobStore in
                try SQLiteJobStore(path: directory + "/reelwatch.sqlite")
            },
            resolveDirectory: { $0 },
            logger: SimulatorHarness.quiet
        )
        let (clientTransport, serverTransport) = await InMemoryTransport.createConnectedPair()
        try await serverTransport.connect()
        let mcp = Client(name: "reelwatch-tests", version: "1")
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await ReelWatchMCPServer(environment: environment).run(transport: serverTransport) }
            _ = try await mcp.connect(transport: clientTransport)
            let started = ContinuousClock.now
            let result = try await mcp.send(
                CallTool.request(.init(name: "wait", arguments: ["refs": ["heygen:x"], "timeout_seconds": 3]))
            ).value
            let elapsed = ContinuousClock.now - started
            await mcp.disconnect()
            try await group.waitForAll()
            // 3.3 s measured alone; the allowance is for the whole suite in parallel on two cores, where a timer can
            // fire seconds late (15 s seen with 574 tests; the old code took 157 s).
            #expect(elapsed < .seconds(3 + 30), "\(elapsed)")
            #expect(result.isError == false, "\(result)")
            #expect(result.structuredContent?.objectValue?["running"] == ["heygen:x"])
        }
        extendLifetime(listener)
    }
}
