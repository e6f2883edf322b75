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
        default: self = .unknown
        }
    }

    /// Whether the render is over: `succeeded` or `failed`.
    public var isTerminal: Bool { self == .succeeded || self == .failed }
}
