import Foundation

/// The normalized state of a render, the same for every provider.
public enum JobState: String, Sendable, Hashable, Codable, CaseIterable {
    /// Accepted and waiting to start (HeyGen `waiting`, `pending`, `queued`).
    case queued
    /// Rendering (`processing`, `running`, `in-progress`).
    case processing
    /// Finished; its files can be fetched (`completed`, `success`).
    case succeeded
    /// Finished without a result (`failed`).
    case failed
    /// Stopped before it finished, by a person or the provider (`cancelled`): a failure with the reason
    /// "cancelled".
    case cancelled
    /// Waiting for a person (a Video Agent session's `waiting_for_input` or `reviewing`): not over, not a failure.
    case needsInput = "needs_input"
    /// A status reelwatch has never seen; kept verbatim, treated as still running.
    case unknown

    /// Maps a provider's status word to a state; words never seen before map to `unknown`.
    public init(providerStatus: ProviderStatus) {
        let word = providerStatus.rawValue.trimmingWhitespace().lowercased()
            .replacingOccurrences(ofASCII: "_", with: "-")
        switch word {
        case "waiting", "pending", "queued", "queueing", "submitted": self = .queued
        case "processing", "running", "in-progress", "rendering": self = .processing
        case "completed", "complete", "success", "succeeded", "done": self = .succeeded
        case "failed", "failure", "error": self = .failed
        case "cancelled", "canceled": self = .cancelled
        case "waiting-for-input", "reviewing", "needs-input": self = .needsInput
        default: self = .unknown
        }
    }

    /// Whether the render is over: `succeeded`, `failed` or `cancelled`.
    public var isTerminal: Bool { self == .succeeded || isFailure }

    /// Whether the render ended without a result: `failed` or `cancelled`.
    public var isFailure: Bool { self == .failed || self == .cancelled }
}
