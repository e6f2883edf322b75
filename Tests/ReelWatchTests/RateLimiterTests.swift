import ReelWatch
import ReelWatchTesting
import Testing

/// The shared token bucket, on a manual clock.
@Suite("Rate limiter")
struct RateLimiterTests {
    @Test(
        "a wait for a token longer than the time left is refused at once, without sleeping or taking one",
        .timeLimit(.minutes(1)))
    func timeLeft() async throws {
        let clock = ManualClock()
        let limiter = RateLimiter(rate: 1, burst: 1, clock: clock)
        // No time at all: not even a token that is there is taken.
        #expect(try await limiter.acquire(.heygen, within: .milliseconds(-1)) == false)
        // The bucket's one token: no wait, so no time is needed.
        #expect(try await limiter.acquire(.heygen, within: .zero))
        // The next token comes in 1 s: more than the 0.5 s left.
        #expect(try await limiter.acquire(.heygen, within: .milliseconds(500)) == false)
        #expect(clock.sleeperCount == 0)
        // With 2 s left it waits the second, and the token is there (none was taken by the refusal).
        async let acquired = limiter.acquire(.heygen, within: .seconds(2))
        let wake = await clock.nextSleep()
        #expect(wake.offset == .seconds(1))
        clock.advance(to: wake)
        #expect(try await acquired)
    }
}
