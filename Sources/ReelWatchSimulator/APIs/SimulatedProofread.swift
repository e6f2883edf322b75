import ReelWatch

/// HeyGen's translation proofreads, `GET /v3/video-translations/proofreads/{id}` (`processing`, then `completed`
/// or `failed` with `failure_message`), whose captions come from `GET …/proofreads/{id}/srt` once completed; each
/// ending sends `proofread_creation.success` or `.fail`.
struct SimulatedProofread: SimulatedAPI {
    var api: ProviderAPI { .proofread }

    var statusRoute: String { "/heygen/v3/video-translations/proofreads/:id" }

    func statusWord(phase: SimulatedPhase, outcome: SimulatedJob.Outcome) -> String {
        switch phase {
        case .waiting, .queued, .processing: "processing"
        case .done: outcome == .success ? "completed" : "failed"
        }
    }

    func body(_ status: SimulatedStatus) -> JSONValue {
        [
            "data": [
                "id": .string(status.job.ref.id), "status": .string(status.word), "title": .optional(status.job.title),
                "failure_message": .optional(status.failure.map { $0.detail ?? $0.message }),
                "input_language": "English", "output_language": .string(StatusBodies.outputLanguage),
                "created_at": status.createdAt, "submitted_for_review": false,
            ]
        ]
    }

    /// The translated captions, then the original ones.
    func files(for job: SimulatedJob) -> [StatusBodies.File] {
        ["translated.srt", "original.srt"].map {
            StatusBodies.File(name: $0, kind: .captions, contentType: "application/x-subrip", size: 2048)
        }
    }

    var notFound: SimulatorResponse {
        .json(["error": ["code": "not_found", "message": "Proofread not found"]], status: 404)
    }

    /// HeyGen documents no failure payload for proofreads: a plausible one.
    var documentedFailure: SimulatedJob.Outcome {
        .failure(code: "proofread_failed", message: "The translation has no speech to proofread", detail: nil)
    }

    var sendsWebhooks: Bool { true }

    /// HeyGen does not say which `event_data` key names the proofread: `proofread_id` is assumed.
    var webhookEvent: (kind: String, idKey: String)? { ("proofread_creation", "proofread_id") }

    /// `GET …/proofreads/{id}/srt`: the two links once the proofread completed, else 404.
    var extraRoutes: [SimulatedRoute] {
        [
            SimulatedRoute(route: "/heygen/v3/video-translations/proofreads/:id/srt") { status in
                guard status.succeeded else {
                    return .json(["error": ["code": "not_found", "message": "Proofread SRT not ready"]], status: 404)
                }
                let files = files(for: status.job)
                return .json([
                    "data": ["srt_url": status.link(to: files[0]), "original_srt_url": status.link(to: files[1])]
                ])
            }
        ]
    }
}
