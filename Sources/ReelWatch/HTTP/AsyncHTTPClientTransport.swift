import AsyncHTTPClient
import HTTPTypes
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix

/// The default ``HTTPTransport``, on AsyncHTTPClient. It never follows a redirect by itself: status requests
/// carry an API key, and the ``StatusClient`` and ``Downloader`` decide which redirects to follow.
public struct AsyncHTTPClientTransport: HTTPTransport {
    private let client: HTTPClient
    /// The least a download must receive over a window before it is given up on as stalled.
    public var minimumProgress: MinimumProgress

    /// Uses `client`; the caller owns it and shuts it down. The default client follows no redirects.
    public init(client: HTTPClient = Self.sharedClient, minimumProgress: MinimumProgress = .default) {
        self.client = client
        self.minimumProgress = minimumProgress
    }

    /// A client for the life of the process that follows no redirects (`HTTPClient.shared` follows them, with
    /// every header but `Authorization` and cookies, to any host) and does not retry a connection that failed: a
    /// refused connection fails the request at once, and the ``RetryPolicy`` retries it with its backoff under the
    /// caller's deadline (AsyncHTTPClient's own retries held each attempt until its timeout, 10 s or more).
    public static let sharedClient: HTTPClient = {
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow)
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    /// The largest body ``send(_:timeout:)`` collects; a longer one fails with ``HTTPBody/TooLarge``.
    public static let largestCollectedBody = 16 << 20

    /// Sends `request` and collects its body, the whole exchange (connection, head and body) within `timeout`:
    /// a body that trickles in or never ends is cut off at the deadline.
    public func send(_ request: HTTPRequest, timeout: Duration) async throws -> (HTTPResponse, HTTPBody) {
        try await send(request, body: nil, timeout: timeout)
    }

    /// Sends `request` with `body` (nil for none; a body goes out as `application/json` unless the request names
    /// another `Content-Type`) and collects the answer, all within `timeout`.
    public func send(
        _ request: HTTPRequest, body: [UInt8]?, timeout: Duration
    ) async throws -> (HTTPResponse, HTTPBody) {
        var outgoing = try Self.outgoing(request)
        if let body {
            if !outgoing.headers.contains(name: "content-type") {
                outgoing.headers.add(name: "content-type", value: "application/json")
            }
            outgoing.body = .bytes(body)
        }
        let delegate = CollectingDelegate(limit: Self.largestCollectedBody)
        // AsyncHTTPClient's deadline ends the wait for a connection and a head (with the connection's own error
        // when it could not be made); once the head is in, this timer ends a body still arriving at it.
        let task = client.execute(request: outgoing, delegate: delegate, deadline: .now() + TimeAmount(timeout))
        let deadline = task.eventLoop.scheduleTask(in: TimeAmount(timeout)) {
            guard delegate.hasHead else { return }
            task.fail(reason: HTTPTransportError(.timedOut, "no answer within \(timeout.shortDescription)"))
        }
        defer { deadline.cancel() }
        let (head, body) = try await run(task, timeout: timeout)
        return (head, HTTPBody(bytes: body.readableBytesView))
    }

    /// How a client for downloads is set up: no automatic redirects (the ``Downloader`` checks each one's
    /// scheme), an idle read timeout of 30 s instead of a whole-request one, and socket reads of up to
    /// ``largestRead`` bytes.
    public static var downloadConfiguration: HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .seconds(10), read: .seconds(30))
        )
        let reads = AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 2048, maximum: largestRead)
        configuration.http1_1ConnectionDebugInitializer = { channel in
            channel.setOption(ChannelOptions.recvAllocator, value: reads)
        }
        configuration.http2ConnectionDebugInitializer = { channel in
            channel.setOption(ChannelOptions.recvAllocator, value: reads)
        }
        return configuration
    }

    /// The largest socket read of a download connection. NIO's default stops at 64 KiB; a busy connection
    /// reads up to this much at once instead (the allocator shrinks again when reads come back short).
    /// Measured on loopback with a 1 GiB file: the system time of a download fell from 1.35 s to 0.75 s.
    public static let largestRead = 1 << 20

    /// Streams the body into `sink` on AsyncHTTPClient's event loop, chunk by chunk, without a task hop per
    /// chunk (the async body sequence costs one hop each way per chunk, which halves loopback throughput).
    /// A transfer that receives less than ``minimumProgress`` over its window fails as timed out.
    public func receive(_ request: HTTPRequest, into sink: some BodySink) async throws -> (HTTPResponse, [UInt8]) {
        let outgoing = try Self.outgoing(request)
        let counter = ByteCounter()
        let delegate = SinkDelegate(sink: sink, counter: counter)
        let task = client.execute(request: outgoing, delegate: delegate)
        let progress = minimumProgress
        // Holds the counter, not the delegate: the sink (and the file it writes) is let go of with the request.
        let watchdog = task.eventLoop.scheduleRepeatedTask(
            initialDelay: TimeAmount(progress.window), delay: TimeAmount(progress.window)
        ) { _ in
            // Runs on the task's event loop, like the delegate's callbacks.
            if counter.takeCount() < progress.bytes {
                task.fail(reason: HTTPTransportError(.timedOut, "less than \(progress) arrived"))
            }
        }
        defer { watchdog.cancel() }
        do {
            return try await run(task)
        } catch let answer as UnwantedBody {
            return (answer.head, answer.excerpt)
        }
    }

    /// Waits for `task`, cancelling it with the calling task and naming timeouts in words.
    private func run<Response: Sendable>(
        _ task: HTTPClient.Task<Response>, timeout: Duration? = nil
    ) async throws -> Response {
        try await withTaskCancellationHandler {
            do {
                return try await task.futureResult.get()
            } catch let error as HTTPClientError where error == .readTimeout || error == .connectTimeout {
                throw HTTPTransportError(.timedOut, "no data for too long")
            } catch let error as HTTPClientError where error == .deadlineExceeded {
                throw HTTPTransportError(.timedOut, "no answer within \(timeout?.shortDescription ?? "the deadline")")
            } catch let error where Self.isRefused(error) {
                throw HTTPTransportError(.refused, "the connection was refused")
            }
        } onCancel: {
            task.cancel()
        }
    }

    /// Whether `error` says the connection was refused, so that nothing was sent.
    private static func isRefused(_ error: any Error) -> Bool {
        if let error = error as? NIOConnectionError {
            return !error.connectionErrors.isEmpty
                && error.connectionErrors.allSatisfy { ($0.error as? IOError)?.errnoCode == ECONNREFUSED }
        }
        return (error as? IOError)?.errnoCode == ECONNREFUSED
    }

    /// The AsyncHTTPClient request for `request`; a URL it cannot use is a connection error.
    private static func outgoing(_ request: HTTPRequest) throws -> HTTPClient.Request {
        var outgoing: HTTPClient.Request
        do {
            outgoing = try HTTPClient.Request(url: request.urlText, method: .init(rawValue: request.method.rawValue))
        } catch {
            throw HTTPTransportError(.connection, "cannot send a request to \(request.authority ?? "no host")")
        }
        for field in request.headerFields {
            outgoing.headers.add(name: field.name.rawName, value: field.value)
        }
        return outgoing
    }

    /// The response head in swift-http-types' terms.
    fileprivate static func head(_ head: HTTPResponseHead) -> HTTPResponse {
        var fields = HTTPFields()
        for header in head.headers {
            if let name = HTTPField.Name(header.name) { fields.append(HTTPField(name: name, value: header.value)) }
        }
        return HTTPResponse(status: .init(code: Int(head.status.code)), headerFields: fields)
    }
}

/// The least a download must receive in each window of time; slower, it is cut off and retried.
public struct MinimumProgress: Sendable, Hashable, CustomStringConvertible {
    /// Bytes that must arrive in each window.
    public var bytes: Int64
    /// The window.
    public var window: Duration

    /// Creates a minimum of `bytes` every `window`.
    public init(bytes: Int64, window: Duration) {
        self.bytes = bytes
        self.window = window
    }

    /// 1 KiB/s over a minute: 60 KiB in every 60 s.
    public static let `default` = MinimumProgress(bytes: 60 << 10, window: .seconds(60))

    /// `61440 bytes in 60s`.
    public var description: String { "\(bytes) bytes in \(window.shortDescription)" }
}

/// Body bytes received since the progress watchdog last looked; touched only on the request's event loop.
private final class ByteCounter: @unchecked Sendable {
    private var count: Int64 = 0

    func add(_ bytes: Int) { count += Int64(bytes) }

    /// The bytes counted since the last call.
    func takeCount() -> Int64 {
        defer { count = 0 }
        return count
    }
}

/// Ends a transfer whose body is not wanted (an error page) once its excerpt is full, with what was read.
private struct UnwantedBody: Error {
    var head: HTTPResponse
    var excerpt: [UInt8]
}

/// Collects a response body up to a limit, on the event loop.
private final class CollectingDelegate: HTTPClientResponseDelegate, @unchecked Sendable {
    typealias Response = (HTTPResponse, ByteBuffer)

    // Touched only on the request's event loop, one callback at a time.
    private let limit: Int
    private var head: HTTPResponse?
    private var body = ByteBuffer()

    init(limit: Int) { self.limit = limit }

    /// Whether the head has arrived (read on the event loop).
    var hasHead: Bool { head != nil }

    func didReceiveHead(task: HTTPClient.Task<Response>, _ head: HTTPResponseHead) -> EventLoopFuture<Void> {
        self.head = AsyncHTTPClientTransport.head(head)
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didReceiveBodyPart(task: HTTPClient.Task<Response>, _ buffer: ByteBuffer) -> EventLoopFuture<Void> {
        guard body.readableBytes + buffer.readableBytes <= limit else {
            return task.eventLoop.makeFailedFuture(HTTPBody.TooLarge(limit: limit))
        }
        var buffer = buffer
        body.writeBuffer(&buffer)
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didFinishRequest(task: HTTPClient.Task<Response>) throws -> Response {
        guard let head else { throw HTTPTransportError(.connection, "the connection closed before an answer") }
        return (head, body)
    }
}

/// Feeds a response body to a ``BodySink`` from the event loop.
private final class SinkDelegate<Sink: BodySink>: HTTPClientResponseDelegate, @unchecked Sendable {
    typealias Response = (HTTPResponse, [UInt8])

    // Touched only on the request's event loop, one callback at a time.
    private let sink: Sink
    private var head: HTTPResponse?
    private var accepted = false
    private var excerpt: [UInt8] = []
    /// Counts the body bytes for the progress watchdog.
    private let counter: ByteCounter

    init(sink: Sink, counter: ByteCounter) {
        self.sink = sink
        self.counter = counter
    }

    func didReceiveHead(task: HTTPClient.Task<Response>, _ head: HTTPResponseHead) -> EventLoopFuture<Void> {
        let response = AsyncHTTPClientTransport.head(head)
        self.head = response
        accepted = sink.accept(response)
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didReceiveBodyPart(task: HTTPClient.Task<Response>, _ buffer: ByteBuffer) -> EventLoopFuture<Void> {
        counter.add(buffer.readableBytes)
        if accepted {
            do {
                try sink.consume(buffer)
            } catch {
                return task.eventLoop.makeFailedFuture(error)
            }
        } else if excerpt.count < 64 * 1024 {
            excerpt += buffer.readableBytesView.prefix(64 * 1024 - excerpt.count)
        } else if let head {
            // Not a file body, and longer than anything worth reading: stop here with what was read.
            return task.eventLoop.makeFailedFuture(UnwantedBody(head: head, excerpt: excerpt))
        }
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didFinishRequest(task: HTTPClient.Task<Response>) throws -> Response {
        guard let head else { throw HTTPTransportError(.connection, "the connection closed before an answer") }
        return (head, excerpt)
    }
}
