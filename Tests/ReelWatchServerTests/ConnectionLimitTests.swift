import Foundation
import ReelWatchServer
import ReelWatchStore
import ReelWatchTestSupport
import ReelWatchWebhooks
import ServiceLifecycle
import Testing

/// `serve`'s application under connections no HTTP client makes — silent, half a head, a stalled body, one too
/// many — over raw loopback sockets, with short limits.
@Suite("WebhookServer connection limits")
struct ConnectionLimitTests {
    static let healthz = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    /// How long a read waits for what must come: long, since under the whole suite on two cores an answer the
    /// server owes can take seconds (a CI run saw one take more than five). Reads that must see nothing are short.
    static let patience = Duration.seconds(30)

    /// Runs `body` with the webhook application (a receiver on a fresh store) on an ephemeral port, held to `limits`.
    static func withApplication(
        _ limits: ConnectionLimits, _ body: @Sendable (Int) async throws -> Void
    ) async throws {
        let home = NSTemporaryDirectory() + "reelwatch-limits-\(UUID().uuidString)"
        let store = try SQLiteJobStore(path: home + "/reelwatch.sqlite")
        let receiver = WebhookReceiver(
            signature: try WebhookSignature(secrets: ["whsec_limits"]), store: store, news: nil,
            wallClock: { SimulatorHarness.epoch }, logger: SimulatorHarness.quiet)
        let (ports, portsContinuation) = AsyncStream.makeStream(of: Int.self)
        let server = WebhookServer.application(
            receiver: receiver, host: "127.0.0.1", port: 0, limits: limits, logger: SimulatorHarness.quiet
        ) { portsContinuation.yield($0) }
        let group = ServiceGroup(configuration: .init(services: [server], logger: SimulatorHarness.quiet))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            do {
                try await body(port)
            } catch {
                await group.triggerGracefulShutdown()
                throw error
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    @Test(
        "a connection with no complete head, or a stalled body, or idle after its answer, is closed after the idle timeout"
    )
    func idleTimeout() async throws {
        try await Self.withApplication(ConnectionLimits(idleTimeout: .seconds(1), maximumConnections: 16)) { port in
            let start = ContinuousClock.now
            let silent = try await RawConnection(port: port)
            let halfHead = try await RawConnection(port: port)
            try await halfHead.sendAll("POST /webhooks/heygen HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Le")
            let stalledBody = try await RawConnection(port: port)
            try await stalledBody.sendAll(
                "POST /webhooks/heygen HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n{\"event_type\"")
            let answered = try await RawConnection(port: port)
            try await answered.sendAll(Self.healthz)
            let answer = await answered.receiveAnswer(within: Self.patience)
            #expect(answer.text.hasPrefix("HTTP/1.1 200"))
            #expect(answer.text.hasSuffix("\r\n\r\nok\n"))
            #expect(!answer.closed)
            // A 1 s timeout: each closed (generous bounds: the suite runs hundreds of tests beside this one).
            for (name, connection) in [
                ("silent", silent), ("half a head", halfHead), ("stalled body", stalledBody),
                ("idle after its answer", answered),
            ] {
                let rest = await connection.receive(within: Self.patience)
                #expect(rest.closed, "\(name): still open")
                #expect(!rest.text.contains("200"), "\(name): \(rest.text)")
                if connection === silent {
                    // Not at once: the timeout counts from the connection, made after `start`.
                    #expect(ContinuousClock.now - start >= .seconds(1))
                }
            }
        }
    }

    @Test("a connection beyond the cap is closed at once; the connections served go on; a freed slot serves again")
    func connectionCap() async throws {
        #expect(
            [1024, 256, 20_000, 1, 0, -5].map { ConnectionLimits.maximumConnections(descriptorLimit: $0) }
                == [512, 128, 1024, 1, 1, 1])
        try await Self.withApplication(ConnectionLimits(idleTimeout: .seconds(60), maximumConnections: 2)) { port in
            // Two connections served and kept alive: both slots taken.
            let first = try await RawConnection(port: port)
            let second = try await RawConnection(port: port)
            for connection in [first, second] {
                try await connection.sendAll(Self.healthz)
                #expect(await connection.receiveAnswer(within: Self.patience).text.hasSuffix("\r\n\r\nok\n"))
            }
            // A third is closed at once, long before any timeout, with nothing read or answered.
            let third = try await RawConnection(port: port)
            let refused = await third.receive(within: Self.patience)
            #expect(refused.closed)
            #expect(refused.bytes.isEmpty)
            // The connections served are untouched.
            try await second.sendAll(Self.healthz)
            #expect(await second.receiveAnswer(within: Self.patience).text.hasSuffix("\r\n\r\nok\n"))
            // One closes: its slot serves a new connection (as soon as the server has seen it close).
            first.finish()
            var served = false
            for _ in 0..<100 where !served {
                let next = try await RawConnection(port: port)
                try? await next.sendAll(Self.healthz)
                served = await next.receiveAnswer(within: .seconds(2)).text.hasSuffix("\r\n\r\nok\n")
                if !served { try await Task.sleep(for: .milliseconds(50)) }
            }
            #expect(served)
        }
    }
}
