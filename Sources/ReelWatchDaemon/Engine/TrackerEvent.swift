import ReelWatch

/// Something the engine did that is worth telling the user.
public enum TrackerEvent: Sendable, Hashable {
    /// A job was polled (every poll): where it stands, and whether its state changed (or it was answered for the
    /// first time).
    case polled(JobProgress, changed: Bool)
    /// A job's state changed (or it was answered for the first time).
    case changed(JobRef, from: JobState?, to: JobSnapshot)
    /// A poll failed; the job is polled again later (or, when the provider does not know it, no more).
    case pollFailed(JobRef, ReelWatchError)
    /// A file landed (`item` is what was planned: its name is the one progress reports used).
    case downloaded(DownloadResult, item: DownloadItem)
    /// A file could not be downloaded; a later pass tries again.
    case downloadFailed(JobRef, ReelWatchError)
}
