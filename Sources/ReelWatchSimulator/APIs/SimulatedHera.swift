import ReelWatch

/// Hera's videos, `GET /hera/v1/videos/{id}`: `in-progress`, then `success` or `failed`, with one entry per
/// requested output (`file_url`, its own `status` and `error`, its `config`); an output that fails alone is skipped.
/// Links are S3-presigned; Hera sends no webhooks.
struct SimulatedHera: SimulatedAPI {
    var api: ProviderAPI { .hera }

    var statusRoute: String { "/hera/v1/videos/:id" }

    func statusWord(phase: SimulatedPhase, outcome: SimulatedJob.Outcome) -> String {
        switch phase {
        case .waiting, .queued, .processing: "in-progress"
        case .done: outcome == .success ? "success" : "failed"
        }
    }

    func body(_ status: SimulatedStatus) -> JSONValue {
        let job = status.job
        let files = StatusBodies.files(for: job)
        let failure = status.failure
        let outputs: [JSONValue] = job.heraOutputs.enumerated().map { index, output in
            let file = files.first { $0.output == index }
            let outputWord: String
            var error: JSONValue = nil
            if !status.done {
                outputWord = status.word
            } else if let failure {
                outputWord = "failed"
                error = .string(output.failure ?? failure.message)
            } else if let reason = output.failure {
                outputWord = "failed"
                error = .string(reason)
            } else {
                outputWord = "success"
            }
            let fileURL: JSONValue = outputWord == "success" ? file.map(status.link(to:)) ?? nil : nil
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
            "status": .string(status.word),
            "outputs": .array(outputs),
        ]
    }

    /// One file per output that does not fail alone, named by its position.
    func files(for job: SimulatedJob) -> [StatusBodies.File] {
        job.heraOutputs.enumerated().compactMap { index, output in
            guard output.failure == nil else { return nil }
            let ext = output.format == "prores" ? "mov" : output.format
            let type = output.format == "gif" ? "image/gif" : "video/\(ext == "mov" ? "quicktime" : ext)"
            return StatusBodies.File(
                name: "output-\(index).\(ext)",
                kind: output.format == "gif" ? .gif : .video,
                contentType: type,
                size: job.videoSize,
                output: index
            )
        }
    }

    /// An output's file can be fetched once the job is over, even when the job failed.
    func canFetch(_ file: StatusBodies.File, of job: SimulatedJob, in phase: SimulatedPhase) -> Bool {
        phase == .done
    }

    var linkSigning: SimulatedLinkSigning { .s3 }

    /// Hera's `{"error": "Unauthorized"}`.
    var unauthorized: SimulatorResponse { .json(["error": "Unauthorized"], status: 401) }

    var notFound: SimulatorResponse { .json(["error": "Video/job not found"], status: 404) }

    var documentedFailure: SimulatedJob.Outcome {
        .failure(code: "render_failed", message: "Export timed out while rendering", detail: nil)
    }
}
