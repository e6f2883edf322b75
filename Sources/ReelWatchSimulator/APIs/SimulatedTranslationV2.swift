import ReelWatch

/// HeyGen's v2 video translations, `GET /v2/video_translate/{id}` (retired on 2026-11-01; the same jobs answer on
/// v3): `pending`, `running`, then `success` with the video (and ASS captions when asked) or `failed`, under the
/// route's legacy notice; links unsigned as v3 translations' are.
struct SimulatedTranslationV2: SimulatedAPI {
    var api: ProviderAPI { .translateV2 }

    var statusRoute: String { "/heygen/v2/video_translate/:id" }

    func statusWord(phase: SimulatedPhase, outcome: SimulatedJob.Outcome) -> String {
        switch phase {
        case .waiting, .queued: "pending"
        case .processing: "running"
        case .done: outcome == .success ? "success" : "failed"
        }
    }

    func body(_ status: SimulatedStatus) -> JSONValue {
        let job = status.job
        let files = StatusBodies.files(for: job)
        return [
            "message": .string(StatusBodies.legacyMessage),
            "error": nil,
            "data": [
                "video_translate_id": .string(job.ref.id), "title": .optional(job.title),
                "output_language": .string(StatusBodies.outputLanguage), "status": .string(status.word),
                "url": status.link(.video, files: files), "message": .optional(status.failure?.message),
                "callback_id": .optional(job.callbackID), "caption_url": status.link(.captions, files: files),
            ],
        ]
    }

    /// The translated video, and with captions the ASS ones.
    func files(for job: SimulatedJob) -> [StatusBodies.File] {
        var files = [
            StatusBodies.File(name: "original.mp4", kind: .video, contentType: "video/mp4", size: job.videoSize)
        ]
        if job.captions {
            files.append(StatusBodies.File(name: "caption.ass", kind: .captions, contentType: "text/x-ass", size: 2048))
        }
        return files
    }

    var linkSigning: SimulatedLinkSigning { .attachment }

    /// HeyGen's v2 envelope: `{"code": 400112, "message": "Unauthorized", "data": null}`.
    var unauthorized: SimulatorResponse {
        .json(["code": 400112, "message": "Unauthorized", "data": nil], status: 401)
    }

    var notFound: SimulatorResponse {
        .json(["error": "Video translate not found", "data": nil], status: 404)
    }

    var documentedFailure: SimulatedJob.Outcome { SimulatedTranslation.documentedFailure }

    var sendsWebhooks: Bool { true }

    var webhookEvent: (kind: String, idKey: String)? { SimulatedTranslation.webhookEvent }

    var webhookFailureKey: String { "message" }

    var webhookExtraData: [String: JSONValue] { ["output_language": .string(StatusBodies.outputLanguage)] }
}
