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

extension ReelWatchError {
    /// The error for a job that waits for a person: `waiting for input`, and what the agent asks (printable, at
    /// most 120 characters) when the snapshot says.
    public static func needsInput(_ snapshot: JobSnapshot?, ref: JobRef) -> ReelWatchError {
        var message = "waiting for input"
        if let status = snapshot?.providerStatus?.rawValue, status != JobState.needsInput.rawValue {
            message += " (\(printable(status)))"
        }
        if let said = snapshot?.agentMessage, !said.isEmpty {
            message += ": agent says \"\(printable(said, limit: 120))\""
        }
        return ReelWatchError(code: .needsInput, message: message, ref: ref)
    }
}
