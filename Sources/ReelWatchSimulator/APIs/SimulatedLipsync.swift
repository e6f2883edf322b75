import ReelWatch

/// HeyGen's lipsyncs as the simulator plays them: `GET /v3/lipsyncs/{id}` answering `{"data": {id, status
/// (pending|running|completed|failed), video_url, caption_url, failure_message, duration, created_at, title,
/// callback_id}}`, the bulk `GET /v3/lipsyncs/statuses?lipsync_ids=` and the list `GET /v3/lipsyncs`.
struct SimulatedLipsync: SimulatedAPI {
    /// HeyGen's lipsyncs.
    var api: ProviderAPI { .lipsync }

    /// `/heygen/v3/lipsyncs/:id`.
    var statusRoute: String { "/heygen/v3/lipsyncs/:id" }

    /// `pending` until it renders, `running` while it does, then `completed` or `failed`.
    func statusWord(phase: SimulatedPhase, outcome: SimulatedJob.Outcome) -> String {
        switch phase {
        case .waiting, .queued: "pending"
        case .processing: "running"
        case .done: outcome == .success ? "completed" : "failed"
        }
    }

    /// Every field of HeyGen's schema; the links, the duration and the failure message are null until they apply.
    func body(_ status: SimulatedStatus) -> JSONValue {
        let files = self.files(for: status.job)
        return [
            "data": [
                "id": .string(status.job.ref.id), "status": .string(status.word), "title": .optional(status.job.title),
                "created_at": status.createdAt, "callback_id": .optional(status.job.callbackID),
                "video_url": status.link(.video, files: files), "caption_url": status.link(.captions, files: files),
                "duration": status.succeeded ? .number(status.job.durationSeconds) : nil,
                "failure_message": .optional(status.failure.map { $0.detail ?? $0.message }),
            ]
        ]
    }

    /// The dubbed video, and its SRT captions when the job has captions.
    func files(for job: SimulatedJob) -> [StatusBodies.File] {
        var files = [
            StatusBodies.File(name: "lipsync.mp4", kind: .video, contentType: "video/mp4", size: job.videoSize)
        ]
        if job.captions {
            files.append(
                StatusBodies.File(
                    name: "captions.srt", kind: .captions, contentType: "application/x-subrip", size: 2048))
        }
        return files
    }

    /// HeyGen v3's 404 shape.
    var notFound: SimulatorResponse {
        .json(["error": ["code": "not_found", "message": "Lipsync not found"]], status: 404)
    }

    /// HeyGen documents no lipsync failure; this one is the simulator's own, in the `failure_message` field.
    var documentedFailure: SimulatedJob.Outcome {
        .failure(code: "lipsync_failed", message: "No face was found in the source video", detail: nil)
    }

    /// `/v3/lipsyncs/statuses`, IDs in `lipsync_ids`.
    var bulkRoute: (path: String, idParameter: String)? { ("/v3/lipsyncs/statuses", "lipsync_ids") }

    /// `/v3/lipsyncs`.
    var listPath: String? { "/v3/lipsyncs" }
}
