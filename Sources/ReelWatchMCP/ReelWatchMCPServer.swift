import MCP
import ReelWatch

/// reelwatch's MCP server: the tools `status`, `wait`, `download`, `track`, `untrack` and `list_tracked`, run on
/// the same engine, configuration and job store as the CLI.
public struct ReelWatchMCPServer: Sendable {
    /// What the tools run against.
    public let environment: ToolEnvironment

    /// What the server tells a client about itself when it connects.
    static let instructions = """
        Follows HeyGen and Hera video renders from job ID to verified files on disk. To wait for a render, call \
        wait once (with download_dir to save its files) instead of calling status in a loop; a wait that times out \
        lists the jobs still running: call wait again with them.
        """

    /// Creates a server.
    public init(environment: ToolEnvironment) {
        self.environment = environment
    }

    /// Serves one client over `transport` until it goes away, then cancels the tool calls still running and returns
    /// once they have stopped (downloads cut short keep their `.part` to resume from).
    public func run(transport: any Transport) async throws {
        let server = Server(
            name: "reelwatch",
            version: ReelWatchVersion.current,
            title: "reelwatch",
            instructions: Self.instructions,
            capabilities: .init(tools: .init(listChanged: false))
        )
        let calls = SessionCalls()
        let tools = ToolCalls(environment: environment)
        await server.withMethodHandler(ListTools.self) { _ in ListTools.Result(tools: ToolCatalog.all) }
        await server.withMethodHandler(CallTool.self) { [weak server] parameters in
            // Held strongly for the length of the call only (the server holds this handler).
            let server = server
            let progress: FollowLog.ProgressSink? = parameters._meta?.progressToken.map { token in
                { progress, total, message in
                    let notification = ProgressNotification.message(
                        .init(progressToken: token, progress: progress, total: total, message: message))
                    // A client that went away stops the call through the session; nothing to do here.
                    try? await server?.notify(notification)
                }
            }
            return try await calls.perform {
                try await tools.call(parameters.name, arguments: parameters.arguments, progress: progress)
            }
        }
        try await server.start(transport: transport)
        await server.waitUntilCompleted()
        await calls.end()
        await server.stop()
    }
}
