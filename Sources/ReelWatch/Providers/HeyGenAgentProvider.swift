import HTTPTypes

/// HeyGen's Video Agent sessions: `GET {heygen}/v3/video-agents/{session_id}`.
///
/// A session thinks (`thinking`), may wait for a person (`waiting_for_input`, `reviewing`: ``JobState/needsInput``)
/// and generates (`generating`) a video it names in `video_id`. From then on the session hands over to that video:
/// the job's files are the video's, and the video's status decides success or failure (``JobSnapshot/handover``).
public struct HeyGenAgentProvider: HeyGenProvider, RenderListProvider {
    /// Creates the adapter.
    public init() {}

    /// Always `.agent`.
    public var api: ProviderAPI { .agent }
    /// `heygen-agent` (refs `heygen-agent:SESSION_ID`).
    public var refPrefix: String { "heygen-agent" }
    /// `/v3/video-agents/{id}`.
    public var statusRoute: String { "/v3/video-agents/{id}" }
    /// The keys that name the job in a status answer.
    public var identityKeys: [String] { ["session_id", "id"] }
    /// Sessions take 20–45 minutes (HeyGen's CLI documentation), longer when an account runs many at once.
    public var renderTimeModel: RenderTimeModel { .heygenVideoAgent }
    /// `video_agent.success` and `video_agent.fail` announce a session's end.
    public var webhookEventKinds: [String] { ["video_agent"] }
    /// HeyGen does not document the events' fields: the session's ID under `session_id`, else `id`.
    public var webhookIDKeys: [String] { ["session_id", "id"] }

    /// `agents`, the word `track sync --kinds` knows this list by.
    public var listKind: String { "agents" }

    /// Sessions are listed without folders.
    public var listsByFolder: Bool { false }

    /// `GET /v3/video-agents?limit=N[&token=T]`.
    public func listRequest(token: String?, limit: Int, folderID: String?, baseURL: BaseURL) -> HTTPRequest {
        HeyGenRenderList.request(path: "/v3/video-agents", token: token, limit: limit, folderID: nil, baseURL: baseURL)
    }

    /// Reads `{"data": [{"session_id", "status", "title", "created_at", …}], "has_more", "next_token"}`: entries are
    /// keyed `session_id` (else `id`).
    public func listPage(from body: JSONValue, httpStatus: Int) throws(ReelWatchError) -> RenderListPage {
        try HeyGenRenderList.page(body, api: api, httpStatus: httpStatus, idKeys: ["session_id", "id"])
    }

    /// Reads `{"data": {"session_id", "status", "progress", "video_id", "title", "created_at", "messages": [...]}}`:
    /// `thinking` and `generating` are processing, `waiting_for_input` and `reviewing` need input; the newest
    /// message of the model is the snapshot's `agent_message`, a named `video_id` its handover.
    public func snapshot(from body: JSONValue, ref: JobRef, httpStatus: Int) throws(ReelWatchError) -> JobSnapshot {
        let (envelope, status) = try statusAnswer(body, ref: ref, httpStatus: httpStatus)
        var snapshot = envelope.snapshot(ref: ref, status: status, assets: [])
        switch status.rawValue.trimmingWhitespace().lowercased() {
        case "thinking", "generating": snapshot.state = .processing
        default: break
        }
        snapshot.progress = envelope.data["progress"]?.percent
        snapshot.agentMessage = Self.newestModelMessage(envelope.data["messages"])
        if let video = envelope.data["video_id"]?.text, Self.isUsableID(video) {
            snapshot.handover = JobRef(api: .v3, id: video)
        }
        return snapshot
    }

    /// The newest message the model sent (messages come newest first), printable and at most
    /// ``JobSnapshot/agentMessageLimit`` characters.
    static func newestModelMessage(_ messages: JSONValue?) -> String? {
        guard let messages = messages?.arrayValue else { return nil }
        for message in messages where message["role"]?.text?.lowercased() == "model" {
            guard let content = message["content"]?.text, !content.trimmingWhitespace().isEmpty else { continue }
            let limit = JobSnapshot.agentMessageLimit
            let shown = ReelWatchError.printable(content.trimmingWhitespace(), limit: limit)
            return shown.count <= limit ? shown : String(shown.prefix(limit - 1)) + "…"
        }
        return nil
    }

    /// Whether `id` can name a video: what a ref would accept (no control characters or spaces, not a path step,
    /// not too long).
    static func isUsableID(_ id: String) -> Bool {
        (try? JobRef(parsing: "heygen:" + id)) != nil
    }
}

extension ProviderAPI {
    /// HeyGen's Video Agent sessions, `GET /v3/video-agents/{session_id}`.
    public static let agent = ProviderAPI(declaring: "agent")
}
