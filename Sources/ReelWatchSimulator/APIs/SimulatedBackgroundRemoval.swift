import ReelWatch

/// HeyGen's background removals, `GET /v3/background-removals/{id}`: `pending`, `processing`, then `completed` with
/// `layers` (one link per layer name), `failed` with `error`, or `deleted` (a job whose outcome has the code
/// `deleted`).
struct SimulatedBackgroundRemoval: SimulatedAPI {
    var api: ProviderAPI { .backgroundRemoval }

    var statusRoute: String { "/heygen/v3/background-removals/:id" }

    func statusWord(phase: SimulatedPhase, outcome: SimulatedJob.Outcome) -> String {
        switch phase {
        case .waiting, .queued: return "pending"
        case .processing: return "processing"
        case .done:
            if case .failure(let code, _, _) = outcome { return code == "deleted" ? "deleted" : "failed" }
            return "completed"
        }
    }

    func body(_ status: SimulatedStatus) -> JSONValue {
        var layers: JSONValue = nil
        if status.succeeded {
            let files = files(for: status.job)
            layers = .object(
                Dictionary(
                    zip(status.job.layers, files).map { name, file in (name, status.link(to: file)) },
                    uniquingKeysWith: { first, _ in first }))
        }
        var error: JSONValue = nil
        if let failure = status.failure, failure.code != "deleted" {
            error = .string(failure.detail ?? failure.message)
        }
        return [
            "data": [
                "id": .string(status.job.ref.id), "status": .string(status.word), "layers": layers, "error": error,
                "duration": status.succeeded ? .number(status.job.durationSeconds) : nil,
                "created_at": status.createdAt, "completed_at": status.completedAt,
            ]
        ]
    }

    /// One file per layer, named by its position (the layer's own name is provider text, not a path).
    func files(for job: SimulatedJob) -> [StatusBodies.File] {
        job.layers.indices.map { index in
            StatusBodies.File(
                name: "layer-\(index).webm", kind: .layer, contentType: "video/webm", size: max(1, job.videoSize / 4))
        }
    }

    var notFound: SimulatorResponse {
        .json(["error": ["code": "not_found", "message": "Background removal not found"]], status: 404)
    }

    /// HeyGen documents no failure payload for background removals: a plausible one.
    var documentedFailure: SimulatedJob.Outcome {
        .failure(code: "failed", message: "No person was detected in the video", detail: nil)
    }
}
