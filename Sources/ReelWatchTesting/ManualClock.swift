import Synchronization

/// A clock that only moves when told to, with a handshake so tests never advance before the code sleeps.
///
/// Call ``nextSleep()`` to wait until the code under test is really asleep (it returns the deadline it
/// sleeps until), then ``advance(by:)`` to wake it. Cancelling a sleeping task wakes it with
/// `CancellationError` at once.
public final class ManualClock: Clock, Sendable {
    /// A point in manual time: the duration since the clock was created.
    public struct Instant: InstantProtocol, Sendable, Hashable, Comparable {
        /// Time since the clock's start.
        public var offset: Duration

        /// Creates an instant at `offset` from the start.
        public init(offset: Duration) { self.offset = offset }

        /// The instant `duration` later.
        public func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }

        /// The duration from this instant to `other`.
        public func duration(to other: Instant) -> Duration { other.offset - offset }

        /// Orders instants by offset.
        public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
    }

    private struct Sleeper {
        var deadline: Instant
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now = Instant(offset: .zero)
        var nextID = 0
        var sleepers: [Int: Sleeper] = [:]
        var cancelled: Set<Int> = []
        /// Deadlines of sleeps that started and that no `nextSleep()` has reported yet.
        var unreported: [(id: Int, deadline: Instant)] = []
        var watchers: [Int: CheckedContinuation<Instant, Never>] = [:]
    }

    private let state = Mutex(State())

    /// Creates a clock at offset zero.
    public init() {}

    /// The current manual time.
    public var now: Instant { state.withLock { $0.now } }

    /// Zero: manual time has no granularity.
    public var minimumResolution: Duration { .zero }

    /// The number of tasks asleep on this clock right now.
    public var sleeperCount: Int { state.withLock { $0.sleepers.count } }

    /// The deadlines of the tasks asleep on this clock right now, earliest first.
    public var sleeperDeadlines: [Instant] { state.withLock { $0.sleepers.values.map(\.deadline).sorted() } }

    /// Waits until exactly `count` tasks are asleep on this clock (checking between short real pauses, for up to
    /// ten seconds) and returns their deadlines, earliest first; what is asleep then if the count never comes.
    public func sleepers(_ count: Int) async -> [Instant] {
        for _ in 0..<2000 {
            let deadlines = sleeperDeadlines
            if deadlines.count == count { return deadlines }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return sleeperDeadlines
    }

    /// Suspends until the clock is advanced to `deadline` or the task is cancelled.
    public func sleep(until deadline: Instant, tolerance: Duration? = nil) async throws {
        try Task.checkCancellation()
        let id = state.withLock { state -> Int in
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let watchers = state.withLock { state -> [CheckedContinuation<Instant, Never>] in
                    if state.cancelled.remove(id) != nil {
                        continuation.resume(throwing: CancellationError())
                        return []
                    }
                    if deadline <= state.now {
                        continuation.resume()
                        return []
                    }
                    state.sleepers[id] = Sleeper(deadline: deadline, continuation: continuation)
                    if state.watchers.isEmpty {
                        state.unreported.append((id, deadline))
                        return []
                    }
                    let watchers = Array(state.watchers.values)
                    state.watchers.removeAll()
                    return watchers
                }
                for watcher in watchers { watcher.resume(returning: deadline) }
            }
        } onCancel: {
            let sleeper = state.withLock { state -> Sleeper? in
                // A sleep cancelled before any `nextSleep()` saw it is not reported: nobody sleeps until then.
                state.unreported.removeAll { $0.id == id }
                guard let sleeper = state.sleepers.removeValue(forKey: id) else {
                    state.cancelled.insert(id)
                    return nil
                }
                return sleeper
            }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Waits until some task starts sleeping on this clock (or returns at once if one started since the last
    /// call) and returns the deadline it sleeps until. If the waiting task is cancelled, returns the current time.
    public func nextSleep() async -> Instant {
        let id = state.withLock { state -> Int in
            state.nextID += 1
            return state.nextID
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Instant, Never>) in
                let ready = state.withLock { state -> Instant? in
                    if !state.unreported.isEmpty { return state.unreported.removeFirst().deadline }
                    if state.cancelled.remove(id) != nil { return state.now }
                    state.watchers[id] = continuation
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            let (watcher, now) = state.withLock { state in
                let watcher = state.watchers.removeValue(forKey: id)
                if watcher == nil { state.cancelled.insert(id) }
                return (watcher, state.now)
            }
            watcher?.resume(returning: now)
        }
    }

    /// Moves time forward by `duration`, waking every sleeper whose deadline has come.
    public func advance(by duration: Duration) {
        advance(to: now.advanced(by: duration))
    }

    /// Moves time forward to `instant` (never backwards), waking every sleeper whose deadline has come.
    public func advance(to instant: Instant) {
        let woken = state.withLock { state -> [Sleeper] in
            if instant > state.now { state.now = instant }
            let due = state.sleepers.filter { $0.value.deadline <= state.now }
            for id in due.keys { state.sleepers.removeValue(forKey: id) }
            state.unreported.removeAll { $0.deadline <= state.now }
            return due.sorted { $0.value.deadline < $1.value.deadline }.map(\.value)
        }
        for sleeper in woken { sleeper.continuation.resume() }
    }
}
