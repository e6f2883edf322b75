import Foundation

/// How fast a render's own `progress` (0–100) grows: where it stood when first seen, for the time left to be told
/// from the rate it grew at since — `(100 - p1) × (t1 - t0) / (p1 - p0)` — rather than from the API's render-time
/// model.
struct ProgressPace: Sendable, Hashable {
    /// The percentage first seen.
    private(set) var percent: Int
    /// When it was seen.
    private(set) var at: Date

    /// Starts from `percent` seen at `at`.
    init(percent: Int, at: Date) {
        self.percent = percent
        self.at = at
    }

    /// Takes in `percent` seen at `date`: a percentage lower than the one first seen (the provider started over) or
    /// a date before it starts the pace again from there.
    mutating func observe(_ percent: Int, at date: Date) {
        if percent < self.percent || date < at { self = ProgressPace(percent: percent, at: date) }
    }

    /// The time left at `percent` seen at `date`, at the rate progress grew since first seen; nil when it has not
    /// grown yet (or the numbers make no sense: a date before the first, a percentage out of range).
    func remaining(at percent: Int, on date: Date) -> Duration? {
        let grown = Double(percent) - Double(self.percent)
        let elapsed = date.timeIntervalSince(at)
        guard grown > 0, elapsed > 0, elapsed.isFinite, (0...100).contains(percent) else { return nil }
        // At most the engine's horizon: a pace of 1 % a decade is not a reason to fail.
        return Tracker.seconds((100 - Double(percent)) * elapsed / grown)
    }
}
