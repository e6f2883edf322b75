import NIOCore

/// The deterministic content of a simulated file, so a download can be checked byte for byte.
///
/// The content repeats with a prime period (65,521 bytes), so a chunk written at the wrong offset never
/// matches, and any range can be produced without holding the file in memory.
public enum SimulatedFile {
    /// The period of the content.
    public static let period = 65_521

    /// The seed of the file called `name`.
    public static func seed(forName name: String) -> UInt8 { name.utf8.reduce(0) { $0 &+ $1 } }

    /// One period of the content of the file whose seed is `seed`.
    public static func pattern(seed: UInt8) -> [UInt8] {
        (0..<period).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8 &+ Int(seed)) }
    }

    /// `count` bytes of the file whose seed is `seed`, from `offset`.
    public static func bytes(count: Int, seed: UInt8, from offset: Int = 0) -> [UInt8] {
        let pattern = pattern(seed: seed)
        return (offset..<(offset + count)).map { pattern[$0 % period] }
    }

    /// Hands the first `count` bytes of the file whose seed is `seed` to `body`, a period at a time (to hash a
    /// large file's expected content without building it).
    public static func forEachSlice(count: Int, seed: UInt8, _ body: (UnsafeRawBufferPointer) -> Void) {
        let pattern = pattern(seed: seed)
        var left = count
        pattern.withUnsafeBytes { whole in
            while left > 0 {
                let take = min(left, period)
                body(UnsafeRawBufferPointer(rebasing: whole[0..<take]))
                left -= take
            }
        }
    }

    /// `count` bytes of the content from `offset`, as a buffer, copied from `pattern`.
    static func chunk(from offset: Int, count: Int, pattern: [UInt8]) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(count)
        var position = offset
        var left = count
        while left > 0 {
            let start = position % period
            let take = min(left, period - start)
            _ = pattern.withUnsafeBytes {
                buffer.writeBytes(UnsafeRawBufferPointer(rebasing: $0[start..<(start + take)]))
            }
            position += take
            left -= take
        }
        return buffer
    }
}
