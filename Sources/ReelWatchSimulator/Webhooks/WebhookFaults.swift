/// What webhook deliveries go through on their way: drops, duplicates, delays, reordering and corrupted
/// signatures, each decided per event from a seed, so that a run can be replayed exactly.
public struct WebhookFaults: Sendable, Hashable {
    /// What happens to one event's deliveries.
    public struct Plan: Sendable, Hashable {
        /// Never sent (the event is still listed).
        public var dropped = false
        /// Sent twice, with the same event ID and body.
        public var duplicated = false
        /// Sent with a corrupted `Heygen-Signature`.
        public var badSignature = false
        /// Held back and sent in the next round, after the events that came after it.
        public var reordered = false
        /// How long to wait before sending.
        public var delay: Duration = .zero

        /// A plan of no faults.
        public init() {}
    }

    /// The fraction of events never sent.
    public var drop: Double
    /// The fraction of events sent twice.
    public var duplicate: Double
    /// The range each delivery's extra latency is drawn from (uniformly).
    public var delay: ClosedRange<Duration>
    /// The fraction of events held back and sent after the ones that came after them.
    public var reorder: Double
    /// The fraction of events sent with a corrupted signature (a receiver answers 401, which is not retried).
    public var badSignature: Double
    /// The seed every decision is drawn from.
    public var seed: UInt64

    /// Creates faults; fractions are clamped to `0...1`. The defaults are no faults at all.
    public init(
        drop: Double = 0,
        duplicate: Double = 0,
        delay: ClosedRange<Duration> = .zero ... .zero,
        reorder: Double = 0,
        badSignature: Double = 0,
        seed: UInt64 = 0
    ) {
        self.drop = Self.fraction(drop)
        self.duplicate = Self.fraction(duplicate)
        self.delay = max(delay.lowerBound, .zero)...max(delay.upperBound, .zero)
        self.reorder = Self.fraction(reorder)
        self.badSignature = Self.fraction(badSignature)
        self.seed = seed
    }

    /// What happens to the deliveries of the event with sequence number `sequence`: the same for the same seed
    /// and sequence, whatever else was decided before.
    public func plan(forEvent sequence: Int) -> Plan {
        var random = SplitMix64(seed: seed ^ (UInt64(truncatingIfNeeded: sequence) &* 0xD1B5_4A32_D192_ED03))
        // Every draw is made, used or not, so that one fraction never shifts the decisions of another.
        let draws = (0..<5).map { _ in random.nextFraction() }
        var plan = Plan()
        guard draws[0] >= drop else {
            plan.dropped = true
            return plan
        }
        plan.duplicated = draws[1] < duplicate
        plan.badSignature = draws[2] < badSignature
        plan.reordered = draws[3] < reorder
        let spread = delay.upperBound - delay.lowerBound
        plan.delay = delay.lowerBound + spread * draws[4]
        return plan
    }

    private static func fraction(_ value: Double) -> Double {
        value.isNaN ? 0 : min(max(value, 0), 1)
    }
}
