import Foundation
import ReelWatch

/// HeyGen's AI clipping, `GET /v3/ai-clipping/{id}`: a job that cuts its clips one by one while it runs.
///
/// Clip `i` of `n` finishes `queueTime + renderTime × (i + 1) / n` after the job was added (the last as the job
/// completes); `clips` stays empty until the first has, then lists every clip, each one's fields null until it
/// completes. A clip the job says fails is `failed` from its time on; a job that fails (or is cancelled: a failure
/// whose code is `cancelled`) keeps the clips it finished, and the rest fail with it. A finished clip's video and
/// thumbnail can be fetched from its time on, while the job still runs.
struct SimulatedClip: SimulatedAPI {
    var api: ProviderAPI { .clip }

    var statusRoute: String { "/heygen/v3/ai-clipping/:id" }

    /// `pending`, `running`, then `completed`, `failed`, or `cancelled` for a failure whose code says so.
    func statusWord(phase: SimulatedPhase, outcome: SimulatedJob.Outcome) -> String {
        switch phase {
        case .waiting, .queued: return "pending"
        case .processing: return "running"
        case .done:
            guard case .failure(let code, _, _) = outcome else { return "completed" }
            return code == "cancelled" ? "cancelled" : "failed"
        }
    }

    func body(_ status: SimulatedStatus) -> JSONValue {
        let job = status.job
        let elapsed =
            CheckedConversion.duration(seconds: max(0, status.times.now.timeIntervalSince(status.times.created)))
            ?? .zero
        let files = self.files(for: job)
        let finished = job.clips.indices.filter { Self.finishes(clip: $0, of: job, by: elapsed) }
        var clips: [JSONValue] = []
        if !finished.isEmpty {
            clips = job.clips.enumerated().map { index, clip in
                let id = JSONValue.string(Self.clipID(index, of: job))
                let over = finished.contains(index)
                let failed = (over && clip.fails) || (!over && status.failure != nil)
                guard over, !failed else {
                    return [
                        "id": id, "status": failed ? "failed" : "pending", "video_url": nil, "thumbnail_url": nil,
                        "title": nil, "duration_seconds": nil, "aspect_ratio": nil, "virality_score": nil,
                    ]
                }
                func link(_ kind: AssetKind) -> JSONValue {
                    files.first { $0.output == index && $0.kind == kind }.map(status.link(to:)) ?? nil
                }
                return [
                    "id": id, "status": "completed", "video_url": link(.video), "thumbnail_url": link(.thumbnail),
                    "title": .optional(clip.title), "duration_seconds": .number(Double(15 + 5 * index)),
                    "aspect_ratio": .string(clip.aspectRatio), "virality_score": .number(Double(90 - 7 * index)),
                ]
            }
        }
        let progress: Double
        switch status.phase {
        case .waiting, .queued: progress = 0
        case .processing: progress = min(99, 100 * ((elapsed - job.queueTime) / max(job.renderTime, .seconds(1))))
        case .done: progress = 100
        }
        let cancelled = status.word == "cancelled"
        return [
            "data": [
                "id": .string(job.ref.id), "status": .string(status.word), "progress": .number(progress.rounded(.down)),
                "clips": .array(clips), "source_duration": .number(job.durationSeconds * 10), "input_language": "en",
                "failure_message": cancelled ? nil : .optional(status.failure.map { $0.detail ?? $0.message }),
                "created_at": status.createdAt, "title": .optional(job.title), "callback_id": .optional(job.callbackID),
            ]
        ]
    }

    /// Each clip's video and thumbnail, for every clip that does not fail.
    func files(for job: SimulatedJob) -> [StatusBodies.File] {
        job.clips.enumerated().flatMap { index, clip -> [StatusBodies.File] in
            guard !clip.fails else { return [] }
            return [
                StatusBodies.File(
                    name: "clip-\(index).mp4", kind: .video, contentType: "video/mp4", size: job.videoSize,
                    output: index),
                StatusBodies.File(
                    name: "clip-\(index).jpg", kind: .thumbnail, contentType: "image/jpeg", size: 8 * 1024,
                    output: index),
            ]
        }
    }

    /// Only the phase known: nothing (the simulator asks with the time).
    func canFetch(_ file: StatusBodies.File, of job: SimulatedJob, in phase: SimulatedPhase) -> Bool { false }

    /// A clip's files from the moment it finishes, while the job runs and after.
    func canFetch(
        _ file: StatusBodies.File, of job: SimulatedJob, in phase: SimulatedPhase, after elapsed: Duration
    ) -> Bool {
        guard let index = file.output else { return false }
        return Self.finishes(clip: index, of: job, by: elapsed)
    }

    var notFound: SimulatorResponse {
        .json(["error": ["code": "not_found", "message": "AI clipping job not found"]], status: 404)
    }

    var documentedFailure: SimulatedJob.Outcome {
        .failure(code: "clipping_failed", message: "The source video could not be processed", detail: nil)
    }

    /// Whether clip `index` of `job` has finished (completed, or failed) `elapsed` after the job was added: at
    /// `queueTime + renderTime × (index + 1) / n`, unless the job failed before.
    static func finishes(clip index: Int, of job: SimulatedJob, by elapsed: Duration) -> Bool {
        guard job.clips.indices.contains(index) else { return false }
        let end = job.queueTime + job.renderTime
        let at = job.queueTime + job.renderTime * (index + 1) / job.clips.count
        return elapsed >= at && (at < end || job.outcome == .success)
    }

    /// The ID of clip `index` of `job`.
    static func clipID(_ index: Int, of job: SimulatedJob) -> String {
        "\(job.ref.id)-clip-\(index)"
    }
}
