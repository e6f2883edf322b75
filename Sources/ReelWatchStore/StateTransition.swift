import Foundation
import ReelWatch

/// One change of a tracked job's state, as first seen.
public struct StateTransition: Sendable, Hashable {
    /// The state it moved to.
    public var state: JobState
    /// The provider's word for it, verbatim.
    public var providerStatus: String?
    /// When reelwatch saw it.
    public var at: Date

    /// Creates a transition.
    public init(state: JobState, providerStatus: String?, at: Date) {
        self.state = state
        self.providerStatus = providerStatus
        self.at = at
    }
}
