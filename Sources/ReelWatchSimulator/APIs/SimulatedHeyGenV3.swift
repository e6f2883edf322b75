import Foundation
import ReelWatch

/// HeyGen's v3 videos, `GET /v3/videos/{id}`: `pending`, `processing`, then `completed` with the video, thumbnail,
/// GIF (and captions when asked) or `failed` with `failure_code` and `failure_message`; the bulk
/// `GET /v3/videos/statuses?video_ids=` (which says `queued` for a job not yet rendering) and the list
/// `GET /v3/videos` (filtered by `folder_id` and `title`).
struct SimulatedHeyGenV3: SimulatedAPI {
    var api: ProviderAPI { .v3 }

    var statusRoute: String { "/heygen/v3/videos/:id" }

    func statusWord(phase: SimulatedPhase, outcome: SimulatedJob.Outcome) -> String {
        switch phase {
        case .waiting, .queued: "pending"
        case .processing: "processing"
        case .done: outcome == .success ? "completed" : "failed"
        }
    }

    /// The bulk route's word: `queued` before rendering, where the status route says `pending`.
    func bulkStatusWord(for job: SimulatedJob, phase: SimulatedPhase, elapsed: Duration) -> String {
        switch phase {
        case .waiting, .queued: "queued"
        case .processing: "processing"
        case .done: job.outcome == .success ? "completed" : "failed"
        }
    }

    func body(_ status: SimulatedStatus) -> JSONValue {
        let job = status.job
        let files = StatusBodies.files(for: job)
        var data: [String: JSONValue] = [
            "id": .string(job.ref.id), "status": .string(status.word), "title": .optional(job.title),
            "created_at": status.createdAt,
        ]
        if let failure = status.failure {
            data["failure_code"] = .string(failure.code)
            data["failure_message"] = .string(failure.detail ?? failure.message)
        } else {
            data.merge(
                [
                    "video_url": status.link(.video, files: files),
                    "thumbnail_url": status.link(.thumbnail, files: files),
                    "duration": status.succeeded ? .number(job.durationSeconds) : nil,
                    "completed_at": status.completedAt, "gif_url": status.link(.gif, files: files),
                    "captioned_video_url": status.link(.captionedVideo, files: files),
                    "subtitle_url": status.link(.captions, files: files), "folder_id": .optional(job.folderID),
                    "output_language": "en",
                    "video_page_url": .string("https://app.heygen.com/videos/\(BaseURL.encode(job.ref.id))"),
                ],
                uniquingKeysWith: { _, new in new }
            )
        }
        return ["data": .object(data)]
    }

    func files(for job: SimulatedJob) -> [StatusBodies.File] { Self.videoFiles(for: job) }

    /// A HeyGen video's files (v3 and v1 alike): the video, its thumbnail and GIF preview, and with captions the
    /// captioned video and the ASS captions.
    static func videoFiles(for job: SimulatedJob) -> [StatusBodies.File] {
        var files = [
            StatusBodies.File(name: "video.mp4", kind: .video, contentType: "video/mp4", size: job.videoSize),
            StatusBodies.File(name: "thumbnail.jpeg", kind: .thumbnail, contentType: "image/jpeg", size: 16 * 1024),
            StatusBodies.File(name: "preview.gif", kind: .gif, contentType: "image/gif", size: 32 * 1024),
        ]
        if job.captions {
            files.append(
                StatusBodies.File(
                    name: "caption.mp4", kind: .captionedVideo, contentType: "video/mp4", size: job.videoSize))
            files.append(StatusBodies.File(name: "caption.ass", kind: .captions, contentType: "text/x-ass", size: 2048))
        }
        return files
    }

    var notFound: SimulatorResponse {
        .json(["error": ["code": "not_found", "message": "Video not found"]], status: 404)
    }

    var documentedFailure: SimulatedJob.Outcome {
        .failure(code: "script_too_long", message: "Script too long for selected avatar", detail: nil)
    }

    var bulkRoute: (path: String, idParameter: String)? { ("/v3/videos/statuses", "video_ids") }

    var listPath: String? { "/v3/videos" }

    /// The list's `folder_id` filter, and its `title` filter (case-insensitive, part of the title).
    func listIncludes(_ job: SimulatedJob, folderID: String?, title: String?) -> Bool {
        if let folderID, job.folderID != folderID { return false }
        if let title, !title.isEmpty {
            guard let own = job.title, own.localizedCaseInsensitiveContains(title) else { return false }
        }
        return true
    }

    /// A listed video always says its folder (a failed one's status answer does not).
    func completeListEntry(_ fields: inout [String: JSONValue], of job: SimulatedJob) {
        if fields["folder_id"] == nil { fields["folder_id"] = .optional(job.folderID) }
    }

    var sendsWebhooks: Bool { true }
}
