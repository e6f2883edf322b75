import Logging

extension StatusClient {
    /// The current status of `ref`, retrying transient failures.
    ///
    /// A legacy ref (`heygen-v1:`, `heygen-translate-v2:`) whose route answers 404 or 410 is asked on its successor
    /// route (``successorSnapshot(of:before:)``). A job whose answer hands over to another (a Video Agent session
    /// that names its video) is answered with that job's state, files and failure: the other job is asked in the same
    /// call. Once `previous` names the job handed over to, an error asking `ref` itself does not stop the job (the
    /// session's endpoint may fail after its video exists): the other job answers alone.
    ///
    /// - Parameters:
    ///   - previous: the last snapshot of `ref` seen, if any.
    ///   - deadline: when given (an instant of ``time``), no retry starts after it and no request (nor its wait for
    ///     the rate limit) runs past it plus ``finalRequestTimeout``, whatever the provider does. A request at the
    ///     deadline gets ``finalRequestTimeout``; one that would start after that fails at once without being sent.
    public func snapshot(
        of ref: JobRef, previous: JobSnapshot? = nil, before deadline: Duration? = nil
    ) async throws(ReelWatchError) -> JobSnapshot {
        let known = previous?.ref == ref ? previous?.handover : nil
        let own: JobSnapshot?
        do {
            own = try await successorSnapshot(of: ref, before: deadline)
        } catch {
            guard let known, error.code != .cancelled, error.code != .timedOut else { throw error }
            var logger = self.logger
            logger[metadataKey: "job.ref"] = "\(ref)"
            logger.debug(
                "the job's own status failed; its handed-over job answers alone",
                metadata: ["error": "\(error.message)", "handover": "\(known)"])
            own = nil
        }
        guard let base = own ?? previous, let target = own?.handover ?? known else {
            // Without a handover `own` is set: the only way here without it is `own == nil`, which needs `known`.
            guard let own else { throw ReelWatchError(code: .invalidResponse, message: "no answer", ref: ref) }
            return own
        }
        let other = try await routeSnapshot(of: target, before: deadline)
        return base.handedOver(to: other)
    }
}

extension JobSnapshot {
    /// This snapshot with `other` (the job it handed over to) deciding its outcome: `other`'s files, failure, length
    /// and completion; its state while this job's own state is not over (a session waiting for input still waits),
    /// else `other`'s (a session that says it completed is done only when its video is).
    func handedOver(to other: JobSnapshot) -> JobSnapshot {
        var merged = self
        merged.handover = other.ref
        merged.state = other.state.isTerminal || state.isTerminal ? other.state : state
        merged.failure = other.state.isFailure ? other.failure : nil
        merged.assets = other.assets
        merged.durationSeconds = other.durationSeconds ?? durationSeconds
        merged.completedAt = other.completedAt
        merged.pageURL = other.pageURL ?? pageURL
        merged.title = title ?? other.title
        if other.state.isTerminal { merged.progress = nil }
        return merged
    }
}
