import MCP
import ReelWatch
import ReelWatchStore

extension ToolCalls {
    /// `track`: adds the jobs to the durable job store in one transaction (all or none).
    func track(_ arguments: ToolArguments) async throws -> CallTool.Result {
        let texts = try arguments.refs()
        let label = try arguments.nonEmptyString("label")
        let meta = try arguments.stringMap("meta") ?? [:]
        let directory = try arguments.nonEmptyString("download_dir").map(environment.resolveDirectory)
        let refs = try Self.parse(texts)
        let store = try environment.trackedStore()
        let new = try await store.track(
            all: refs.map { TrackRequest(ref: $0, label: label, meta: meta, downloadDirectory: directory) },
            at: environment.client.wallClock()
        )
        var jobs: [Value] = []
        for ref in refs {
            guard let job = try await store.job(ref) else { continue }
            jobs.append(ToolOutput.value(job.jsonObject))
        }
        let summary = refs.map { "\(new.contains($0) ? "tracking" : "updated") \($0)" }
        return ToolOutput.success(["jobs": .array(jobs)], summary: summary)
    }

    /// `untrack`: removes the jobs from the durable job store; a job that is not tracked is an error.
    func untrack(_ arguments: ToolArguments) async throws -> CallTool.Result {
        let refs = try Self.parse(try arguments.refs())
        let store = try environment.trackedStore()
        var removed: [JobRef] = []
        var errors: [ReelWatchError] = []
        for ref in refs {
            if try await store.untrack(ref) {
                removed.append(ref)
            } else {
                errors.append(ReelWatchError(code: .jobNotFound, message: "not tracked", ref: ref))
            }
        }
        let structured: [String: Value] = ["removed": .array(removed.map { .string($0.description) })]
        let summary = removed.map { "removed \($0)" }
        guard errors.isEmpty else { return ToolOutput.failure(errors, partial: structured, summary: summary) }
        return ToolOutput.success(structured, summary: summary)
    }

    /// `list_tracked`: the jobs of the durable job store, filtered by state and label.
    func listTracked(_ arguments: ToolArguments) async throws -> CallTool.Result {
        let state = try arguments.string("state")
        if let state, state != "new", JobState(rawValue: state) == nil {
            throw MCPError.invalidParams(
                "list_tracked: 'state' must be new, queued, processing, succeeded, failed or unknown")
        }
        let label = try arguments.string("label")
        let limit = try arguments.integer("limit")
        if let limit, limit < 1 { throw MCPError.invalidParams("list_tracked: 'limit' must be at least 1") }
        let store = try environment.trackedStore()
        var jobs = try await store.jobs(in: nil)
        if let state { jobs = jobs.filter { ($0.state?.rawValue ?? "new") == state } }
        if let label { jobs = jobs.filter { $0.label == label } }
        if let limit { jobs = Array(jobs.prefix(limit)) }
        let summary =
            jobs.isEmpty
            ? ["no tracked jobs"]
            : jobs.map { "\($0.ref): \($0.state?.rawValue ?? "new")" + ($0.label.map { " [\($0)]" } ?? "") }
        return ToolOutput.success(["jobs": .array(jobs.map { ToolOutput.value($0.jsonObject) })], summary: summary)
    }
}
