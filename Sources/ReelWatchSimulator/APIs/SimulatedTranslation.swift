import ReelWatch

/// HeyGen's v3 video translations, `GET /v3/video-translations/{id}`: `pending`, `running`, then `completed` with the
/// translated video, its audio (and SRT and VTT captions when asked) or `failed` with `failure_message`; the bulk
/// `GET /v3/video-translations/statuses?video_translation_ids=` and the list `GET /v3/video-translations`. Links are
/// unsigned (as the translation reference shows), ending `video_translate.*` webhook events.
struct SimulatedTranslation: SimulatedAPI {
    var api: ProviderAPI { .translate }

    var statusRoute: String { "/heygen/v3/video-translations/:id" }

    func statusWord(phase: SimulatedPhase, outcome: SimulatedJob.Outcome) -> String {
        switch phase {
        case .waiting, .queued: "pending"
        case .processing: "running"
        case .done: outcome == .success ? "completed" : "failed"
        }
    }

    func body(_ status: SimulatedStatus) -> JSONValue {
        let job = status.job
        let files = StatusBodies.files(for: job)
        func captionLink(_ ext: String) -> JSONValue {
            guard status.succeeded,
                let file = files.first(where: { $0.kind == .captions && $0.name.hasSuffix(".\(ext)") })
            else { return nil }
            return status.link(to: file)
        }
        var data: [String: JSONValue] = [
            "id": .string(job.ref.id), "status": .string(status.word), "title": .optional(job.title),
            "created_at": status.createdAt, "input_language": "English",
            "output_language": .string(StatusBodies.outputLanguage), "callback_id": .optional(job.callbackID),
            "translate_audio_only": false, "video_url": status.link(.video, files: files),
            "audio_url": status.link(.audio, files: files), "srt_caption_url": captionLink("srt"),
            "vtt_caption_url": captionLink("vtt"), "duration": status.succeeded ? .number(job.durationSeconds) : nil,
        ]
        if let failure = status.failure { data["failure_message"] = .string(failure.detail ?? failure.message) }
        return ["data": .object(data)]
    }

    /// The translated video and its audio, and with captions the SRT and VTT ones.
    func files(for job: SimulatedJob) -> [StatusBodies.File] {
        var files = [
            StatusBodies.File(name: "translated.mp4", kind: .video, contentType: "video/mp4", size: job.videoSize),
            StatusBodies.File(name: "audio.mp3", kind: .audio, contentType: "audio/mpeg", size: 64 * 1024),
        ]
        if job.captions {
            files.append(
                StatusBodies.File(
                    name: "captions.srt", kind: .captions, contentType: "application/x-subrip", size: 2048))
            files.append(StatusBodies.File(name: "captions.vtt", kind: .captions, contentType: "text/vtt", size: 2048))
        }
        return files
    }

    var linkSigning: SimulatedLinkSigning { .attachment }

    var notFound: SimulatorResponse {
        .json(["error": ["code": "not_found", "message": "Video translation not found"]], status: 404)
    }

    var documentedFailure: SimulatedJob.Outcome { Self.documentedFailure }

    /// The failure HeyGen documents for translations (v3 and v2 alike).
    static let documentedFailure = SimulatedJob.Outcome.failure(
        code: "translation_failed", message: "No speech was detected in the source video", detail: nil)

    var bulkRoute: (path: String, idParameter: String)? {
        ("/v3/video-translations/statuses", "video_translation_ids")
    }

    var listPath: String? { "/v3/video-translations" }

    var sendsWebhooks: Bool { true }

    var webhookEvent: (kind: String, idKey: String)? { Self.webhookEvent }

    /// `video_translate.success` and `.fail`, naming the job in `video_translate_id`.
    static let webhookEvent = (kind: "video_translate", idKey: "video_translate_id")

    /// A failed translation's event says why in `message`.
    var webhookFailureKey: String { "message" }

    /// Every translation event says the language.
    var webhookExtraData: [String: JSONValue] { ["output_language": .string(StatusBodies.outputLanguage)] }
}
