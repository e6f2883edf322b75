#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Splits a byte stream into newline-terminated lines in time linear in its length, whatever the size of the chunks
/// it arrives in: each byte is looked at once, and a line longer than ``limit`` is dropped as soon as it passes it.
struct LineFramer: Sendable {
    /// What a chunk of input brought.
    enum Event: Sendable, Hashable {
        /// A complete line, without its newline (empty lines are skipped).
        case line([UInt8])
        /// A line passed ``LineFramer/limit``: reported once, as soon as it does, then skipped up to its newline.
        case tooLong
    }

    /// The longest line accepted, in bytes, its newline not counted.
    let limit: Int
    /// The line read so far, while it is within the limit.
    private var pending: [UInt8] = []
    /// Whether the line read so far passed the limit (and is being skipped up to its newline).
    private var skipping = false

    /// Creates a framer that accepts lines of up to `limit` bytes.
    init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// Reads `chunk`, handing each complete line (or the news that one is too long) to `handle` in order.
    mutating func feed(_ chunk: UnsafeRawBufferPointer, _ handle: (Event) -> Void) {
        guard let base = chunk.baseAddress else { return }
        var start = 0
        while start < chunk.count {
            let rest = chunk.count - start
            guard let found = memchr(base + start, 0x0A, rest) else {
                take(UnsafeRawBufferPointer(start: base + start, count: rest), handle)
                return
            }
            let end = base.distance(to: UnsafeRawPointer(found))
            take(UnsafeRawBufferPointer(start: base + start, count: end - start), handle)
            endLine(handle)
            start = end + 1
        }
    }

    /// Appends part of a line, or starts skipping it when it passes the limit.
    private mutating func take(_ part: UnsafeRawBufferPointer, _ handle: (Event) -> Void) {
        guard !skipping, !part.isEmpty else { return }
        guard pending.count + part.count <= limit else {
            skipping = true
            pending = []
            handle(.tooLong)
            return
        }
        pending.append(contentsOf: part)
    }

    /// Ends the current line at its newline.
    private mutating func endLine(_ handle: (Event) -> Void) {
        if skipping {
            skipping = false
            return
        }
        guard !pending.isEmpty else { return }
        let line = pending
        pending = []
        handle(.line(line))
    }
}
