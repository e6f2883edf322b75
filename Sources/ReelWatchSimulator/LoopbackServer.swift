import Hummingbird
import Logging
import ServiceLifecycle

/// Serves a Hummingbird router on 127.0.0.1 for as long as a closure runs: the simulator's, and any scripted
/// server a test needs.
public enum LoopbackServer {
    /// Starts serving `router` on 127.0.0.1:`port` (0 for an ephemeral port), runs `body` with the port it
    /// listens on, and shuts the server down gracefully when `body` returns or throws (answers in flight end as
    /// their clients hang up).
    public static func withRunning<Result: Sendable>(
        router: Router<BasicRequestContext>,
        port: Int = 0,
        serverName: String,
        logger: Logger,
        _ body: @Sendable (Int) async throws -> Result
    ) async throws -> Result {
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: serverName),
            onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) },
            logger: logger
        )
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw CancellationError() }
            let result: Result
            do {
                result = try await body(port)
            } catch {
                await group.triggerGracefulShutdown()
                throw error
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return result
        }
    }
}
