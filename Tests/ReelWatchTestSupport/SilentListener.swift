#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A host that accepts connections and never answers: a socket listening on 127.0.0.1 (an ephemeral port) that
/// nobody reads, so the kernel completes every connection and takes the request, and no byte ever comes back.
/// Closed when the last reference goes.
public final class SilentListener: Sendable {
    /// The port it listens on.
    public let port: Int
    private let descriptor: Int32

    /// Starts listening; throws `SilentListener.Failure` naming the call that failed.
    public init() throws(Failure) {
        let (descriptor, port) = try Self.boundSocket()
        guard listen(descriptor, 64) == 0 else {
            close(descriptor)
            throw Failure(call: "listen", code: errno)
        }
        self.descriptor = descriptor
        self.port = port
    }

    deinit { close(descriptor) }

    /// The base URL of the host: `http://127.0.0.1:PORT`.
    public var url: String { "http://127.0.0.1:\(port)" }

    /// A port on 127.0.0.1 that refuses connections: one the system just gave out and nobody listens on.
    public static func refusedPort() throws(Failure) -> Int {
        let (descriptor, port) = try boundSocket()
        close(descriptor)
        return port
    }

    /// A socket bound to 127.0.0.1 on an ephemeral port, and the port.
    private static func boundSocket() throws(Failure) -> (Int32, Int) {
        #if canImport(Glibc)
            let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
            let descriptor = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard descriptor >= 0 else { throw Failure(call: "socket", code: errno) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                bind(descriptor, address, length) == 0 && getsockname(descriptor, address, &length) == 0
            }
        }
        guard bound else {
            let code = errno
            close(descriptor)
            throw Failure(call: "bind", code: code)
        }
        return (descriptor, Int(UInt16(bigEndian: address.sin_port)))
    }

    /// A socket call that failed.
    public struct Failure: Error, CustomStringConvertible {
        /// The call.
        public var call: String
        /// Its `errno`.
        public var code: Int32

        /// `bind: errno 98`.
        public var description: String { "\(call): errno \(code)" }
    }
}
