import Foundation
import ReelWatchTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Many connections opened at once to a port and left idle — every other one after half a request head — as a
/// client that never finishes would: counts how many the server closes, and when the last one was.
struct ConnectionStorm {
    /// What the storm saw.
    struct Outcome: Sendable {
        /// Connections made (or whose connecting failed).
        var connected = 0
        /// Connections the server closed (or whose connecting failed).
        var closed = 0
        /// When the last was closed, from the start of the storm.
        var lastClosed: Duration = .zero
    }

    /// Raises this process's soft limit of open descriptors to at least `count` (up to its hard limit); false if the
    /// hard limit is lower.
    static func allowDescriptors(_ count: Int) -> Bool {
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return false }
        if limit.rlim_cur >= rlim_t(count) { return true }
        guard limit.rlim_max >= rlim_t(count) else { return false }
        limit.rlim_cur = rlim_t(count)
        return setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0
    }

    /// Opens `count` connections to 127.0.0.1:`port` and holds them until the server has closed all of them or
    /// `within` has passed; then closes what is left.
    static func run(port: Int, count: Int, within: Duration) async throws -> Outcome {
        let clock = ContinuousClock()
        let start = clock.now
        var descriptors: [Int32] = []
        defer { for descriptor in descriptors where descriptor >= 0 { close(descriptor) } }
        for _ in 0..<count { descriptors.append(try RawConnection.startConnecting(port: port)) }
        var connected = [Bool](repeating: false, count: count)
        var outcome = Outcome()
        let halfHead = Array("POST /webhooks/heygen HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Le".utf8)
        var buffer = [UInt8](repeating: 0, count: 4096)
        while outcome.closed < count, clock.now - start < within {
            let open = descriptors.indices.filter { descriptors[$0] >= 0 }
            var entries = open.map { index in
                pollfd(
                    fd: descriptors[index], events: Int16(POLLIN) | (connected[index] ? 0 : Int16(POLLOUT)),
                    revents: 0)
            }
            guard poll(&entries, nfds_t(entries.count), 0) >= 0 else { throw RawConnection.Failure("poll") }
            for (index, entry) in zip(open, entries) where entry.revents != 0 {
                if entry.revents & Int16(POLLOUT) != 0, !connected[index] {
                    connected[index] = true
                    outcome.connected += 1
                    if index.isMultiple(of: 2) {
                        _ = halfHead.withUnsafeBytes { send(entry.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                    }
                }
                guard entry.revents & Int16(POLLIN | POLLHUP | POLLERR) != 0 else { continue }
                let read = buffer.withUnsafeMutableBytes { recv(entry.fd, $0.baseAddress, $0.count, 0) }
                if read == 0 || (read < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
                    close(entry.fd)
                    descriptors[index] = -1
                    outcome.closed += 1
                    outcome.lastClosed = clock.now - start
                }
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        return outcome
    }
}
