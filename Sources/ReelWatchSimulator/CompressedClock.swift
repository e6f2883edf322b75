import ReelWatch

/// A clock whose time runs `scale` times faster than real time, for demos that render in compressed time.
///
/// Sleeping for a minute of compressed time takes a minute divided by `scale` of real time.
public struct CompressedClock: Clock, Sendable {
    /// A point in compressed time: the compressed duration since the clock was created.
    public struct Instant: InstantProtocol, Sendable, Hashable, Comparable {
        /// Compressed time since the clock's start.
        public var offset: Duration

        /// The instant `duration` later.
        public func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }

        /// The duration from this instant to `other`.
        public func duration(to other: Instant) -> Duration { other.offset - offset }

        /// Orders instants by offset.
        public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
    }

    /// Compressed seconds per real second.
    public let scale: Double
    /// The clock compressed time runs on; its time zero is when this clock was made.
    private let base: TimeSource

    /// Creates a clock running `scale` times faster than `base` (real time unless given; tests pass a manual
    /// clock).
    public init(scale: Double, base: some Clock<Duration> = ContinuousClock()) {
        self.scale = max(scale, 0.001)
        self.base = TimeSource(base)
    }

    /// The current compressed time.
    public var now: Instant { Instant(offset: base.now() * scale) }

    /// One real millisecond, in compressed time.
    public var minimumResolution: Duration { .milliseconds(1) * scale }

    /// Sleeps on the base clock for the compressed time left until `deadline`.
    public func sleep(until deadline: Instant, tolerance: Duration? = nil) async throws {
        let left = now.duration(to: deadline)
        guard left > .zero else { return }
        try await base.sleep(for: left / scale)
    }
}
