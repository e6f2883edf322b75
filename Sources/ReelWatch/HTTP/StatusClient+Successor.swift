import Logging

extension StatusClient {
    /// The current status of `ref` on its own route, retrying transient failures.
    ///
    /// A legacy ref (`heygen-v1:`, `heygen-translate-v2:`) whose route answers 404 or 410 is asked once on its
    /// successor route with the same ID (HeyGen retired v1 and v2 on 2026-11-01; the IDs name the same renders):
    /// when the successor knows it, the snapshot carries the successor's ref (the caller follows the job there from
    /// then on) and a warning says so once per API; when neither knows it, a `job_not_found` error names both routes.
    ///
    /// - Parameter deadline: when given (an instant of ``time``), no retry starts after it and no request (nor its
    ///   wait for the rate limit) runs past it plus ``finalRequestTimeout``, whatever the provider does. A request at
    ///   the deadline gets ``finalRequestTimeout``; one that would start after that fails at once without being sent.
    func successorSnapshot(of ref: JobRef, before deadline: Duration?) async throws(ReelWatchError) -> JobSnapshot {
        let legacyError: ReelWatchError
        do {
            return try await routeSnapshot(of: ref, before: deadline)
        } catch {
            legacyError = error
        }
        guard let successor = ref.api.successor, let gone = legacyError.httpStatus, gone == 404 || gone == 410,
            legacyError.code == .jobNotFound || legacyError.code == .invalidResponse
        else { throw legacyError }
        let next = JobRef(api: successor, id: ref.id)
        let snapshot: JobSnapshot
        do {
            snapshot = try await routeSnapshot(of: next, before: deadline)
        } catch let error where error.code == .jobNotFound {
            let name = ref.provider.displayName
            throw ReelWatchError(
                code: .jobNotFound,
                message: "\(name) has no job '\(ReelWatchError.printable(ref.id))' on either route: "
                    + "\(ref.api.adapter.statusRoute) answered HTTP \(gone), "
                    + "\(successor.adapter.statusRoute) answered HTTP \(error.httpStatus ?? 404)",
                ref: ref,
                httpStatus: error.httpStatus
            )
        }
        var logger = self.logger
        logger[metadataKey: "job.ref"] = "\(ref)"
        legacyNotices.followSuccessor(of: ref.api, httpStatus: gone, logger: logger)
        return snapshot
    }
}
