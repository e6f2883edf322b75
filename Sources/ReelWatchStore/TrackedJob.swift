import Foundation
import ReelWatch

/// A job the store remembers until its files are safely on disk: what the user said about it, the latest
/// snapshot, where polling stands and which files have landed.
public struct TrackedJob: Sendable, Hashable {
    /// Where a tracked job is in its life.
    public enum Phase: String, Sendable, Hashable, Codable, CaseIterable {
        /// Still polled: the render has not reached a terminal state.
        case polling
        /// The render succeeded; its files are still to be downloaded.
        case downloading
        /// Nothing left to do: failed, or succeeded with every file on disk (or no download asked for).
        case done
    }

    /// The job.
    public var ref: JobRef
    /// A free-form name the user gave it.
    public var label: String?
    /// Free-form `key=value` metadata.
    public var meta: [String: String]
    /// When it was first tracked.
    public var addedAt: Date
    /// When anything about it last changed.
    public var updatedAt: Date
    /// The latest answer from the provider; nil until the first poll.
    public var snapshot: JobSnapshot?
    /// Where it is in its life.
    public var phase: Phase
    /// When it is next due for a poll.
    public var nextPollAt: Date
    /// How many status calls it has had.
    public var polls: Int
    /// Polls made in the backoff phase of its poll schedule (overdue or unknown state); the schedule's exponential
    /// backoff continues from it.
    public var backoffPolls: Int
    /// Where its files go once it succeeds; nil to only follow it.
    public var downloadDirectory: String?
    /// The last error polling or downloading met, for display; cleared by the next success.
    public var lastError: String?
    /// Its files, as far as they have come.
    public var files: [TrackedFile]

    /// Creates a tracked job as the store returns it.
    public init(
        ref: JobRef,
        label: String? = nil,
        meta: [String: String] = [:],
        addedAt: Date,
        updatedAt: Date,
        snapshot: JobSnapshot? = nil,
        phase: Phase = .polling,
        nextPollAt: Date,
        polls: Int = 0,
        backoffPolls: Int = 0,
        downloadDirectory: String? = nil,
        lastError: String? = nil,
        files: [TrackedFile] = []
    ) {
        self.ref = ref
        self.label = label
        self.meta = meta
        self.addedAt = addedAt
        self.updatedAt = updatedAt
        self.snapshot = snapshot
        self.phase = phase
        self.nextPollAt = nextPollAt
        self.polls = polls
        self.backoffPolls = backoffPolls
        self.downloadDirectory = downloadDirectory
        self.lastError = lastError
        self.files = files
    }

    /// The render's state; nil before the first answer.
    public var state: JobState? { snapshot?.state }
}
