import Synchronization

/// How many webhook events of types that name no job reelwatch follows a receiver has taken, by type: a bounded
/// count (a sender inventing types cannot grow it without end).
final class NotFollowedTally: Sendable {
    /// The most types counted apart; events of further types are counted under ``otherType``.
    static let maximumTypes = 64
    /// The key of the types beyond ``maximumTypes``.
    static let otherType = "other"

    private let state = Mutex([String: Int]())

    /// Counts one event of `type`; the total of such events so far.
    @discardableResult
    func add(_ type: String) -> Int {
        state.withLock { counts in
            let key = counts[type] != nil || counts.count < Self.maximumTypes ? type : Self.otherType
            counts[key, default: 0] += 1
            return counts.values.reduce(0, +)
        }
    }

    /// The counts so far, by type.
    func counts() -> [String: Int] { state.withLock { $0 } }
}
