/// Why a wait did not end in success: the render failed, the deadline came, or an error ended it.
public struct WaitError: Error, Sendable, Hashable, CustomStringConvertible {
    /// How the wait ended.
    public enum Reason: Sendable, Hashable {
        /// The render failed; ``lastSnapshot`` carries the provider's reason.
        case failed
        /// The deadline came while the job was still running.
        case timedOut
        /// An error polling cannot fix (unknown job, rejected key, invalid answers, cancellation).
        case error(ReelWatchError)
    }

    /// The job waited for.
    public var ref: JobRef
    /// How the wait ended.
    public var reason: Reason
    /// The last snapshot seen, if any.
    public var lastSnapshot: JobSnapshot?
    /// Status requests made.
    public var polls: Int

    /// A one-line description.
    public var description: String {
        switch reason {
        case .failed:
            ReelWatchError.renderFailed(lastSnapshot, ref: ref).description
        case .timedOut:
            "\(ref): still \(lastSnapshot?.state.rawValue ?? "unknown") at the deadline after \(polls) polls"
        case .error(let error):
            error.description
        }
    }
}

extension StatusClient {
    /// Polls `ref` until it succeeds and returns the final snapshot; throws ``WaitError`` on failure, on timeout
    /// and on errors polling cannot fix, carrying the last snapshot and the number of polls.
    public func wait(
        for ref: JobRef,
        timeout: Duration,
        options: WatchOptions = WatchOptions()
    ) async throws(WaitError) -> JobSnapshot {
        var options = options
        options.timeout = timeout
        var iterator = Watcher(refs: [ref], client: self, options: options, wallClock: wallClock)
            .makeAsyncIterator()
        var last: JobProgress?
        while true {
            let progress: JobProgress?
            do throws(ReelWatchError) {
                progress = try await iterator.next()
            } catch {
                throw WaitError(ref: ref, reason: .error(error), lastSnapshot: last?.snapshot, polls: last?.polls ?? 0)
            }
            guard let progress else { break }
            last = progress
            switch progress.outcome {
            case .running:
                continue
            case .succeeded:
                if let snapshot = progress.snapshot { return snapshot }
            case .failed:
                throw WaitError(ref: ref, reason: .failed, lastSnapshot: progress.snapshot, polls: progress.polls)
            case .timedOut:
                throw WaitError(ref: ref, reason: .timedOut, lastSnapshot: progress.snapshot, polls: progress.polls)
            case .error(let error):
                throw WaitError(ref: ref, reason: .error(error), lastSnapshot: progress.snapshot, polls: progress.polls)
            }
        }
        throw WaitError(
            ref: ref,
            reason: .error(ReelWatchError(code: .cancelled, message: "the watch ended early", ref: ref)),
            lastSnapshot: last?.snapshot,
            polls: last?.polls ?? 0
        )
    }
}
