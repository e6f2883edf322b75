extension ReelWatchError {
    /// The error for a render that failed at its provider: `render failed: ` and the snapshot's failure summary, or
    /// `no reason given` when the provider gave none (or no snapshot came).
    public static func renderFailed(_ snapshot: JobSnapshot?, ref: JobRef) -> ReelWatchError {
        ReelWatchError(
            code: .renderFailed,
            message: "render failed: \(snapshot?.failureReason ?? JobFailure.noReasonGiven)",
            ref: ref
        )
    }
}
