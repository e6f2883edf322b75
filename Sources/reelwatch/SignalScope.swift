import ReelWatch
import UnixSignals

/// Where every command that works (`wait`, `download`, `track check`, `run`) meets SIGINT and SIGTERM: the first
/// one stops the command's work — by cancelling it, or through `stop` — and waits for it to return, so that it
/// records what it finished (answers received, files landed) and leaves its `.part` files to resume from; the
/// command then prints ``Interruption/error(_:hint:)`` and exits 130.
///
/// Signals are trapped before the work starts, so none arriving early kills the process untidily. Only the first
/// is acted on; later ones are ignored while the work winds down.
enum SignalScope {
    /// The signal that stopped a command's work.
    struct Interruption: Sendable {
        /// SIGINT or SIGTERM.
        let signal: UnixSignal

        /// The one line that says what was interrupted (exit 130): `interrupted by SIGTERM: WHAT`.
        func error(_ what: String, hint: String? = nil) -> ReelWatchError {
            ReelWatchError(code: .cancelled, message: "interrupted by \(signal): \(what)", hint: hint)
        }
    }

    private enum Event<Value: Sendable>: Sendable {
        case finished(Value)
        case signal(UnixSignal)
        case unwatched
    }

    /// Runs `body` to its end. On the first SIGINT or SIGTERM, calls `stop`, or cancels `body` when there is no
    /// `stop`, then still waits for `body` to return; returns its value and the interruption, if any.
    static func run<Value: Sendable>(
        stop: (@Sendable () async -> Void)? = nil,
        _ body: @escaping @Sendable () async -> Value
    ) async -> (value: Value, interruption: Interruption?) {
        let signals = await UnixSignalsSequence(trapping: .sigint, .sigterm)
        return await withTaskGroup(of: Event<Value>.self) { group in
            group.addTask { .finished(await body()) }
            group.addTask {
                for await signal in signals { return .signal(signal) }
                return .unwatched  // cancelled: the work is over
            }
            var interruption: Interruption?
            while let event = await group.next() {
                switch event {
                case .finished(let value):
                    group.cancelAll()
                    return (value, interruption)
                case .signal(let signal):
                    interruption = Interruption(signal: signal)
                    if let stop { await stop() } else { group.cancelAll() }
                case .unwatched:
                    continue
                }
            }
            // The body's task always reports once it finishes, so the group cannot run dry before it.
            preconditionFailure("the work of a SignalScope ended without a value")
        }
    }
}
