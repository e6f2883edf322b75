extension RetryPolicy {
    /// What one attempt of ``run(time:random:deadline:isolation:giveUp:willRetry:attempt:)`` came to.
    public enum Verdict<Value, Reason> {
        /// The attempt succeeded: the loop returns `Value`.
        case done(Value)
        /// The attempt failed transiently for `Reason`: retried after backoff, at least `retryAfter` when given.
        case retry(Reason, retryAfter: Duration?)
        /// The attempt led somewhere new (a redirect, a fresh link): the next one starts at once, not counted as
        /// a retry.
        case again
    }

    /// Why ``run(time:random:deadline:isolation:giveUp:willRetry:attempt:)`` stopped without a value; `attempts`
    /// counts the attempts that failed transiently, the last one included.
    public enum Stop<Reason> {
        /// The task was cancelled, before an attempt or while backing off.
        case cancelled
        /// More attempts failed than ``RetryPolicy/maxRetries`` allows; `Reason` is the last one's.
        case exhausted(Reason, attempts: Int, retryAfter: Duration?)
        /// The server asked to wait longer than ``RetryPolicy/maxRetryAfter``.
        case retryAfterTooLong(Reason, attempts: Int, retryAfter: Duration)
        /// The next retry would start at or after the deadline.
        case deadline(Reason, attempts: Int, retryAfter: Duration?)
    }

    /// Runs `attempt` until it is done, retrying transient failures with full-jitter backoff: the one retry loop
    /// of status requests and downloads.
    ///
    /// Before each attempt a cancelled task stops the loop. After an attempt that failed transiently the loop
    /// stops when that was one attempt too many, when the server asked to wait longer than ``maxRetryAfter`` or
    /// when the backoff would end at or after `deadline`; otherwise it sleeps for
    /// ``delay(beforeRetry:retryAfter:unitRandom:)`` on `time` and tries again.
    ///
    /// - Parameters:
    ///   - time: what the backoff sleeps on, and what `deadline` is an instant of.
    ///   - random: a source of numbers in `0..<1` for jitter, called once per retry.
    ///   - deadline: when given, no retry starts at or after it.
    ///   - giveUp: the error to throw when the loop stops without a value.
    ///   - willRetry: told the failure's reason, the retry's number (from 1) and the delay before it sleeps.
    ///   - attempt: one attempt; it throws for a failure no retry can fix.
    public func run<Value, Reason, Failure: Error>(
        time: TimeSource,
        random: () -> Double,
        deadline: Duration? = nil,
        isolation: isolated (any Actor)? = #isolation,
        giveUp: (Stop<Reason>) -> Failure,
        willRetry: (_ reason: Reason, _ retry: Int, _ delay: Duration) -> Void = { _, _, _ in },
        attempt: () async throws(Failure) -> Verdict<Value, Reason>
    ) async throws(Failure) -> Value {
        var attempts = 0
        while true {
            if Task.isCancelled { throw giveUp(.cancelled) }
            switch try await attempt() {
            case .done(let value):
                return value
            case .again:
                continue
            case .retry(let reason, let retryAfter):
                attempts += 1
                guard attempts <= maxRetries else {
                    throw giveUp(.exhausted(reason, attempts: attempts, retryAfter: retryAfter))
                }
                if let retryAfter, retryAfter > maxRetryAfter {
                    throw giveUp(.retryAfterTooLong(reason, attempts: attempts, retryAfter: retryAfter))
                }
                let delay = delay(beforeRetry: attempts, retryAfter: retryAfter, unitRandom: random())
                if let deadline, time.now() + delay >= deadline {
                    throw giveUp(.deadline(reason, attempts: attempts, retryAfter: retryAfter))
                }
                willRetry(reason, attempts, delay)
                do {
                    try await time.sleep(for: delay)
                } catch {
                    throw giveUp(.cancelled)
                }
            }
        }
    }
}

extension RetryPolicy.Verdict: Sendable where Value: Sendable, Reason: Sendable {}

extension RetryPolicy.Stop: Sendable where Reason: Sendable {}

extension RetryPolicy.Stop: Equatable where Reason: Equatable {}
