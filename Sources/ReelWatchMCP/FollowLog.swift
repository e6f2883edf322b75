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
    /// How many progress notifications were sent.
    private var notified = 0
    private let jobCount: Int
    private let progress: ProgressSink?

    /// Tells a client where a call stands: a count that grows with every notification, and a message.
    typealias ProgressSink = @Sendable (_ progress: Double, _ total: Double?, _ message: String) async -> Void

    init(jobCount: Int, progress: ProgressSink?) {
        self.jobCount = jobCount
        self.progress = progress
    }

    /// Records what the engine did; notifies the client of every poll and file.
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
        notified += 1
        await progress(Double(notified), nil, message)
    }

    /// `REF: STATE after ELAPSED (about LEFT left); N of M jobs ended`.
    static func message(_ update: JobProgress, ended: Int, of count: Int) -> String {
        let state: String =
            switch update.outcome {
            case .running: update.snapshot?.state.rawValue ?? "not answered yet"
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
