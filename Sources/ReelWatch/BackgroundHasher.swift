import Crypto
import Dispatch
import NIOCore
import Synchronization

/// SHA-256 computed on its own serial queue, so that hashing a download runs beside receiving and writing it
/// instead of after each chunk on the same thread (on loopback, hashing inline cost a third of the throughput).
///
/// At most `backlog` bytes wait to be hashed; beyond that ``update(_:)`` waits for the queue to catch up.
final class BackgroundHasher: Sendable {
    private let queue = DispatchQueue(label: "reelwatch.download.sha256")
    private let state: Mutex<SHA256>
    private let pending = Atomic<Int>(0)
    private let backlog: Int

    init(_ hasher: SHA256, backlog: Int = 4 << 20) {
        self.state = Mutex(hasher)
        self.backlog = backlog
    }

    /// Hashes `chunk` after every chunk given before it.
    func update(_ chunk: ByteBuffer) {
        let count = chunk.readableBytes
        let waiting = pending.add(count, ordering: .relaxed).newValue
        queue.async { [self] in
            state.withLock { hasher in chunk.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) } }
            pending.subtract(count, ordering: .relaxed)
        }
        // Rare: the hasher fell far behind (the machine is starved); let it catch up before taking more.
        if waiting > backlog { queue.sync {} }
    }

    /// Starts over with `hasher` once the chunks given so far are hashed.
    func reset(to hasher: SHA256) {
        queue.async { [self] in state.withLock { $0 = hasher } }
    }

    /// The hash state once every chunk given so far is hashed.
    func drained() async -> SHA256 {
        await withCheckedContinuation { continuation in
            queue.async { [self] in continuation.resume(returning: state.withLock { $0 }) }
        }
    }
}
