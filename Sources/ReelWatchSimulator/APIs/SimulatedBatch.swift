import Foundation
import ReelWatch

/// HeyGen's batches as the simulator plays them: `GET /v3/{videos,lipsyncs,video-translations}/batches/{batch_id}
/// ?limit=&token=` answering `{"data": {batch_id, status (processing|completed|failed), total_items,
/// counts_by_status, created_at, title, items: [{item_index, status (queued|processing|completed|failed), video_id,
/// error}], has_more, next_token}}`, its items made from the batch job's ``SimulatedJob/members``.
struct SimulatedBatch: SimulatedAPI {
    /// The batch API played (`.batch`, `.lipsyncBatch`, `.translateBatch`).
    let api: ProviderAPI
    /// The collection its route is under: `videos`, `lipsyncs`, `video-translations`.
    let collection: String

    /// `/heygen/v3/{collection}/batches/:id`.
    var statusRoute: String { "/heygen/v3/\(collection)/batches/:id" }

    /// The items a page holds when the request gives no (or no usable) `limit`.
    static let defaultLimit = 20

    /// `processing`, then `completed` or `failed` (the body says it from the items: see ``body(_:)``).
    func statusWord(phase: SimulatedPhase, outcome: SimulatedJob.Outcome) -> String {
        phase == .done ? (outcome == .success ? "completed" : "failed") : "processing"
    }

    /// The page of items the request's `limit` and `token` ask for (the token is the simulator's own: `items-N`);
    /// the batch is `processing` until every item is over, then `failed` when one failed, else `completed` (an
    /// injected status word replaces that).
    func body(_ status: SimulatedStatus) -> JSONValue {
        let elapsed = Duration.milliseconds(
            CheckedConversion.int64((status.times.now.timeIntervalSince(status.times.created) * 1000).rounded()) ?? 0)
        let items = status.job.members.map { Self.item(of: $0, after: elapsed) }
        var counts: [String: Int] = ["queued": 0, "processing": 0, "completed": 0, "failed": 0]
        for item in items { counts[item.status, default: 0] += 1 }
        let over = counts["queued"] == 0 && counts["processing"] == 0
        let own = over ? ((counts["failed"] ?? 0) > 0 ? "failed" : "completed") : "processing"
        let word = ["processing", "completed", "failed"].contains(status.word) ? own : status.word
        let limit = status.query["limit"].flatMap(Int.init).map { min(max($0, 1), 100) } ?? Self.defaultLimit
        let start = min(
            items.count, status.query["token"].flatMap { Int($0.dropFirst("items-".count)) }.map { max($0, 0) } ?? 0)
        let end = min(items.count, start + limit)
        let page: [JSONValue] = items[start..<end].enumerated().map { offset, item in
            [
                "item_index": .number(Double(start + offset)), "status": .string(item.status),
                "video_id": .optional(item.id), "error": item.error,
            ]
        }
        return [
            "data": [
                "batch_id": .string(status.job.ref.id), "status": .string(word),
                "total_items": .number(Double(items.count)),
                "counts_by_status": .object(counts.mapValues { .number(Double($0)) }),
                "created_at": status.createdAt, "title": .optional(status.job.title), "items": .array(page),
                "has_more": .bool(end < items.count), "next_token": end < items.count ? .string("items-\(end)") : nil,
            ]
        ]
    }

    /// A member's item `elapsed` after the batch (and its members) were added: its word, its ID once it exists and
    /// is out of the first half of its queue time, its error once it failed.
    static func item(
        of member: SimulatedJob, after elapsed: Duration
    ) -> (status: String, id: String?, error: JSONValue) {
        let ends = member.queueTime + member.renderTime
        var error = JSONValue.null
        if elapsed >= ends, case .failure(let code, let message, _) = member.outcome {
            error = ["code": .string(code), "message": .string(message)]
        }
        guard member.createdInBatch else { return (elapsed >= ends ? "failed" : "queued", nil, error) }
        let id = elapsed >= member.queueTime / 2 ? member.ref.id : nil
        if elapsed < member.queueTime { return ("queued", id, error) }
        if elapsed < ends { return ("processing", id, error) }
        return (member.outcome == .success ? "completed" : "failed", id, error)
    }

    /// A batch has no files of its own: its members have theirs.
    func files(for job: SimulatedJob) -> [StatusBodies.File] { [] }

    /// HeyGen v3's 404 shape.
    var notFound: SimulatorResponse {
        .json(["error": ["code": "not_found", "message": "Batch not found"]], status: 404)
    }

    /// HeyGen documents no batch failure; this one is the simulator's own (a batch fails through its items).
    var documentedFailure: SimulatedJob.Outcome {
        .failure(code: "batch_failed", message: "Every item of the batch failed", detail: nil)
    }
}
