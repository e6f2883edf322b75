import ReelWatch

/// Something a ``Tracker`` did that is worth telling the user.
public enum TrackerEvent: Sendable, Hashable {
    /// A job's state changed (or it was answered for the first time).
    case changed(JobRef, from: JobState?, to: JobSnapshot)
    /// A poll failed; the job is polled again later (or, when the provider does not know it, no more).
    case pollFailed(JobRef, ReelWatchError)
    /// A file landed.
    case downloaded(DownloadResult)
    /// A file could not be downloaded; the next pass tries again.
    case downloadFailed(JobRef, ReelWatchError)
}
