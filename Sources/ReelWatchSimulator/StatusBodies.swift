import Foundation
import ReelWatch

/// The simulator's answers, shaped exactly as the providers' documents show them.
enum StatusBodies {
    /// Wall-clock times of a job.
    struct Times {
        var created: Date
        var completed: Date
        var now: Date
        /// How long links stay valid from now, in seconds; negative for links that have expired.
        var linkLifetime: Double
    }

    /// A file a finished job offers.
    struct File {
        var name: String
        var kind: AssetKind
        var contentType: String
        var size: Int
        /// For Hera: the output it belongs to.
        var output: Int?
    }

    /// The answer to a status request for `job` in `phase`.
    static func body(
        for job: SimulatedJob,
        phase: SimulatedPhase,
        statusOverride: String?,
        times: Times,
        fileBase: String,
        query: [String: String] = [:]
    ) -> JSONValue {
        if let simulated = SimulatedAPIs.of(job.ref.api) {
            let elapsed = Duration.milliseconds(
                CheckedConversion.int64((times.now.timeIntervalSince(times.created) * 1000).rounded()) ?? 0)
            let word = statusOverride ?? simulated.statusWord(for: job, phase: phase, elapsed: elapsed)
            return simulated.body(
                SimulatedStatus(job: job, phase: phase, word: word, times: times, fileBase: fileBase, query: query))
        }
        let word = statusOverride ?? statusWord(api: job.ref.api, phase: phase, outcome: job.outcome)
        let done = phase == .done
        let succeeded = done && job.outcome == .success
        let files = succeeded || job.ref.api == .hera ? self.files(for: job) : []
        func link(_ kind: AssetKind) -> JSONValue {
            guard succeeded, let file = files.first(where: { $0.kind == kind }) else { return .null }
            return .string(url(of: file, job: job, base: fileBase, times: times))
        }
        func captionLink(_ ext: String) -> String? {
            guard succeeded, let file = files.first(where: { $0.kind == .captions && $0.name.hasSuffix(".\(ext)") })
            else { return nil }
            return url(of: file, job: job, base: fileBase, times: times)
        }
        let failure: (code: String, message: String, detail: String?)? =
            if done, case .failure(let code, let message, let detail) = job.outcome { (code, message, detail) } else {
                nil
            }
        switch job.ref.api {
        case .v1 where job.v1Edition == .legacy:
            return [
                "error": nil,
                "data": [
                    "video_id": .string(job.ref.id), "status": .string(word),
                    "video_url": link(.video), "thumbnail_url": link(.thumbnail),
                    "duration": succeeded ? .number(job.durationSeconds) : nil,
                    "error": .optional(failure.map { $0.detail ?? $0.message }),
                ],
            ]
        case .v1:
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
                    "callback_id": .optional(job.callbackID), "caption_url": link(.captions),
                    "created_at": .number(times.created.timeIntervalSince1970.rounded(.down)),
                    "duration": succeeded ? .number(job.durationSeconds) : nil, "error": error,
                    "gif_url": link(.gif), "id": .string(job.ref.id), "status": .string(word),
                    "thumbnail_url": link(.thumbnail), "video_url": link(.video),
                    "video_url_caption": link(.captionedVideo),
                ],
            ]
        case .v3:
            var data: [String: JSONValue] = [
                "id": .string(job.ref.id), "status": .string(word), "title": .optional(job.title),
                "created_at": .number(times.created.timeIntervalSince1970.rounded(.down)),
            ]
            if let failure {
                data["failure_code"] = .string(failure.code)
                data["failure_message"] = .string(failure.detail ?? failure.message)
            } else {
                data.merge(
                    [
                        "video_url": link(.video), "thumbnail_url": link(.thumbnail),
                        "duration": succeeded ? .number(job.durationSeconds) : nil,
                        "completed_at": succeeded ? .number(times.completed.timeIntervalSince1970.rounded(.down)) : nil,
                        "gif_url": link(.gif), "captioned_video_url": link(.captionedVideo),
                        "subtitle_url": link(.captions), "folder_id": .optional(job.folderID), "output_language": "en",
                        "video_page_url": .string("https://app.heygen.com/videos/\(BaseURL.encode(job.ref.id))"),
                    ],
                    uniquingKeysWith: { _, new in new }
                )
            }
            return ["data": .object(data)]
        case .translate:
            var data: [String: JSONValue] = [
                "id": .string(job.ref.id), "status": .string(word), "title": .optional(job.title),
                "created_at": .number(times.created.timeIntervalSince1970.rounded(.down)),
                "input_language": "English", "output_language": .string(outputLanguage),
                "callback_id": .optional(job.callbackID), "translate_audio_only": false,
                "video_url": link(.video), "audio_url": link(.audio),
                "srt_caption_url": .optional(captionLink("srt")), "vtt_caption_url": .optional(captionLink("vtt")),
                "duration": succeeded ? .number(job.durationSeconds) : nil,
            ]
            if let failure { data["failure_message"] = .string(failure.detail ?? failure.message) }
            return ["data": .object(data)]
        case .translateV2:
            return [
                "message": .string(legacyMessage),
                "error": nil,
                "data": [
                    "video_translate_id": .string(job.ref.id), "title": .optional(job.title),
                    "output_language": .string(outputLanguage), "status": .string(word), "url": link(.video),
                    "message": .optional(failure?.message), "callback_id": .optional(job.callbackID),
                    "caption_url": link(.captions),
                ],
            ]
        case .hera:
            let outputs: [JSONValue] = job.heraOutputs.enumerated().map { index, output in
                let file = files.first { $0.output == index }
                let outputWord: String
                var error: JSONValue = nil
                if !done {
                    outputWord = word
                } else if let failure {
                    outputWord = "failed"
                    error = .string(output.failure ?? failure.message)
                } else if let reason = output.failure {
                    outputWord = "failed"
                    error = .string(reason)
                } else {
                    outputWord = "success"
                }
                let fileURL: JSONValue =
                    outputWord == "success" && file != nil
                    ? .string(url(of: file!, job: job, base: fileBase, times: times)) : nil
                return [
                    "status": .string(outputWord), "file_url": fileURL, "error": error,
                    "config": [
                        "format": .string(output.format), "aspect_ratio": .string(output.aspectRatio),
                        "fps": .string(output.fps), "resolution": .string(output.resolution),
                    ],
                ]
            }
            return [
                "video_id": .string(job.ref.id),
                "project_url": .string("https://app.hera.video/projects/\(BaseURL.encode(job.ref.id))"),
                "status": .string(word),
                "outputs": .array(outputs),
            ]
        default:
            return nil
        }
    }

    /// The provider's word for `phase`.
    static func statusWord(api: ProviderAPI, phase: SimulatedPhase, outcome: SimulatedJob.Outcome) -> String {
        if let simulated = SimulatedAPIs.of(api) { return simulated.statusWord(phase: phase, outcome: outcome) }
        let failed = outcome != .success
        switch (api, phase) {
        case (.v1, .waiting): return "waiting"
        case (.v1, .queued), (.v3, .waiting), (.v3, .queued), (.translate, .waiting), (.translate, .queued),
            (.translateV2, .waiting), (.translateV2, .queued):
            return "pending"
        case (.v1, .processing), (.v3, .processing): return "processing"
        case (.translate, .processing), (.translateV2, .processing): return "running"
        case (.hera, .waiting), (.hera, .queued), (.hera, .processing): return "in-progress"
        case (.v1, .done), (.v3, .done), (.translate, .done): return failed ? "failed" : "completed"
        case (.translateV2, .done), (.hera, .done): return failed ? "failed" : "success"
        default: return "processing"
        }
    }

    /// The files a finished `job` offers.
    static func files(for job: SimulatedJob) -> [File] {
        guard job.bareLinks else { return namedFiles(for: job) }
        return namedFiles(for: job).map { file in
            var bare = file
            bare.name = String(file.name.prefix { $0 != "." })
            return bare
        }
    }

    /// The files a finished `job` offers, under names with extensions.
    private static func namedFiles(for job: SimulatedJob) -> [File] {
        if let simulated = SimulatedAPIs.of(job.ref.api) { return simulated.files(for: job) }
        switch job.ref.api {
        case .hera:
            return job.heraOutputs.enumerated().compactMap { index, output in
                guard output.failure == nil else { return nil }
                let ext = output.format == "prores" ? "mov" : output.format
                let type = output.format == "gif" ? "image/gif" : "video/\(ext == "mov" ? "quicktime" : ext)"
                return File(
                    name: "output-\(index).\(ext)",
                    kind: output.format == "gif" ? .gif : .video,
                    contentType: type,
                    size: job.videoSize,
                    output: index
                )
            }
        case .translate:
            var files = [
                File(name: "translated.mp4", kind: .video, contentType: "video/mp4", size: job.videoSize),
                File(name: "audio.mp3", kind: .audio, contentType: "audio/mpeg", size: 64 * 1024),
            ]
            if job.captions {
                files.append(
                    File(name: "captions.srt", kind: .captions, contentType: "application/x-subrip", size: 2048))
                files.append(File(name: "captions.vtt", kind: .captions, contentType: "text/vtt", size: 2048))
            }
            return files
        case .translateV2:
            var files = [File(name: "original.mp4", kind: .video, contentType: "video/mp4", size: job.videoSize)]
            if job.captions {
                files.append(File(name: "caption.ass", kind: .captions, contentType: "text/x-ass", size: 2048))
            }
            return files
        case .v1, .v3:
            var files = [
                File(name: "video.mp4", kind: .video, contentType: "video/mp4", size: job.videoSize),
                File(name: "thumbnail.jpeg", kind: .thumbnail, contentType: "image/jpeg", size: 16 * 1024),
                File(name: "preview.gif", kind: .gif, contentType: "image/gif", size: 32 * 1024),
            ]
            if job.captions {
                files.append(
                    File(name: "caption.mp4", kind: .captionedVideo, contentType: "video/mp4", size: job.videoSize))
                files.append(File(name: "caption.ass", kind: .captions, contentType: "text/x-ass", size: 2048))
            }
            return files
        default:
            return []
        }
    }

    /// A link to `file`, signed the way the provider signs: CloudFront for HeyGen videos, S3 SigV4 for Hera,
    /// none for translations (as the translation reference shows).
    static func url(of file: File, job: SimulatedJob, base: String, times: Times) -> String {
        let path = "\(base)/files/\(job.ref.api.rawValue)/\(BaseURL.encode(job.ref.id))/\(file.name)"
        let week = 7 * 24 * 3600.0
        let now = times.now
        switch job.ref.api {
        case .hera:
            let signed = now.addingTimeInterval(times.linkLifetime - week)
            let stamp = signed.formatted(
                Date.ISO8601FormatStyle(dateSeparator: .omitted, dateTimeSeparator: .standard, timeSeparator: .omitted)
            )
            return
                "\(path)?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=SIMULATOR%2F20261123%2Fus-east-1%2Fs3%2Faws4_request"
                + "&X-Amz-Date=\(stamp)&X-Amz-Expires=\(Int(week))&X-Amz-SignedHeaders=host&X-Amz-Signature=5151"
        case .translate, .translateV2:
            return
                "\(path)?response-content-disposition=attachment%3B+filename%2A%3DUTF-8%27%27\(BaseURL.encode(file.name))%3B"
        default:
            // HeyGen's CloudFront signing, for its videos and every API added since.
            let expires = Int(now.timeIntervalSince1970 + times.linkLifetime)
            return "\(path)?Expires=\(expires)&Signature=c2ltdWxhdGVk~c2lnbmF0dXJl&Key-Pair-Id=KSIMULATOR"
        }
    }

    /// The language every simulated translation is into.
    static let outputLanguage = "Urdu (Pakistan)"

    /// How long a fresh file link stays valid, in seconds: a week.
    static let linkLifetime = 7 * 24 * 3600.0

    /// What HeyGen now says on its v2 translation route.
    static let legacyMessage = "This v2 endpoint is Legacy and will be removed"

    /// The answer for a request without the right API key.
    static func unauthorized(api: ProviderAPI) -> SimulatorResponse {
        if let simulated = SimulatedAPIs.of(api) { return simulated.unauthorized }
        return switch api {
        case .v3, .translate: .json(["error": ["code": "unauthorized", "message": "Invalid API key"]], status: 401)
        case .v1, .translateV2: .json(["code": 400112, "message": "Unauthorized", "data": nil], status: 401)
        case .hera: .json(["error": "Unauthorized"], status: 401)
        default: .json(["error": ["code": "unauthorized", "message": "Invalid API key"]], status: 401)
        }
    }

    /// The answer for a job the provider does not know.
    static func notFound(api: ProviderAPI) -> SimulatorResponse {
        if let simulated = SimulatedAPIs.of(api) { return simulated.notFound }
        return switch api {
        case .v3: .json(["error": ["code": "not_found", "message": "Video not found"]], status: 404)
        case .v1: .json(["code": 404, "message": "Video not found", "data": nil], status: 404)
        case .translate:
            .json(["error": ["code": "not_found", "message": "Video translation not found"]], status: 404)
        case .translateV2: .json(["error": "Video translate not found", "data": nil], status: 404)
        case .hera: .json(["error": "Video/job not found"], status: 404)
        default: .json(["error": ["code": "not_found", "message": "Not found"]], status: 404)
        }
    }
}
