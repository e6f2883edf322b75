import Synchronization

/// One token bucket per provider, shared by every job in the process: requests wait for a token.
///
/// Tokens refill continuously at ``rate`` per second up to ``burst``. Waiting uses the injected clock,
/// so tests are exact.
public final class RateLimiter: Sendable {
    /// Requests per second per provider.
    public let rate: Double
    /// The most requests that can go at once after a quiet spell.
    public let burst: Double

    private struct Bucket {
        var tokens: Double
        var updated: Duration
    }

    private let time: TimeSource
    private let buckets: Mutex<[ProviderName: Bucket]> = Mutex([:])

    /// The default rate: requests per second per provider.
    public static let defaultRate: Double = 10
    /// The default burst.
    public static let defaultBurst: Double = 20

    /// Creates a limiter allowing `rate` requests per second per provider, bursts of `burst`, waiting on `clock`:
    /// give it the clock of the ``StatusClient`` it is shared with, so that tests on a manual clock stay exact.
    public init(rate: Double = defaultRate, burst: Double = defaultBurst, clock: some Clock<Duration>) {
        self.rate = max(rate, 0.001)
        self.burst = max(burst, 1)
        self.time = TimeSource(clock)
    }

    /// Waits until a request to `provider` may go, then takes a token.
    public func acquire(_ provider: ProviderName) async throws {
        _ = try await acquire(provider, within: nil)
    }

    /// Waits until a request to `provider` may go and takes a token, unless that would mean waiting longer than
    /// `limit` (nil: no limit; negative: no time at all): then it returns false at once, without waiting or taking
    /// a token.
    public func acquire(_ provider: ProviderName, within limit: Duration?) async throws -> Bool {
        if let limit, limit < .zero { return false }
        let start = time.now()
        while true {
            let wait = buckets.withLock { buckets -> Duration? in
                let now = time.now()
                var bucket = buckets[provider] ?? Bucket(tokens: burst, updated: now)
                bucket.tokens = min(burst, bucket.tokens + (now - bucket.updated).secondsValue * rate)
                bucket.updated = now
                defer { buckets[provider] = bucket }
                if bucket.tokens >= 1 {
                    bucket.tokens -= 1
                    return nil
                }
                let seconds = (1 - bucket.tokens) / rate
                return .milliseconds(max(1, Int64((seconds * 1000).rounded(.up))))
            }
            guard let wait else { return true }
            if let limit, time.now() - start + wait > limit { return false }
            try await time.sleep(for: wait)
        }
    }
}
