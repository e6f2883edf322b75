import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ReelWatch
import ServiceLifecycle
import UnixSignals

/// Serves a ``Simulator`` over HTTP on loopback, speaking HeyGen's and Hera's APIs.
///
/// HeyGen is served under `/heygen` and Hera under `/hera/v1`, so both base URLs carry a path prefix
/// as real deployments behind gateways do; files are served under `/files`.
public struct SimulatorServer: Sendable {
    /// Where a running simulator can be reached.
    public struct Endpoint: Sendable, Hashable {
        /// The TCP port it listens on (127.0.0.1).
        public var port: Int
        /// The base URL to use as `REELWATCH_HEYGEN_URL`.
        public var heygenURL: String { "http://127.0.0.1:\(port)/heygen" }
        /// The base URL to use as `REELWATCH_HERA_URL`.
        public var heraURL: String { "http://127.0.0.1:\(port)/hera/v1" }
        /// The scheme and authority of the file links the simulator hands out.
        public var fileBase: String { "http://127.0.0.1:\(port)" }

        /// A configuration that points reelwatch at this simulator with `apiKey` for both providers.
        public func configuration(apiKey: String) -> Configuration {
            Configuration(
                heygenBaseURL: BaseURL(heygenURL)!,
                heraBaseURL: BaseURL(heraURL)!,
                heygenAPIKey: APIKey(apiKey),
                heraAPIKey: APIKey(apiKey)
            )
        }

        /// The environment variables that point reelwatch at this simulator.
        public func environment(apiKey: String) -> [String: String] {
            [
                "REELWATCH_HEYGEN_URL": heygenURL, "REELWATCH_HERA_URL": heraURL,
                "HEYGEN_API_KEY": apiKey, "HERA_API_KEY": apiKey,
            ]
        }
    }

    /// The simulator served.
    public let simulator: Simulator
    private let port: Int
    private let webhookInterval: Duration?
    private let webhookDestinations: (@Sendable () async -> [WebhookDestination])?
    private let wallClock: @Sendable () -> Date
    private let logger: Logger

    /// Creates a server for `simulator` on 127.0.0.1:`port` (0 for an ephemeral port).
    ///
    /// - Parameters:
    ///   - simulator: the simulator served.
    ///   - port: the port on 127.0.0.1; 0 for an ephemeral one.
    ///   - webhookInterval: how often a ``WebhookDispatcher`` delivers the events of ended renders while the
    ///     server runs; nil delivers none (a test then calls ``WebhookDispatcher/deliverDue()`` itself).
    ///   - webhookDestinations: where to deliver, asked every round; nil for the simulator's own.
    ///   - wallClock: the real date deliveries are stamped with.
    ///   - logger: the server's and the dispatcher's logger.
    public init(
        simulator: Simulator,
        port: Int = 0,
        webhookInterval: Duration? = .milliseconds(100),
        webhookDestinations: (@Sendable () async -> [WebhookDestination])? = nil,
        wallClock: @escaping @Sendable () -> Date = { Date() },
        logger: Logger
    ) {
        self.simulator = simulator
        self.port = port
        self.webhookInterval = webhookInterval
        self.webhookDestinations = webhookDestinations
        self.wallClock = wallClock
        self.logger = logger
    }

    /// Serves until one of `gracefulShutdownSignals` arrives or the task is cancelled, calling `onReady` once it
    /// is listening; delivers webhooks meanwhile.
    public func run(
        gracefulShutdownSignals: [UnixSignal] = [],
        onReady: @escaping @Sendable (Endpoint) async -> Void
    ) async throws {
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let group = makeGroup(gracefulShutdownSignals: gracefulShutdownSignals) { endpoint in
            continuation.yield(endpoint.port)
            await onReady(endpoint)
        }
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask {
                var iterator = ports.makeAsyncIterator()
                guard let port = await iterator.next() else { return }
                await deliverWebhooks(endpoint: Endpoint(port: port))
            }
            defer { continuation.finish() }
            do {
                try await group.run()
            } catch {
                tasks.cancelAll()
                throw error
            }
            tasks.cancelAll()
        }
    }

    /// Starts the server, runs `body` with its endpoint, and shuts the server down gracefully when `body`
    /// returns or throws; delivers webhooks while `body` runs.
    public func withRunning<Result: Sendable>(
        _ body: @Sendable (Endpoint) async throws -> Result
    ) async throws -> Result {
        try await LoopbackServer.withRunning(
            router: makeRouter(), port: port, serverName: Self.serverName, logger: logger
        ) { port in
            let endpoint = Endpoint(port: port)
            guard webhookInterval != nil else { return try await body(endpoint) }
            return try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { await deliverWebhooks(endpoint: endpoint) }
                defer { tasks.cancelAll() }
                return try await body(endpoint)
            }
        }
    }

    /// The dispatcher of this server's webhooks, for the simulator served at `endpoint`.
    public func webhookDispatcher(endpoint: Endpoint) -> WebhookDispatcher {
        WebhookDispatcher(
            simulator: simulator, fileBase: endpoint.fileBase, destinations: webhookDestinations,
            wallClock: wallClock, logger: logger)
    }

    /// Delivers webhooks every ``webhookInterval`` until cancelled; returns at once when there is no interval.
    private func deliverWebhooks(endpoint: Endpoint) async {
        guard let webhookInterval else { return }
        await webhookDispatcher(endpoint: endpoint).run(every: webhookInterval)
    }

    /// The `Server` header the simulator answers with.
    static let serverName = "reelwatch-simulator"

    private func makeGroup(
        gracefulShutdownSignals: [UnixSignal],
        onReady: @escaping @Sendable (Endpoint) async -> Void
    ) -> ServiceGroup {
        let app = Application(
            router: makeRouter(),
            configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: Self.serverName),
            onServerRunning: { channel in
                await onReady(Endpoint(port: channel.localAddress?.port ?? 0))
            },
            logger: logger
        )
        return ServiceGroup(
            configuration: .init(services: [app], gracefulShutdownSignals: gracefulShutdownSignals, logger: logger)
        )
    }

    private func makeRouter() -> Router<BasicRequestContext> {
        let router = Router()
        let simulator = self.simulator
        let bulkRoutes = SimulatedAPIs.all.compactMap { api in
            api.bulkRoute.map { (api.api, "/heygen" + $0.path, $0.idParameter) }
        }
        for (api, path, parameter) in bulkRoutes {
            router.get(RouterPath(path)) { request, _ in
                if let batches = request.uri.queryParameters.get("batch_ids") {
                    let answer = await simulator.batchBulkStatus(
                        api: api, batchIDs: batches.split(separator: ",").map { Self.decode(String($0)) },
                        token: request.uri.queryParameters.get("next_token"),
                        apiKey: request.headers[HTTPField.Name("x-api-key")!], userAgent: request.headers[.userAgent])
                    return Self.response(await simulator.announcing(answer, for: api))
                }
                let list = request.uri.queryParameters.get(parameter) ?? ""
                let ids = list.split(separator: ",").map { Self.decode(String($0)) }
                let answer = await simulator.bulkStatus(
                    api: api,
                    ids: ids,
                    apiKey: request.headers[HTTPField.Name("x-api-key")!],
                    userAgent: request.headers[.userAgent]
                )
                return Self.response(await simulator.announcing(answer, for: api))
            }
        }
        for api in SimulatedAPIs.all.map(\.api) {
            guard let path = Simulator.listPath(of: api) else { continue }
            router.get(RouterPath("/heygen" + path)) { request, _ in
                let query = request.uri.queryParameters
                let answer = await simulator.list(
                    api,
                    limit: query.get("limit"),
                    token: query.get("token"),
                    folderID: query.get("folder_id"),
                    title: query.get("title"),
                    apiKey: request.headers[HTTPField.Name("x-api-key")!],
                    userAgent: request.headers[.userAgent],
                    fileBase: "http://\(request.head.authority ?? "127.0.0.1")"
                )
                return Self.response(await simulator.announcing(answer, for: api))
            }
        }
        Self.addWebhookEndpointRoutes(to: router, simulator: simulator)
        router.get(RouterPath("/heygen" + Simulator.webhookEventsPath)) { request, _ in
            let query = request.uri.queryParameters
            return Self.response(
                await simulator.webhookEventList(
                    eventType: query.get("event_type"),
                    limit: query.get("limit"),
                    token: query.get("token"),
                    apiKey: request.headers[HTTPField.Name("x-api-key")!],
                    userAgent: request.headers[.userAgent],
                    fileBase: "http://\(request.head.authority ?? "127.0.0.1")"
                )
            )
        }
        for simulated in SimulatedAPIs.all {
            let api = simulated.api
            if let parameter = simulated.statusIDParameter {
                router.get(RouterPath(simulated.statusRoute)) { request, _ in
                    let id = request.uri.queryParameters.get(parameter) ?? ""
                    return try await Self.status(api, id: id, request: request, simulator: simulator)
                }
            } else {
                router.get(RouterPath(simulated.statusRoute)) { request, context in
                    try await Self.status(
                        api, id: context.parameters.require("id"), request: request, simulator: simulator)
                }
            }
            for route in simulated.extraRoutes {
                router.get(RouterPath(route.route)) { request, context in
                    let ref = JobRef(api: api, id: Self.decode(try context.parameters.require("id")))
                    let answer = await simulator.answer(
                        route, ref: ref, apiKey: request.headers[HTTPField.Name("x-api-key")!],
                        userAgent: request.headers[.userAgent],
                        fileBase: "http://\(request.head.authority ?? "127.0.0.1")")
                    return Self.response(await simulator.announcing(answer, for: api))
                }
            }
        }
        router.get("/files/:api/:id/:name") { request, context in
            guard let api = ProviderAPI(rawValue: try context.parameters.require("api")) else {
                return Response(status: .notFound)
            }
            let id = Self.decode(try context.parameters.require("id"))
            let name = try context.parameters.require("name")
            let url = "http://\(request.head.authority ?? "127.0.0.1")\(request.uri.description)"
            let plan = await simulator.file(
                ref: JobRef(api: api, id: id),
                name: name,
                url: url,
                range: request.headers[.range],
                ifRange: request.headers[.ifRange]
            )
            switch plan {
            case .error(let answer):
                return Self.response(answer)
            case .bytes(let bytes):
                return Self.fileResponse(bytes)
            }
        }
        return router
    }

    private static func status(
        _ api: ProviderAPI,
        id: String,
        request: Request,
        simulator: Simulator
    ) async throws -> Response {
        let ref = JobRef(api: api, id: decode(id))
        let authority = request.head.authority ?? "127.0.0.1"
        let answer = await simulator.status(
            ref: ref,
            apiKey: request.headers[HTTPField.Name("x-api-key")!],
            userAgent: request.headers[.userAgent],
            fileBase: "http://\(authority)",
            query: Dictionary(
                request.uri.queryParameters.map { (String($0.key), String($0.value)) },
                uniquingKeysWith: { first, _ in first })
        )
        if let delay = answer.delay {
            try await Task.sleep(for: delay)
        }
        return response(await simulator.announcing(answer, for: api))
    }

    /// Streams the planned bytes in 256 KiB chunks, never holding the file in memory.
    private static func fileResponse(_ plan: FilePlan.Bytes) -> Response {
        var headers: HTTPFields = [
            .contentType: plan.contentType, .eTag: plan.etag, .acceptRanges: "bytes",
        ]
        if plan.status == 206 {
            headers[.contentRange] = "bytes \(plan.range.lowerBound)-\(plan.range.upperBound)/\(plan.size)"
        }
        let length = plan.empty ? 0 : plan.range.count
        let body = ResponseBody(contentLength: length) { writer in
            // The content repeated past one chunk, so every chunk is a slice of it: written without a copy.
            let chunkSize = 256 * 1024
            let pattern = SimulatedFile.pattern(seed: plan.seed)
            let repeated = SimulatedFile.chunk(from: 0, count: SimulatedFile.period + chunkSize, pattern: pattern)
            var offset = plan.range.lowerBound
            var left = length
            var sent = 0
            while left > 0 {
                var count = min(chunkSize, left)
                if let drop = plan.dropAfter {
                    count = min(count, drop - sent)
                    if count <= 0 { throw DroppedConnection() }
                }
                guard let slice = repeated.getSlice(at: offset % SimulatedFile.period, length: count) else { break }
                try await writer.write(slice)
                if let pause = plan.chunkPause { try await Task.sleep(for: pause) }
                offset += count
                left -= count
                sent += count
            }
            try await writer.finish(nil)
        }
        return Response(status: .init(code: plan.status), headers: headers, body: body)
    }

    /// Thrown to cut a response short, as a dropped connection does.
    private struct DroppedConnection: Error {}

    private static func response(_ answer: SimulatorResponse) -> Response {
        var headers: HTTPFields = [.contentType: answer.contentType]
        for (name, value) in answer.headers {
            if let field = HTTPField.Name(name) { headers[field] = value }
        }
        return Response(
            status: .init(code: answer.status),
            headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: answer.body))
        )
    }

    private static func decode(_ text: String) -> String {
        text.removingPercentEncoding ?? text
    }
}
