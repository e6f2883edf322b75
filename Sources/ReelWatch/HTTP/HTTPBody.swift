import NIOCore

/// A response body streamed chunk by chunk, whichever transport produced it.
public struct HTTPBody: AsyncSequence, Sendable {
    /// A chunk of the body.
    public typealias Element = ByteBuffer

    private let makeNext: @Sendable () -> @Sendable () async throws -> ByteBuffer?

    /// Wraps any sendable sequence of byte buffers.
    public init<Base: AsyncSequence & Sendable>(_ base: Base) where Base.Element == ByteBuffer {
        self.makeNext = {
            let iterator = IteratorBox(base.makeAsyncIterator())
            return { try await iterator.next() }
        }
    }

    /// A body holding `bytes`, delivered as one chunk.
    public init(bytes: some Collection<UInt8>) {
        let buffer = ByteBuffer(bytes: bytes)
        self.init(ChunkSequence(chunks: buffer.readableBytes == 0 ? [] : [buffer]))
    }

    /// Creates an iterator over the chunks.
    public func makeAsyncIterator() -> Iterator { Iterator(next: makeNext()) }

    /// Reads the whole body, failing with `tooLarge` beyond `limit` bytes.
    public func collect(upTo limit: Int) async throws -> ByteBuffer {
        var collected = ByteBuffer()
        for try await var chunk in self {
            guard collected.readableBytes + chunk.readableBytes <= limit else { throw TooLarge(limit: limit) }
            collected.writeBuffer(&chunk)
        }
        return collected
    }

    /// Thrown by ``collect(upTo:)`` when the body is longer than allowed.
    public struct TooLarge: Error, Sendable {
        /// The limit that was exceeded, in bytes.
        public var limit: Int
    }

    /// Iterates over the chunks of a body.
    public struct Iterator: AsyncIteratorProtocol {
        let next: @Sendable () async throws -> ByteBuffer?

        /// The next chunk, or nil at the end of the body.
        public mutating func next() async throws -> ByteBuffer? { try await next() }
    }
}

private struct ChunkSequence: AsyncSequence, Sendable {
    let chunks: [ByteBuffer]

    func makeAsyncIterator() -> ChunkIterator { ChunkIterator(remaining: chunks[...]) }

    struct ChunkIterator: AsyncIteratorProtocol {
        var remaining: ArraySlice<ByteBuffer>

        mutating func next() async -> ByteBuffer? { remaining.popFirst() }
    }
}

/// Holds an async iterator so that a `@Sendable` closure can advance it; only one reader ever calls it.
private final class IteratorBox<Base: AsyncIteratorProtocol>: @unchecked Sendable where Base.Element == ByteBuffer {
    private var base: Base

    init(_ base: Base) { self.base = base }

    func next() async throws -> ByteBuffer? { try await base.next() }
}
