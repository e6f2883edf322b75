import Dispatch
import Foundation
import Logging
import MCP

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The MCP stdio transport of `reelwatch mcp`: one JSON-RPC message a line on stdin and stdout, read in large
/// chunks and split in linear time, with a cap on the length of a request line.
///
/// The SDK's `StdioTransport` rescans all it holds after every 4 KiB read (a 1 MiB line took 10.7 s, 4 MiB two
/// minutes) and leaves stdin and stdout non-blocking when it exits. This one reads on a thread of its own with
/// blocking `poll` and `read`, so the descriptors' flags stay as they were inherited (and their `O_NONBLOCK` flag is
/// set back to what it was at ``connect()`` on ``disconnect()`` all the same). A line longer than ``lineLimit`` is
/// answered with a JSON-RPC error (`-32600`, id null: the request's id was never read) and skipped up to its
/// newline; the session goes on.
public actor StdioLineTransport: Transport {
    /// Where the transport reports what it refused.
    public nonisolated let logger: Logger
    /// The longest request line accepted, in bytes.
    public nonisolated let lineLimit: Int

    private let input: Int32
    private let writer: StdioWriter
    private let messages: AsyncThrowingStream<Data, any Error>
    private let continuation: AsyncThrowingStream<Data, any Error>.Continuation
    /// Each descriptor's file status flags at ``connect()``.
    private var savedFlags: [(descriptor: Int32, flags: Int32)] = []
    /// The write end of the pipe whose closing wakes the reading thread.
    private var wakeWriter: Int32?
    private var connected = false

    /// The default ``lineLimit``: 4 MiB.
    public static let defaultLineLimit = 4 << 20

    /// Creates a transport over `input` and `output` (stdin and stdout by default).
    public init(
        input: Int32 = STDIN_FILENO,
        output: Int32 = STDOUT_FILENO,
        lineLimit: Int = defaultLineLimit,
        logger: Logger
    ) {
        self.input = input
        self.writer = StdioWriter(descriptor: output)
        self.lineLimit = lineLimit
        self.logger = logger
        (messages, continuation) = AsyncThrowingStream.makeStream()
    }

    /// Saves the descriptors' flags and starts reading.
    public func connect() async throws {
        guard !connected else { return }
        savedFlags = [input, writer.descriptor].compactMap { descriptor in
            let flags = fcntl(descriptor, F_GETFL)
            return flags < 0 ? nil : (descriptor, flags)
        }
        var wake: [Int32] = [-1, -1]
        guard pipe(&wake) == 0 else { throw MCPError.transportError(Self.systemError()) }
        wakeWriter = wake[1]
        connected = true
        let reader = StdioReader(
            input: input, wake: wake[0], lineLimit: lineLimit, writer: writer, continuation: continuation,
            logger: logger)
        let thread = Thread { reader.run() }
        thread.name = "reelwatch-mcp-stdin"
        thread.start()
    }

    /// Stops reading, ends the message stream and sets the descriptors' `O_NONBLOCK` flags back to what they were.
    public func disconnect() async {
        guard connected else { return }
        connected = false
        // The reading thread sees the pipe hang up and stops.
        if let wakeWriter { close(wakeWriter) }
        wakeWriter = nil
        continuation.finish()
        for (descriptor, flags) in savedFlags {
            let current = fcntl(descriptor, F_GETFL)
            guard current >= 0, current & O_NONBLOCK != flags & O_NONBLOCK else { continue }
            _ = fcntl(descriptor, F_SETFL, (current & ~O_NONBLOCK) | (flags & O_NONBLOCK))
        }
    }

    /// Writes `data` and a newline. When the client has closed its end of the output (`EPIPE`: the process ignores
    /// `SIGPIPE`), nobody can read an answer any more: the session ends, as when the input ends.
    public func send(_ data: Data) async throws {
        guard connected else { throw MCPError.transportError(Self.systemError(code: ENOTCONN)) }
        var line = [UInt8](data)
        line.append(0x0A)
        do {
            try await writer.send(line)
        } catch let error as MCPError {
            if case .transportError(let cause) = error, (cause as? POSIXError)?.code == .EPIPE {
                logger.notice("the client closed its end of the output; ending the session")
                await disconnect()
            }
            throw error
        }
    }

    /// The messages read, one a line.
    public func receive() -> AsyncThrowingStream<Data, any Error> {
        messages
    }

    /// The error `errno` (or `code`) says.
    static func systemError(code: Int32 = errno) -> any Error {
        POSIXError(POSIXErrorCode(rawValue: code) ?? .EIO)
    }
}

/// Writes whole messages to one descriptor, one at a time and in the order asked, on a queue of its own (so a
/// client slow to read holds no thread of Swift's concurrency pool).
final class StdioWriter: Sendable {
    /// Where the messages go.
    let descriptor: Int32
    private let queue = DispatchQueue(label: "reelwatch.mcp.stdout")

    init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    /// Writes `bytes` and returns once they are all written.
    func send(_ bytes: [UInt8]) async throws {
        let descriptor = self.descriptor
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            queue.async {
                continuation.resume(with: Result { try Self.writeAll(bytes, to: descriptor) })
            }
        }
    }

    /// Writes `bytes` after what is already queued, without waiting for them to be written.
    func post(_ bytes: [UInt8]) {
        let descriptor = self.descriptor
        queue.async { try? Self.writeAll(bytes, to: descriptor) }
    }

    /// Writes all of `bytes`, waiting for room when the descriptor is non-blocking and full.
    private static func writeAll(_ bytes: [UInt8], to descriptor: Int32) throws {
        try bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written >= 0 {
                    offset += written
                    continue
                }
                switch errno {
                case EINTR:
                    continue
                case EAGAIN, EWOULDBLOCK:
                    var ready = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
                    _ = poll(&ready, 1, -1)
                default:
                    throw MCPError.transportError(StdioLineTransport.systemError())
                }
            }
        }
    }
}

/// Reads the input on a thread of its own until it ends or the wake pipe hangs up, handing each line to the
/// message stream and answering a line that is too long.
private struct StdioReader: Sendable {
    let input: Int32
    /// The read end of the wake pipe; closed when reading stops.
    let wake: Int32
    let lineLimit: Int
    let writer: StdioWriter
    let continuation: AsyncThrowingStream<Data, any Error>.Continuation
    let logger: Logger

    /// The most read at once.
    static let chunkSize = 1 << 18

    func run() {
        defer {
            close(wake)
            continuation.finish()
        }
        var framer = LineFramer(limit: lineLimit)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.chunkSize, alignment: 1)
        defer { buffer.deallocate() }
        let refusal = Self.refusal(limit: lineLimit)
        while true {
            var ready = [
                pollfd(fd: input, events: Int16(POLLIN), revents: 0),
                pollfd(fd: wake, events: Int16(POLLIN), revents: 0),
            ]
            guard poll(&ready, 2, -1) >= 0 else {
                if errno == EINTR { continue }
                return continuation.finish(throwing: MCPError.transportError(StdioLineTransport.systemError()))
            }
            if ready[1].revents != 0 { return }
            let count = read(input, buffer.baseAddress, buffer.count)
            if count == 0 {
                logger.debug("stdin closed")
                return
            }
            guard count > 0 else {
                if errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK { continue }
                return continuation.finish(throwing: MCPError.transportError(StdioLineTransport.systemError()))
            }
            framer.feed(UnsafeRawBufferPointer(rebasing: buffer[..<count])) { event in
                switch event {
                case .line(let line):
                    continuation.yield(Data(line))
                case .tooLong:
                    logger.warning(
                        "refused a request line longer than the limit",
                        metadata: ["mcp.line_limit": "\(lineLimit)"])
                    writer.post(refusal)
                }
            }
        }
    }

    /// The JSON-RPC error line that answers a request line longer than `limit`.
    static func refusal(limit: Int) -> [UInt8] {
        let size = limit % (1 << 20) == 0 ? "\(limit >> 20) MiB" : "\(limit) bytes"
        let message = "request line too long (limit \(size))"
        return Array(
            #"{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"\#(message)"}}"#.utf8) + [0x0A]
    }
}
