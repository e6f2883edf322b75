import ReelWatch
import ReelWatchDaemon

/// What one `wait` or `download` call's run of the engine reported: where each job ended, the files that landed
/// and the downloads that failed.
actor FollowLog {
    /// Each job's latest update.
    private(set) var latest: [JobRef: JobProgress] = [:]
    /// The files that landed, in order.
    private(set) var files: [DownloadResult] = []
    /// The downloads that failed, in order.
    private(set) var downloadErrors: [ReelWatchError] = []
    /// The progress value of the last notification (each one's is higher).
    private var notified: Double = 0
    private let jobCount: Int
    private let progress: ProgressSink?

    /// Tells a client where a call stands: a count that grows with every notification, and a message.
    typealias ProgressSink = @Sendable (_ progress: Double, _ total: Double?, _ message: String) async -> Void

    init(jobCount: Int, progress: ProgressSink?) {
        self.jobCount = jobCount
        self.progress = progress
    }

    /// Records what the engine did; notifies the client of every poll and file: with a count that grows by one,
    /// or, once a job reports its own progress, with the call's share done out of 100 (``callPercent``).
    func record(_ event: TrackerEvent) async {
        switch event {
        case .polled(let update, _):
            latest[update.ref] = update
            await notify(Self.message(update, ended: latest.values.count(where: \.isFinal), of: jobCount))
        case .downloaded(let file, _):
            files.append(file)
            await notify(
                "\(file.ref.printable): saved \(ReelWatchError.printable(file.path, limit: 4096)) (\(file.bytes) bytes)"
            )
        case .downloadFailed(_, let error):
            downloadErrors.append(error)
        case .changed, .pollFailed:
            break
        }
    }

    private func notify(_ message: String) async {
        guard let progress else { return }
        guard let percent = callPercent else {
            notified += 1
            await progress(notified, nil, message)
            return
        }
        // MCP wants every notification's value higher than the last: one that did not move (a poll that found the
        // same percentage, a file landing) goes up by a hundredth.
        notified = max(percent, notified + 0.01)
        await progress(notified, 100, message)
    }

    /// How far the call is, 0–100, once a job has reported its own progress: the mean over its jobs of each one's
    /// percentage (100 once it ended, 0 before it reported any); nil while none has.
    var callPercent: Double? {
        guard jobCount > 0, latest.values.contains(where: { $0.snapshot?.progress != nil }) else { return nil }
        let sum = latest.values.reduce(0.0) { sum, update in
            sum + (update.isFinal ? 100 : Double(update.snapshot?.progress ?? 0))
        }
        return min(100, sum / Double(jobCount))
    }

    /// `REF: STATE after ELAPSED (about LEFT left); N of M jobs ended`.
    static func message(_ update: JobProgress, ended: Int, of count: Int) -> String {
        let state: String =
            switch update.outcome {
            case .running:
                (update.snapshot?.state.rawValue ?? "not answered yet")
                    + (update.snapshot?.progress.map { " \($0)%" } ?? "")
            case .needsInput: "waiting for a person (needs_input)"
            case .succeeded: "succeeded"
            case .failed: "failed"
            case .timedOut: "still \(update.snapshot?.state.rawValue ?? "not answered") at the timeout"
            case .error(let error): "error \(error.code)"
            }
        var left = ""
        if update.outcome == .running, let remaining = update.expectedRemaining {
            left = " (about \(remaining.shortDescription) left)"
        }
        let elapsed = update.elapsed.shortDescription
        return "\(update.ref.printable): \(state) after \(elapsed)\(left); \(ended) of \(count) jobs ended"
    }
}
