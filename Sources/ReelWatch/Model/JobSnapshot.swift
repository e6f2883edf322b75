import Foundation

/// The normalized status of one render at one moment: what every command, store and tool renders.
///
/// Its JSON form has exactly these snake_case keys, absent values as `null`: `ref`, `provider`,
/// `api`, `id`, `state`, `provider_status`, `title`, `duration_seconds`, `created_at`,
/// `completed_at`, `callback_id`, `output_language`, `page_url`, `progress`, `agent_message`, `handover`, `members`,
/// `failure`, `assets`.
public struct JobSnapshot: Sendable, Hashable, Codable {
    /// The job this is the status of.
    public var ref: JobRef
    /// The normalized state.
    public var state: JobState
    /// The provider's status word, verbatim.
    public var providerStatus: ProviderStatus?
    /// The video's title.
    public var title: String?
    /// The video's length in seconds.
    public var durationSeconds: Double?
    /// When the job was created.
    public var createdAt: Date?
    /// When the render finished.
    public var completedAt: Date?
    /// The caller's own ID for the job, echoed in webhooks.
    public var callbackID: String?
    /// The language of a translation or of the video.
    public var outputLanguage: String?
    /// A page at the provider where a person can see the video or project.
    public var pageURL: String?
    /// Why the render failed, when it did.
    public var failure: JobFailure?
    /// The files of the render (or, for Hera, its requested outputs).
    public var assets: [Asset]

    /// Creates a snapshot.
    public init(
        ref: JobRef,
        state: JobState,
        providerStatus: ProviderStatus? = nil,
        title: String? = nil,
        durationSeconds: Double? = nil,
        createdAt: Date? = nil,
        completedAt: Date? = nil,
        callbackID: String? = nil,
        outputLanguage: String? = nil,
        pageURL: String? = nil,
        failure: JobFailure? = nil,
        assets: [Asset] = [],
        progress: Int? = nil,
        agentMessage: String? = nil,
        handover: JobRef? = nil,
        members: [JobRef] = []
    ) {
        self.ref = ref
        self.state = state
        self.providerStatus = providerStatus
        self.title = title
        self.durationSeconds = durationSeconds
        self.createdAt = createdAt
        self.completedAt = completedAt
        self.callbackID = callbackID
        self.outputLanguage = outputLanguage
        self.pageURL = pageURL
        self.failure = failure
        self.assets = assets
        self.progress = progress.map { min(max($0, 0), 100) }
        self.agentMessage = agentMessage
        self.handover = handover
        self.members = members
    }

    /// How far the render is, 0–100, where the API says (HeyGen's Video Agent sessions and AI clipping jobs);
    /// nil where it gives none.
    public var progress: Int?
    /// What a Video Agent said last, sanitized and at most ``agentMessageLimit`` characters: what the session waits
    /// for a person to answer while it `needs_input`.
    public var agentMessage: String?

    /// The job whose status decides this one's outcome and whose files are this one's files: a Video Agent
    /// session's video (`heygen:VIDEO_ID`) once the session names it; nil for every other job.
    public var handover: JobRef?

    /// The jobs a batch's items became (``MemberListingProvider``), in item order, each followed as a job of its
    /// own; empty for every other job.
    public var members: [JobRef]

    /// The most characters of an agent's message a snapshot keeps.
    public static let agentMessageLimit = 500

    /// The provider that renders the job.
    public var provider: ProviderName { ref.provider }

    /// Why the render failed as one line: the provider's failure, or `cancelled` for a render cancelled without
    /// one; nil when there is no reason to give.
    public var failureReason: String? {
        failure?.summary ?? (state == .cancelled ? "cancelled" : nil)
    }
    /// The provider API the status came from.
    public var api: ProviderAPI { ref.api }
    /// The provider's ID of the job.
    public var id: String { ref.id }

    private enum CodingKeys: String, CodingKey, CaseIterable {
        case ref, provider, api, id, state, title, failure, assets
        case providerStatus = "provider_status"
        case durationSeconds = "duration_seconds"
        case createdAt = "created_at"
        case completedAt = "completed_at"
        case callbackID = "callback_id"
        case outputLanguage = "output_language"
        case pageURL = "page_url"
        case progress
        case agentMessage = "agent_message"
        case handover
        case members
    }

    /// The JSON keys of a snapshot, in the order they are documented.
    public static let jsonKeys: [String] = [
        "ref", "provider", "api", "id", "state", "provider_status", "title", "duration_seconds", "created_at",
        "completed_at", "callback_id", "output_language", "page_url", "progress", "agent_message", "handover",
        "members", "failure", "assets",
    ]

    /// Decodes a snapshot from its JSON form.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        ref = try c.decode(JobRef.self, forKey: .ref)
        state = try c.decode(JobState.self, forKey: .state)
        providerStatus = try c.decodeIfPresent(ProviderStatus.self, forKey: .providerStatus)
        title = try c.decodeIfPresent(String.self, forKey: .title)
        durationSeconds = try c.decodeIfPresent(Double.self, forKey: .durationSeconds)
        createdAt = try c.decodeIfPresent(ISO8601Timestamp.self, forKey: .createdAt)?.date
        completedAt = try c.decodeIfPresent(ISO8601Timestamp.self, forKey: .completedAt)?.date
        callbackID = try c.decodeIfPresent(String.self, forKey: .callbackID)
        outputLanguage = try c.decodeIfPresent(String.self, forKey: .outputLanguage)
        pageURL = try c.decodeIfPresent(String.self, forKey: .pageURL)
        failure = try c.decodeIfPresent(JobFailure.self, forKey: .failure)
        assets = try c.decodeIfPresent([Asset].self, forKey: .assets) ?? []
        progress = try c.decodeIfPresent(Int.self, forKey: .progress)
        agentMessage = try c.decodeIfPresent(String.self, forKey: .agentMessage)
        handover = try c.decodeIfPresent(JobRef.self, forKey: .handover)
        members = try c.decodeIfPresent([JobRef].self, forKey: .members) ?? []
    }

    /// Encodes every documented key, absent values as `null`.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(ref, forKey: .ref)
        try c.encode(provider, forKey: .provider)
        try c.encode(api, forKey: .api)
        try c.encode(id, forKey: .id)
        try c.encode(state, forKey: .state)
        try c.encode(providerStatus, forKey: .providerStatus)
        try c.encode(title, forKey: .title)
        try c.encode(durationSeconds, forKey: .durationSeconds)
        try c.encode(createdAt.map(ISO8601Timestamp.init), forKey: .createdAt)
        try c.encode(completedAt.map(ISO8601Timestamp.init), forKey: .completedAt)
        try c.encode(callbackID, forKey: .callbackID)
        try c.encode(outputLanguage, forKey: .outputLanguage)
        try c.encode(pageURL, forKey: .pageURL)
        try c.encode(failure, forKey: .failure)
        try c.encode(assets, forKey: .assets)
        try c.encode(progress, forKey: .progress)
        try c.encode(agentMessage, forKey: .agentMessage)
        try c.encode(handover, forKey: .handover)
        try c.encode(members, forKey: .members)
    }

    /// The snapshot as one line of JSON (keys sorted), for JSON Lines output.
    public func jsonLine() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding a value made only of strings, numbers and nulls cannot fail.
        let data = (try? encoder.encode(self)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
