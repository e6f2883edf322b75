import Synchronization

/// The tool calls in flight in one MCP session: when the session ends (the client went away), every call still
/// running is cancelled, and the server waits until all have stopped.
final class SessionCalls: Sendable {
    private struct State {
        var ended = false
        var running = 0
        var nextID = 0
        var endWaiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var drainWaiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    /// Runs `work` as one call of the session: cancelled when the session ends (or the call's own task is).
    func perform<Result: Sendable>(_ work: @escaping @Sendable () async throws -> Result) async throws -> Result {
        guard
            state.withLock({ state in
                guard !state.ended else { return false }
                state.running += 1
                return true
            })
        else { throw CancellationError() }
        defer { finishCall() }
        return try await withThrowingTaskGroup(of: Result?.self) { group in
            group.addTask { try await work() }
            group.addTask {
                await self.ended()
                return nil
            }
            let first = try await group.next() ?? nil
            group.cancelAll()
            guard let first else { throw CancellationError() }
            return first
        }
    }

    /// Ends the session: cancels every call in flight and returns once they have all stopped.
    func end() async {
        let waiters = state.withLock { state in
            state.ended = true
            defer { state.endWaiters.removeAll() }
            return Array(state.endWaiters.values)
        }
        for waiter in waiters { waiter.resume() }
        await withCheckedContinuation { continuation in
            let idle = state.withLock { state in
                if state.running == 0 { return true }
                state.drainWaiters.append(continuation)
                return false
            }
            if idle { continuation.resume() }
        }
    }

    /// Returns when the session ends, or when the task is cancelled.
    private func ended() async {
        let id = state.withLock { state in
            defer { state.nextID += 1 }
            return state.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let now = state.withLock { state in
                    if state.ended || Task.isCancelled { return true }
                    state.endWaiters[id] = continuation
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.endWaiters.removeValue(forKey: id) }?.resume()
        }
    }

    private func finishCall() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.running -= 1
            guard state.running == 0, state.ended else { return [] }
            defer { state.drainWaiters.removeAll() }
            return state.drainWaiters
        }
        for waiter in waiters { waiter.resume() }
    }
}
