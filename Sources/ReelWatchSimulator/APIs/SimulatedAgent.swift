import Foundation
import ReelWatch

extension SimulatedJob {
    /// How a simulated Video Agent session plays out: the video it generates, and what it asks while it waits for a
    /// person (when: the job's ``needsInputDuring``).
    public struct Agent: Sendable, Hashable {
        /// The ID of the video the session generates, named from when generation starts (a `heygen:` job with this
        /// ID added to the simulator is the video; else the simulator plays one that ends as the session does).
        public var videoID: String
        /// What the agent says while it waits (provider text: may be hostile).
        public var question: String

        /// A session that generates `videoID`.
        public init(videoID: String, question: String = "Which avatar should present the video?") {
            self.videoID = videoID
            self.question = question
        }
    }
}

/// HeyGen's Video Agent sessions, `GET /v3/video-agents/{session_id}`: `thinking` while queued (or
/// `waiting_for_input` in the session's input window), `generating` while its video renders, then `completed` or
/// `failed`; `video_id` from generation on, `messages` newest first.
struct SimulatedAgent: SimulatedAPI {
    var api: ProviderAPI { .agent }
    var statusRoute: String { "/heygen/v3/video-agents/:id" }
    var listPath: String? { "/v3/video-agents" }
    var needsInputWord: String? { "waiting_for_input" }
    var sendsWebhooks: Bool { true }
    var webhookEvent: (kind: String, idKey: String)? { ("video_agent", "session_id") }

    var notFound: SimulatorResponse {
        .json(["error": ["code": "not_found", "message": "Video agent session not found"]], status: 404)
    }

    var documentedFailure: SimulatedJob.Outcome {
        .failure(code: "agent_failed", message: "The agent could not make a video from the prompt", detail: nil)
    }

    func statusWord(phase: SimulatedPhase, outcome: SimulatedJob.Outcome) -> String {
        switch phase {
        case .waiting, .queued: "thinking"
        case .processing: "generating"
        case .done: outcome == .success ? "completed" : "failed"
        }
    }

    func files(for job: SimulatedJob) -> [StatusBodies.File] { [] }

    /// The ID of the video `job` generates: its script's, else `video-of-` and the session's ID.
    static func videoID(of job: SimulatedJob) -> String {
        job.agent?.videoID ?? "video-of-" + job.ref.id
    }

    /// The session among `entries` that generates the video `ref` (a `heygen:` ref), if any.
    static func session(generating ref: JobRef, in entries: some Sequence<Simulator.Entry>) -> Simulator.Entry? {
        guard ref.api == .v3 else { return nil }
        return entries.first { $0.job.ref.api == .agent && videoID(of: $0.job) == ref.id }
    }

    /// The video a session generates when the simulator was not given it: it renders while the session generates,
    /// and ends as the session does.
    static func video(of session: SimulatedJob) -> SimulatedJob {
        var video = session
        video.ref = JobRef(api: .v3, id: videoID(of: session))
        video.agent = nil
        if case .failure = session.outcome { video.outcome = SimulatedJob.documentedFailure(for: .v3) }
        return video
    }

    func body(_ status: SimulatedStatus) -> JSONValue {
        let script = status.job.agent
        let word = status.word
        let waiting = word == needsInputWord
        // The video exists from generation on; a session that failed without generating never named one.
        let generating =
            status.phase == .processing
            || status.done && (status.job.outcome == .success || status.job.renderTime > .zero)
        var messages: [JSONValue] = [
            [
                "role": "user", "type": "text", "content": "Make a 60 second product video",
                "created_at": status.createdAt,
            ]
        ]
        if waiting || generating, let script {
            let question: JSONValue = [
                "role": "model", "type": "text", "content": .string(script.question), "created_at": status.createdAt,
            ]
            messages.insert(question, at: 0)
        }
        if generating {
            let news: JSONValue = [
                "role": "model", "type": "text", "content": "Generating your video now", "created_at": status.createdAt,
            ]
            messages.insert(news, at: 0)
        }
        let elapsed = Duration.seconds(status.times.now.timeIntervalSince(status.times.created))
        let total = status.job.queueTime + status.job.renderTime
        let progress = status.done || total <= .zero ? 100 : Int(100 * min(1, max(0, elapsed / total)))
        var data: [String: JSONValue] = [
            "session_id": .string(status.job.ref.id), "status": .string(word), "title": .optional(status.job.title),
            "created_at": status.createdAt, "progress": .number(Double(progress)),
            "video_id": generating ? .string(Self.videoID(of: status.job)) : nil, "messages": .array(messages),
        ]
        if let failure = status.failure { data["failure_message"] = .string(failure.message) }
        return ["data": .object(data)]
    }
}
