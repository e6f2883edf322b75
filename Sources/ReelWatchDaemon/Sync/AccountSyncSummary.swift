import ReelWatch

/// What one ``AccountSync/run()`` did.
public struct AccountSyncSummary: Sendable, Hashable {
    /// The refs newly tracked, in the order the lists gave them.
    public var added: [JobRef] = []
    /// Entries read on every page, usable or not.
    public var seen = 0
    /// Entries left out as unusable: no ID or one no job reference may carry, no status, no creation time or one
    /// out of range.
    public var skipped = 0
    /// Pages read.
    public var pages = 0
    /// Why a list could not be read to its end (each list is read independently; what was found before the error
    /// is still tracked).
    public var failures: [ReelWatchError] = []
    /// Whether the sync was cancelled before it read every list to its end (what the pages it read found is
    /// tracked).
    public var cancelled = false

    /// Creates an empty summary.
    public init() {}
}
