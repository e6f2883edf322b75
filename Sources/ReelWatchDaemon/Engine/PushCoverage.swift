import ReelWatch
import Synchronization

/// Which jobs webhooks cover, for the engine to poll them only as a safety net: a job of a covered API is polled
/// every ``safetyDelay`` instead of on its render-time schedule, and at once when an event makes it due (`serve`).
///
/// The covered APIs change while a daemon runs — an endpoint registered, its secret file rewritten — so they are
/// shared state, read at every scheduling decision.
public final class PushCoverage: Sendable {
    /// How long a covered job goes between safety-net polls.
    public let safetyDelay: Duration
    private let covered: Mutex<Set<ProviderAPI>>

    /// Creates a coverage of `apis` (none by default) with polls every `safetyDelay`.
    public init(safetyDelay: Duration, apis: Set<ProviderAPI> = []) {
        self.safetyDelay = safetyDelay
        self.covered = Mutex(apis)
    }

    /// The APIs whose jobs webhooks cover now.
    public var apis: Set<ProviderAPI> { covered.withLock { $0 } }

    /// Whether webhooks cover the jobs of `api` now.
    public func covers(_ api: ProviderAPI) -> Bool { covered.withLock { $0.contains(api) } }

    /// Makes the jobs of `apis`, and only those, covered from now on.
    public func cover(_ apis: Set<ProviderAPI>) { covered.withLock { $0 = apis } }
}
