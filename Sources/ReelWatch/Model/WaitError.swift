/// Why a wait did not end in success: the render failed, the deadline came, or an error ended it.
public struct WaitError: Error, Sendable, Hashable, CustomStringConvertible {
    /// How the wait ended.
    public enum Reason: Sendable, Hashable {
        /// The render failed; ``lastSnapshot`` carries the provider's reason.
        case failed
        /// The deadline came while the job was still running.
        case timedOut
        /// The job waits for a person (`needs_input`); ``lastSnapshot`` carries what the agent asks.
        case needsInput
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

    /// Creates the error.
    public init(ref: JobRef, reason: Reason, lastSnapshot: JobSnapshot?, polls: Int) {
        self.ref = ref
        self.reason = reason
        self.lastSnapshot = lastSnapshot
        self.polls = polls
    }

    /// A one-line description.
    public var description: String {
        switch reason {
        case .failed:
            ReelWatchError.renderFailed(lastSnapshot, ref: ref).description
        case .timedOut:
            "\(ref): still \(lastSnapshot?.state.rawValue ?? "unknown") at the deadline after \(polls) polls"
        case .needsInput:
            ReelWatchError.needsInput(lastSnapshot, ref: ref).description
        case .error(let error):
            error.description
        }
    }
}
