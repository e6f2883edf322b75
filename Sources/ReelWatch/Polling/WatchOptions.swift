/// How a ``Watcher`` polls: the deadline, the delay bounds and the render-time models.
public struct WatchOptions: Sendable, Hashable {
    /// How long to watch each job before giving up on it.
    public var timeout: Duration
    /// The shortest interval between polls of one job.
    public var minDelay: Duration
    /// The longest interval between polls of one job.
    public var maxDelay: Duration
    /// Whether to report every poll, not only state changes.
    public var reportEveryPoll: Bool
    /// Invalid answers in a row after which a job's watch ends with an error.
    public var maxConsecutiveInvalidAnswers: Int
    /// The render-time model of each API; missing APIs use ``RenderTimeModel/default(for:)``.
    public var models: [ProviderAPI: RenderTimeModel]

    /// Creates options; the defaults poll between 5 s and 60 s apart for up to 30 minutes.
    public init(
        timeout: Duration = .seconds(30 * 60),
        minDelay: Duration = .seconds(5),
        maxDelay: Duration = .seconds(60),
        reportEveryPoll: Bool = false,
        maxConsecutiveInvalidAnswers: Int = 3,
        models: [ProviderAPI: RenderTimeModel] = [:]
    ) {
        self.timeout = timeout
        self.minDelay = minDelay
        self.maxDelay = maxDelay
        self.reportEveryPoll = reportEveryPoll
        self.maxConsecutiveInvalidAnswers = maxConsecutiveInvalidAnswers
        self.models = models
    }

    /// The poll schedule for jobs of `api`.
    public func schedule(for api: ProviderAPI) -> PollSchedule {
        PollSchedule(model: models[api] ?? .default(for: api), minDelay: minDelay, maxDelay: maxDelay)
    }
}
