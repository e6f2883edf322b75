import ReelWatch

extension StatusClient {
    /// Polls `ref` until it succeeds and returns the final snapshot; throws ``WaitError`` on failure, on timeout,
    /// when the job waits for a person and on errors polling cannot fix, carrying the last snapshot and the number
    /// of polls.
    public func wait(
        for ref: JobRef,
        timeout: Duration,
        options: WatchOptions = WatchOptions()
    ) async throws(WaitError) -> JobSnapshot {
        var options = options
        options.timeout = timeout
        var iterator = Watcher(refs: [ref], client: self, options: options).makeAsyncIterator()
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
            case .needsInput:
                throw WaitError(ref: ref, reason: .needsInput, lastSnapshot: progress.snapshot, polls: progress.polls)
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
