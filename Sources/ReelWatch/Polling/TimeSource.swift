/// Any `Clock` seen as offsets from the moment it was wrapped, so components can do arithmetic on time
/// without being generic over the clock.
public struct TimeSource: Sendable {
    private let nowClosure: @Sendable () -> Duration
    private let sleepClosure: @Sendable (Duration) async throws -> Void

    /// Wraps `clock`; time zero is now.
    public init<C: Clock>(_ clock: C) where C.Duration == Duration {
        let origin = clock.now
        self.nowClosure = { origin.duration(to: clock.now) }
        self.sleepClosure = { offset in try await clock.sleep(until: origin.advanced(by: offset), tolerance: nil) }
    }

    /// Time since the clock was wrapped.
    public func now() -> Duration { nowClosure() }

    /// Sleeps until `offset` after time zero.
    public func sleep(until offset: Duration) async throws { try await sleepClosure(offset) }

    /// Sleeps for `duration`.
    public func sleep(for duration: Duration) async throws { try await sleep(until: now() + duration) }
}
