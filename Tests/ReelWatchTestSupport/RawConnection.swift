import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A TCP connection to a loopback port, written and read byte by byte: for sending what no HTTP client sends
/// (nothing at all, half a head, a body shorter than its `Content-Length`) and seeing exactly what comes back. The
/// socket is non-blocking: waiting is a `Task.sleep`, never a blocked thread (the server under test may need it).
public final class RawConnection {
    /// What a read saw.
    public struct Received: Sendable {
        /// The bytes read.
        public var bytes: [UInt8]
        /// Whether the server closed the connection (end of stream, or a reset) before the read ended.
        public var closed: Bool
        /// The bytes read, as text.
        public var text: String { String(decoding: bytes, as: UTF8.self) }
    }

    /// A socket call that failed, with its `errno`.
    public struct Failure: Error, CustomStringConvertible {
        /// What failed, and why.
        public let description: String

        /// The failure of `call` with the error `code`.
        public init(_ call: String, _ code: Int32 = errno) {
            description = "\(call): \(String(cString: strerror(code)))"
        }
    }

    /// The socket's descriptor.
    public let descriptor: Int32

    /// Connects to 127.0.0.1:`port`, waiting up to `within` for the connection to be made.
    public init(port: Int, within: Duration = .seconds(5)) async throws {
        descriptor = try Self.startConnecting(port: port)
        let deadline = ContinuousClock.now + within
        while true {
            var entry = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
            if poll(&entry, 1, 0) == 1 {
                var code: Int32 = 0
                var length = socklen_t(MemoryLayout<Int32>.size)
                getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &code, &length)
                guard code == 0 else {
                    close(descriptor)
                    throw Failure("connect", code)
                }
                return
            }
            guard ContinuousClock.now < deadline else {
                close(descriptor)
                throw Failure("connect", ETIMEDOUT)
            }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    deinit {
        close(descriptor)
    }

    /// A non-blocking socket connecting to 127.0.0.1:`port` (the connection may not be made yet).
    public static func startConnecting(port: Int) throws -> Int32 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw Failure("socket") }
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        let started = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard started == 0 || errno == EINPROGRESS else {
            let failure = Failure("connect")
            close(descriptor)
            throw failure
        }
        return descriptor
    }

    /// Sends `text`.
    public func sendAll(_ text: String, within: Duration = .seconds(10)) async throws {
        try await sendAll(Array(text.utf8), within: within)
    }

    /// Sends all of `bytes`, waiting while the socket's buffer is full, for up to `within` in all.
    public func sendAll(_ bytes: [UInt8], within: Duration = .seconds(10)) async throws {
        let deadline = ContinuousClock.now + within
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { buffer in
                send(descriptor, buffer.baseAddress, buffer.count, Int32(MSG_NOSIGNAL))
            }
            if count > 0 {
                sent += count
            } else if errno == EAGAIN || errno == EWOULDBLOCK {
                guard ContinuousClock.now < deadline else { throw Failure("send", ETIMEDOUT) }
                try await Task.sleep(for: .milliseconds(2))
            } else {
                throw Failure("send")
            }
        }
    }

    /// Reads one whole HTTP answer (its head and the `Content-Length` bytes of body after it), or what came before
    /// the server closed the connection or `within` passed.
    public func receiveAnswer(within: Duration) async -> Received {
        await receive(within: within, until: Self.isWholeAnswer)
    }

    /// Whether `bytes` hold an HTTP answer's head and the `Content-Length` bytes of body after it.
    public static func isWholeAnswer(_ bytes: [UInt8]) -> Bool {
        let separator = Array("\r\n\r\n".utf8)
        guard let end = bytes.indices.dropLast(3).first(where: { bytes[$0..<$0 + 4].elementsEqual(separator) })
        else { return false }
        let head = String(decoding: bytes[..<end], as: UTF8.self).lowercased()
        let length =
            head.split(separator: "\r\n").lazy.compactMap { line -> Int? in
                guard line.hasPrefix("content-length:") else { return nil }
                return Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces))
            }.first ?? 0
        return bytes.count >= end + 4 + length
    }

    /// Closes the connection for both directions (the server reads its end), keeping the descriptor until deinit.
    public func finish() {
        shutdown(descriptor, Int32(SHUT_RDWR))
    }

    /// Reads until `done` holds for all that was read, the server closes the connection, or `within` passes.
    public func receive(within: Duration, until done: ([UInt8]) -> Bool = { _ in false }) async -> Received {
        let deadline = ContinuousClock.now + within
        var received = Received(bytes: [], closed: false)
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while !done(received.bytes) {
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                received.bytes += buffer[..<count]
            } else if count == 0 || (errno != EAGAIN && errno != EWOULDBLOCK) {
                received.closed = true
                return received
            } else {
                guard ContinuousClock.now < deadline else { return received }
                try? await Task.sleep(for: .milliseconds(5))
            }
        }
        return received
    }
}
