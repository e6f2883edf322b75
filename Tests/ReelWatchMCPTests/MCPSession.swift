import Foundation
import Logging
import MCP
import ReelWatch
import ReelWatchDaemon
import ReelWatchMCP
import ReelWatchSimulator
import ReelWatchStore
import ReelWatchTestSupport
import ReelWatchTesting

/// An MCP client connected in memory to a reelwatch server whose engine polls the simulator over loopback HTTP on
/// a manual clock (which also drives the simulator's time), with a job store of its own.
struct MCPSession: Sendable {
    let client: Client
    let simulator: Simulator
    let clock: ManualClock
    /// A fresh directory for downloads and the job store.
    let directory: String
    /// The progress notifications received so far.
    let progress: ProgressRecorder

    /// A fixed date for simulated time zero.
    static let epoch = Date(timeIntervalSince1970: 1_800_000_000)

    /// Runs a simulator holding `jobs` and a connected session, runs `body`, then disconnects and waits for the
    /// server to stop (so every test also checks that a client going away ends the session).
    static func run<Result: Sendable>(
        _ jobs: [SimulatedJob],
        apiKey: String? = nil,
        _ body: @Sendable (MCPSession) async throws -> Result
    ) async throws -> Result {
        let simulator = Simulator(timeScale: 0, epoch: epoch)
        await simulator.add(jobs)
        let clock = ManualClock()
        let directory = NSTemporaryDirectory() + "reelwatch-mcp-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        return try await SimulatorServer(simulator: simulator, logger: SimulatorHarness.quiet).withRunning {
            endpoint in
            var configuration = endpoint.configuration(apiKey: apiKey ?? simulator.apiKey)
            if apiKey == "" {
                configuration.heygenAPIKey = nil
                configuration.heraAPIKey = nil
            }
            let statusClient = StatusClient(
                configuration: configuration,
                retryPolicy: RetryPolicy(maxRetries: 2, baseDelay: .seconds(1), maxDelay: .seconds(8)),
                clock: clock,
                random: { 0.5 },
                wallClock: { epoch.addingTimeInterval(clock.now.offset.secondsValue) },
                logger: SimulatorHarness.quiet
            )
            let storePath = directory + "/reelwatch.sqlite"
            let environment = ToolEnvironment(
                client: statusClient,
                downloader: Downloader(statusClient: statusClient, transport: AsyncHTTPClientTransport()),
                watch: WatchOptions(timeout: .seconds(1800), minDelay: .seconds(5), maxDelay: .seconds(60)),
                followStore: { MemoryJobStore() },
                trackedStore: { () throws(ReelWatchError) -> any JobStore in try SQLiteJobStore(path: storePath) },
                resolveDirectory: { $0.hasPrefix("/") ? $0 : directory + "/" + $0 },
                logger: SimulatorHarness.quiet
            )
            let trace = ProcessInfo.processInfo.environment["MCP_TEST_TRACE"] != nil
            var traceLogger = Logger(label: "session-\(UUID().uuidString.prefix(6))") { label in
                StreamLogHandler.standardError(label: label)
            }
            traceLogger.logLevel = .trace
            let (clientTransport, serverTransport) = await InMemoryTransport.createConnectedPair(
                logger: trace ? traceLogger : nil)
            // Connected before the client says anything: an in-memory transport drops what arrives before it is.
            try await serverTransport.connect()
            let client = Client(name: "reelwatch-tests", version: "1")
            let recorder = ProgressRecorder()
            await client.onNotification(ProgressNotification.self) { message in await recorder.add(message.params) }
            return try await withThrowingTaskGroup(of: Result?.self) { group in
                group.addTask {
                    try await ReelWatchMCPServer(environment: environment).run(transport: serverTransport)
                    return nil
                }
                _ = try await client.connect(transport: clientTransport)
                let session = MCPSession(
                    client: client, simulator: simulator, clock: clock, directory: directory, progress: recorder)
                let result: Result
                do {
                    result = try await body(session)
                } catch {
                    await client.disconnect()
                    throw error
                }
                await client.disconnect()
                while let next = try await group.next() { if next != nil { break } }
                return result
            }
        }
    }

    /// Calls `tool` and returns its whole result (structured content included).
    func call(
        _ tool: String, _ arguments: [String: Value], progressToken: ProgressToken? = nil
    ) async throws
        -> CallTool.Result
    {
        try await start(tool, arguments, progressToken: progressToken).value
    }

    /// Sends a call of `tool` without waiting for its answer.
    func start(
        _ tool: String, _ arguments: [String: Value], progressToken: ProgressToken? = nil
    ) async throws
        -> RequestContext<CallTool.Result>
    {
        let meta = progressToken.map { Metadata(progressToken: $0) }
        return try await client.send(CallTool.request(.init(name: tool, arguments: arguments, meta: meta)))
    }

    /// Advances the clock (and the simulator) to the earliest sleep each time one starts, until cancelled.
    func drive() -> Task<Void, Never> {
        let (clock, simulator) = (self.clock, self.simulator)
        return Task {
            while !Task.isCancelled {
                guard let next = clock.sleeperDeadlines.first else {
                    try? await Task.sleep(for: .milliseconds(1))
                    continue
                }
                await simulator.advance(by: clock.now.duration(to: next))
                clock.advance(to: next)
            }
        }
    }
}

/// The progress notifications a client received.
actor ProgressRecorder {
    private(set) var received: [ProgressNotification.Parameters] = []

    func add(_ parameters: ProgressNotification.Parameters) { received.append(parameters) }
}

extension Value {
    /// The member `key` of an object.
    subscript(key: String) -> Value? { objectValue?[key] }

    /// The elements of an array, or none.
    var elements: [Value] { arrayValue ?? [] }
}

extension CallTool.Result {
    /// The error code of a failed call's envelope.
    var errorCode: String? { structuredContent?["error"]?["code"]?.stringValue }

    /// The whole result as the JSON the client received.
    var json: String {
        (try? JSONEncoder().encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    /// The text content, joined.
    var text: String {
        content.compactMap { content -> String? in
            if case .text(let text, _, _) = content { return text }
            return nil
        }.joined(separator: "\n")
    }
}
