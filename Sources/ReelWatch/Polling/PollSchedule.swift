/// When to poll a render next: far apart while it is unlikely to be done, every ``RenderTimeModel/lagTarget``
/// while most renders finish, with exponential backoff once it runs longer than expected, and a last poll at
/// the deadline.
///
/// Inputs to each decision: (a) how long the job has been running against the API's ``RenderTimeModel``;
/// (b) exponential backoff with full jitter between ``minDelay`` and ``maxDelay`` once the job is overdue or
/// its state is unknown; (c) the server's `Retry-After` hint; (d) the deadline. Whatever the model says,
/// every interval stays within `minDelay ... maxDelay` (a `Retry-After` may ask for more, and the deadline
/// for less).
public struct PollSchedule: Sendable, Hashable {
    /// The shortest interval between polls.
    public var minDelay: Duration
    /// The longest interval between polls.
    public var maxDelay: Duration
    /// The share of an interval its jitter may take off (0.05 draws from 95–100 % of it).
    public var jitter: Double
    /// The render-time model.
    public var model: RenderTimeModel

    private let windowStart: Duration
    private let windowEnd: Duration

    /// Creates a schedule; the defaults poll between 5 s and 60 s apart.
    public init(
        model: RenderTimeModel,
        minDelay: Duration = .seconds(5),
        maxDelay: Duration = .seconds(60),
        jitter: Double = 0.05
    ) {
        self.model = model
        self.minDelay = min(minDelay, maxDelay)
        self.maxDelay = max(minDelay, maxDelay)
        self.jitter = min(max(jitter, 0), 1)
        self.windowStart = model.windowStart
        self.windowEnd = model.windowEnd
    }

    /// What is known when the next poll is planned.
    public struct Situation: Sendable, Hashable {
        /// How long the job has been running (from its creation time when the provider reports one).
        public var jobAge: Duration
        /// How long until the deadline, measured from now.
        public var untilDeadline: Duration
        /// Polls made since the job entered the backoff phase (overdue, or in an unknown state).
        public var backoffPolls: Int
        /// Whether the provider's status was never seen before (no model applies).
        public var stateUnknown: Bool
        /// How long the server asked to wait, if it did.
        public var retryAfter: Duration?

        /// Creates a situation.
        public init(
            jobAge: Duration,
            untilDeadline: Duration,
            backoffPolls: Int = 0,
            stateUnknown: Bool = false,
            retryAfter: Duration? = nil
        ) {
            self.jobAge = jobAge
            self.untilDeadline = untilDeadline
            self.backoffPolls = backoffPolls
            self.stateUnknown = stateUnknown
            self.retryAfter = retryAfter
        }
    }

    /// Which regime a decision came from.
    public enum Phase: Sendable, Hashable {
        /// Before the window: renders this young are rarely done.
        case early
        /// Inside the window: most renders finish now.
        case window
        /// Overdue or in an unknown state: exponential backoff.
        case backoff
    }

    /// The interval between polls while most renders finish: the model's ``RenderTimeModel/lagTarget`` within
    /// `minDelay ... maxDelay` (before jitter).
    public var lagInterval: Duration { clamp(model.lagTarget) }

    /// Whether a job in `situation` is in the backoff phase (its next poll counts towards `backoffPolls`).
    public func phase(of situation: Situation) -> Phase {
        if situation.stateUnknown || situation.jobAge >= windowEnd { return .backoff }
        if situation.jobAge + lagInterval >= windowStart { return .window }
        return .early
    }

    /// The delay before the next poll; nil when the deadline has come and there is no next poll.
    ///
    /// - Parameter unitRandom: a number in `0..<1` for jitter.
    public func nextDelay(_ situation: Situation, unitRandom: Double) -> Duration? {
        guard situation.untilDeadline > .zero else { return nil }
        let random = min(max(unitRandom, 0), 1)
        var delay: Duration
        switch phase(of: situation) {
        case .early:
            // Far apart, but never so far that the first poll of the window comes late.
            let untilWindow = windowStart - situation.jobAge
            delay = clamp(min(maxDelay, untilWindow)) * (1 - jitter * random)
        case .window:
            delay = lagInterval * (1 - jitter * random)
        case .backoff:
            let base = situation.stateUnknown ? minDelay : lagInterval
            let cap = min(maxDelay, base * (1 << min(max(situation.backoffPolls, 0) + 1, 20)))
            delay = minDelay + (cap - minDelay) * random
        }
        delay = clamp(delay)
        if let retryAfter = situation.retryAfter { delay = max(delay, retryAfter) }
        // The last poll happens at the deadline: never after it, and never a sliver before it.
        if delay >= situation.untilDeadline || situation.untilDeadline - delay < minDelay {
            delay = situation.untilDeadline
        }
        return delay
    }

    /// One step of a job's schedule after a poll made in `situation`: the delay before the next poll (nil when the
    /// deadline has come) and the job's backoff count from then on, one more when this poll was in the backoff
    /// phase. The one place a poll counts towards backoff: ``Cursor`` and the engine (with the count it persists
    /// per job) both step through it.
    ///
    /// - Parameter unitRandom: a number in `0..<1` for jitter.
    public func step(_ situation: Situation, unitRandom: Double) -> (delay: Duration?, backoffPolls: Int) {
        let counted = phase(of: situation) == .backoff ? 1 : 0
        return (nextDelay(situation, unitRandom: unitRandom), situation.backoffPolls + counted)
    }

    private func clamp(_ delay: Duration) -> Duration {
        min(max(delay, minDelay), maxDelay)
    }
}

extension PollSchedule {
    /// The state a schedule keeps for one job between polls: how many polls it has made in the backoff phase.
    public struct Cursor: Sendable, Hashable {
        /// The schedule followed.
        public let schedule: PollSchedule
        /// Polls made in the backoff phase so far.
        public private(set) var backoffPolls = 0

        /// Starts following `schedule`.
        public init(_ schedule: PollSchedule) { self.schedule = schedule }

        /// The delay before the next poll after one made now, or nil when the deadline has come.
        public mutating func next(
            jobAge: Duration,
            untilDeadline: Duration,
            stateUnknown: Bool = false,
            retryAfter: Duration? = nil,
            unitRandom: Double
        ) -> Duration? {
            let situation = Situation(
                jobAge: jobAge,
                untilDeadline: untilDeadline,
                backoffPolls: backoffPolls,
                stateUnknown: stateUnknown,
                retryAfter: retryAfter
            )
            let step = schedule.step(situation, unitRandom: unitRandom)
            backoffPolls = step.backoffPolls
            return step.delay
        }
    }
}
