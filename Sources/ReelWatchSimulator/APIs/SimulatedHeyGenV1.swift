import ReelWatch

/// HeyGen's v1 videos, `GET /v1/video_status.get?video_id=` (retired on 2026-11-01; the same jobs answer on v3):
/// `waiting`, `pending`, `processing`, then `completed` or `failed`, in the reference's shape (`code: 100`,
/// `data.id`, `data.error` an object) or the older guide's (``SimulatedJob/V1Edition/legacy``).
struct SimulatedHeyGenV1: SimulatedAPI {
    var api: ProviderAPI { .v1 }

    var statusRoute: String { "/heygen/v1/video_status.get" }

    /// The ID comes in the query: `?video_id=`.
    var statusIDParameter: String? { "video_id" }

    func statusWord(phase: SimulatedPhase, outcome: SimulatedJob.Outcome) -> String {
        switch phase {
        case .waiting: "waiting"
        case .queued: "pending"
        case .processing: "processing"
        case .done: outcome == .success ? "completed" : "failed"
        }
    }

    func body(_ status: SimulatedStatus) -> JSONValue {
        let job = status.job
        let files = StatusBodies.files(for: job)
        let failure = status.failure
        if job.v1Edition == .legacy {
            return [
                "error": nil,
                "data": [
                    "video_id": .string(job.ref.id), "status": .string(status.word),
                    "video_url": status.link(.video, files: files),
                    "thumbnail_url": status.link(.thumbnail, files: files),
                    "duration": status.succeeded ? .number(job.durationSeconds) : nil,
                    "error": .optional(failure.map { $0.detail ?? $0.message }),
                ],
            ]
        }
        let error: JSONValue =
            failure.map {
                [
                    "code": Double($0.code).map { .number($0) } ?? .string($0.code), "message": .string($0.message),
                    "detail": .optional($0.detail),
                ]
            } ?? nil
        return [
            "code": 100,
            "message": "Success",
            "data": [
                "callback_id": .optional(job.callbackID), "caption_url": status.link(.captions, files: files),
                "created_at": status.createdAt,
                "duration": status.succeeded ? .number(job.durationSeconds) : nil, "error": error,
                "gif_url": status.link(.gif, files: files), "id": .string(job.ref.id), "status": .string(status.word),
                "thumbnail_url": status.link(.thumbnail, files: files), "video_url": status.link(.video, files: files),
                "video_url_caption": status.link(.captionedVideo, files: files),
            ],
        ]
    }

    /// A v1 video's files are a v3 video's.
    func files(for job: SimulatedJob) -> [StatusBodies.File] { SimulatedHeyGenV3.videoFiles(for: job) }

    /// HeyGen's v1 envelope: `{"code": 400112, "message": "Unauthorized", "data": null}`.
    var unauthorized: SimulatorResponse {
        .json(["code": 400112, "message": "Unauthorized", "data": nil], status: 401)
    }

    var notFound: SimulatorResponse {
        .json(["code": 404, "message": "Video not found", "data": nil], status: 404)
    }

    var documentedFailure: SimulatedJob.Outcome {
        .failure(
            code: "40119",
            message: "Video is too long",
            detail: "Video is too long (> 3600.0s). Please upgrade your plan to generate longer videos"
        )
    }

    var sendsWebhooks: Bool { true }
}
