import ReelWatch
import ReelWatchTesting
import Testing

/// `RetryPolicy.run`, the one retry loop of status requests and downloads, on a manual clock: exact sleep
/// deadlines, and exactly when it stops.
@Suite("The retry loop")
struct RetryLoopTests {
    /// Caps 1 s, 2 s, 4 s; jitter is always 0.5, so the backoff delays are 0.5 s, 1 s, 2 s.
    let policy = RetryPolicy(maxRetries: 3, baseDelay: .seconds(1), maxDelay: .seconds(4), maxRetryAfter: .seconds(10))

    @Test(
        "it sleeps until exact deadlines: half the doubling cap, raised by Retry-After; an 'again' is no retry",
        .timeLimit(.minutes(1)))
    func sleeps() async {
        let clock = ManualClock()
        let script: [RetryPolicy.Verdict<String, String>] = [
            .retry("503", retryAfter: nil), .retry("429", retryAfter: .seconds(3)), .again,
            .retry("dropped", retryAfter: nil), .done("ok"),
        ]
        let task = Task { [policy] in await Self.run(policy, script, clock: clock) }
        var deadlines: [Duration] = []
        for _ in 0..<3 {
            let deadline = await clock.nextSleep()
            deadlines.append(deadline.offset)
            clock.advance(to: deadline)
        }
        let outcome = await task.value
        #expect(deadlines == [.milliseconds(500), .milliseconds(3500), .milliseconds(5500)])
        #expect(outcome.result == .success("ok"))
        #expect(outcome.attempts == 5)
        #expect(outcome.retries == ["1 503 500ms", "2 429 3000ms", "3 dropped 2000ms"])
    }

    @Test("after maxRetries retries the next failure stops it at once, naming the last reason", .timeLimit(.minutes(1)))
    func exhausted() async {
        let clock = ManualClock()
        let task = Task { [policy] in
            await Self.run(policy, Array(repeating: .retry("503", retryAfter: nil), count: 5), clock: clock)
        }
        var deadlines: [Duration] = []
        for _ in 0..<3 {
            let deadline = await clock.nextSleep()
            deadlines.append(deadline.offset)
            clock.advance(to: deadline)
        }
        let outcome = await task.value
        #expect(deadlines == [.milliseconds(500), .milliseconds(1500), .milliseconds(3500)])
        #expect(outcome.result == .failure(Stopped(.exhausted("503", attempts: 4, retryAfter: nil))))
        #expect(outcome.attempts == 4)
        #expect(clock.sleeperCount == 0)
        #expect(clock.now.offset == .milliseconds(3500))
    }

    @Test("a retry that would start at the deadline is not made", .timeLimit(.minutes(1)))
    func deadline() async {
        let clock = ManualClock()
        let task = Task { [policy] in
            await Self.run(
                policy, Array(repeating: .retry("503", retryAfter: nil), count: 3), clock: clock,
                deadline: .milliseconds(1500))
        }
        let deadline = await clock.nextSleep()
        #expect(deadline.offset == .milliseconds(500))
        clock.advance(to: deadline)
        // The second retry would sleep 1 s, until 1.5 s: the deadline itself.
        let outcome = await task.value
        #expect(outcome.result == .failure(Stopped(.deadline("503", attempts: 2, retryAfter: nil))))
        #expect(outcome.retries == ["1 503 500ms"])
        #expect(clock.now.offset == .milliseconds(500))
    }

    @Test(
        "a Retry-After up to the longest honoured is waited for; a longer one stops it at once", .timeLimit(.minutes(1))
    )
    func retryAfter() async {
        let clock = ManualClock()
        let task = Task { [policy] in
            await Self.run(
                policy,
                [.retry("429", retryAfter: .seconds(10)), .retry("429 again", retryAfter: .milliseconds(10_001))],
                clock: clock)
        }
        let deadline = await clock.nextSleep()
        #expect(deadline.offset == .seconds(10))
        clock.advance(to: deadline)
        let outcome = await task.value
        #expect(
            outcome.result
                == .failure(Stopped(.retryAfterTooLong("429 again", attempts: 2, retryAfter: .milliseconds(10_001)))))
        #expect(outcome.retries == ["1 429 10000ms"])
        #expect(clock.sleeperCount == 0)
    }

    @Test("cancelled while backing off, it stops with no further attempt", .timeLimit(.minutes(1)))
    func cancelled() async {
        let clock = ManualClock()
        let task = Task { [policy] in
            await Self.run(policy, [.retry("503", retryAfter: nil), .done("too late")], clock: clock)
        }
        _ = await clock.nextSleep()
        task.cancel()
        let outcome = await task.value
        #expect(outcome.result == .failure(Stopped(.cancelled)))
        #expect(outcome.attempts == 1)
    }

    /// The loop's end, as the error a caller's `giveUp` would make.
    struct Stopped: Error, Equatable {
        var stop: RetryPolicy.Stop<String>
        init(_ stop: RetryPolicy.Stop<String>) { self.stop = stop }
    }

    /// What one run of the loop came to.
    struct Outcome: Sendable {
        var result: Result<String, Stopped>
        /// `RETRY REASON DELAY` for each retry announced.
        var retries: [String]
        var attempts: Int
    }

    /// Runs the loop on `clock` with jitter 0.5, one verdict of `script` per attempt (`done` when it runs out).
    static func run(
        _ policy: RetryPolicy,
        _ script: [RetryPolicy.Verdict<String, String>],
        clock: ManualClock,
        deadline: Duration? = nil
    ) async -> Outcome {
        var script = script[...]
        var retries: [String] = []
        var attempts = 0
        let result: Result<String, Stopped>
        do throws(Stopped) {
            let value = try await policy.run(
                time: TimeSource(clock),
                random: { 0.5 },
                deadline: deadline,
                giveUp: { Stopped($0) },
                willRetry: { reason, retry, delay in retries.append("\(retry) \(reason) \(delay.milliseconds)ms") }
            ) { () async throws(Stopped) -> RetryPolicy.Verdict<String, String> in
                attempts += 1
                return script.popFirst() ?? .done("end of script")
            }
            result = .success(value)
        } catch {
            result = .failure(error)
        }
        return Outcome(result: result, retries: retries, attempts: attempts)
    }
}
