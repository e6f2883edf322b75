import Foundation

/// One render as an account listing shows it: enough to decide whether to follow it, not a status to record.
public struct ListedRender: Sendable, Hashable {
    /// The job the entry names.
    public var ref: JobRef
    /// The provider's word, verbatim.
    public var providerStatus: ProviderStatus
    /// The normalized state.
    public var state: JobState
    /// When the render was created; nil when the entry does not say or says something out of range.
    public var createdAt: Date?
    /// The title the entry gives.
    public var title: String?
    /// The folder the entry is in.
    public var folderID: String?

    /// Creates an entry.
    public init(
        ref: JobRef, providerStatus: ProviderStatus, createdAt: Date? = nil, title: String? = nil,
        folderID: String? = nil
    ) {
        self.ref = ref
        self.providerStatus = providerStatus
        self.state = JobState(providerStatus: providerStatus)
        self.createdAt = createdAt
        self.title = title
        self.folderID = folderID
    }
}
