import Crypto
import Dispatch
import NIOCore
import Synchronization

/// SHA-256 computed on its own serial queue, so that hashing a download runs beside receiving and writing it
/// instead of after each chunk on the same thread (on loopback, hashing inline cost a third of the throughput).
///
/// At most `backlog` bytes wait on the queue; beyond that ``update(_:)`` waits for it to catch up.
final class BackgroundHasher: Sendable {
    private let queue = DispatchQueue(label: "reelwatch.download.sha256")
    private let state: Mutex<SHA256>
    private let pending = Atomic<Int>(0)
    private let backlog: Int
    /// Chunks not yet handed to the queue: they go over together once they add up to ``handOver`` bytes, so the
    /// queue wakes once per megabyte rather than once per network read.
    private let gathered = Mutex<(chunks: [ByteBuffer], bytes: Int)>(([], 0))
    private let handOver: Int

    init(_ hasher: SHA256, backlog: Int = 4 << 20, handOver: Int = 1 << 20) {
        self.state = Mutex(hasher)
        self.backlog = backlog
        self.handOver = handOver
    }

    /// Hashes `chunk` after every chunk given before it.
    func update(_ chunk: ByteBuffer) {
        let batch = gathered.withLock { gathered -> [ByteBuffer]? in
            gathered.chunks.append(chunk)
            gathered.bytes += chunk.readableBytes
            guard gathered.bytes >= handOver else { return nil }
            defer { gathered = ([], 0) }
            return gathered.chunks
        }
        if let batch { send(batch) }
    }

    /// Hands the chunks gathered so far to the queue.
    private func flush() {
        let batch = gathered.withLock { gathered in
            defer { gathered = ([], 0) }
            return gathered.chunks
        }
        if !batch.isEmpty { send(batch) }
    }

    private func send(_ batch: [ByteBuffer]) {
        let count = batch.reduce(0) { $0 + $1.readableBytes }
        let waiting = pending.add(count, ordering: .relaxed).newValue
        queue.async { [self] in
            state.withLock { hasher in
                for chunk in batch { chunk.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) } }
            }
            pending.subtract(count, ordering: .relaxed)
        }
        // Rare: the hasher fell far behind (the machine is starved); let it catch up before taking more.
        if waiting > backlog { queue.sync {} }
    }

    /// Starts over with `hasher` once the chunks given so far are hashed.
    func reset(to hasher: SHA256) {
        flush()
        queue.async { [self] in state.withLock { $0 = hasher } }
    }

    /// The hash state once every chunk given so far is hashed.
    func drained() async -> SHA256 {
        flush()
        return await withCheckedContinuation { continuation in
            queue.async { [self] in continuation.resume(returning: state.withLock { $0 }) }
        }
    }
}
