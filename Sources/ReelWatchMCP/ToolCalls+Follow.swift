import MCP
import ReelWatch
import ReelWatchDaemon

extension ToolCalls {
    /// `wait`: follows the jobs through the engine until each ends or the timeout; a timeout lists the jobs still
    /// running, and a job waiting for a person is listed under `needs_input` (neither is an error).
    func wait(_ arguments: ToolArguments, progress: FollowLog.ProgressSink?) async throws -> CallTool.Result {
        let texts = try arguments.refs()
        var watch = environment.watch
        if let seconds = try arguments.number("timeout_seconds") {
            guard seconds > 0, let timeout = CheckedConversion.duration(seconds: seconds) else {
                throw MCPError.invalidParams("wait: 'timeout_seconds' must be a positive number of seconds")
            }
            watch.timeout = timeout
        }
        let directory = try arguments.nonEmptyString("download_dir").map(environment.resolveDirectory)
        let selection = try arguments.assets() ?? environment.selection
        let refs = try Self.parse(texts)
        let plan = FollowPlan(refs: refs, timeout: watch.timeout, downloadDirectory: directory)
        let log = try await follow(
            plan, watch: watch, selection: selection, naming: environment.naming, progress: progress)
        var jobs: [Value] = []
        var running: [Value] = []
        var needsInput: [Value] = []
        var errors: [ReelWatchError] = []
        var summary: [String] = []
        for ref in refs {
            let update = await log.latest[ref]
            if let snapshot = update?.snapshot {
                jobs.append(ToolOutput.snapshot(snapshot))
                summary.append(ToolOutput.line(snapshot))
            }
            switch update?.outcome {
            case .succeeded:
                break
            case .failed:
                errors.append(.renderFailed(update?.snapshot, ref: ref))
            case .error(let error):
                errors.append(error)
            case .needsInput:
                let waiting = ReelWatchError.needsInput(update?.snapshot, ref: ref)
                needsInput.append(
                    [
                        "ref": .string(ref.description), "code": .string(waiting.code.description),
                        "message": .string(waiting.message),
                    ])
                summary.append(
                    "\(waiting): a person must answer it at HeyGen; then call wait again with it")
            case .timedOut, .running, nil:
                running.append(.string(ref.description))
                summary.append("\(ref.printable): still running at the timeout; call wait again with it")
            }
        }
        let files = await log.files
        summary += files.map(ToolOutput.line)
        errors += await log.downloadErrors
        let structured: [String: Value] = [
            "jobs": .array(jobs), "files": .array(files.map { ToolOutput.value($0.jsonObject) }),
            "running": .array(running), "needs_input": .array(needsInput),
        ]
        guard errors.isEmpty else { return ToolOutput.failure(errors, partial: structured, summary: summary) }
        return ToolOutput.success(structured, summary: summary)
    }

    /// `download`: one status call a job, then its files (the pipeline of `reelwatch download`).
    func download(_ arguments: ToolArguments, progress: FollowLog.ProgressSink?) async throws -> CallTool.Result {
        let texts = try arguments.refs()
        guard let directory = try arguments.nonEmptyString("dir").map(environment.resolveDirectory) else {
            throw MCPError.invalidParams("download: 'dir' is required")
        }
        let selection = try arguments.assets() ?? environment.selection
        let naming = try arguments.bool("name_from_title").map { FileNaming(fromTitle: $0) } ?? environment.naming
        let refs = try Self.parse(texts)
        // One status call a job (no waiting): a job still rendering ends the follow at once.
        let plan = FollowPlan(refs: refs, timeout: .seconds(24 * 3600), downloadDirectory: directory, pollOnce: true)
        let log = try await follow(
            plan, watch: environment.watch, selection: selection, naming: naming, progress: progress)
        var jobs: [Value] = []
        var errors: [ReelWatchError] = []
        var summary: [String] = []
        for ref in refs {
            guard let update = await log.latest[ref] else { continue }
            if let snapshot = update.snapshot {
                jobs.append(ToolOutput.snapshot(snapshot))
                summary.append(ToolOutput.line(snapshot))
            }
            switch update.outcome {
            case .running, .succeeded:
                break
            case .error(let error):
                errors.append(error)
            case .failed, .timedOut, .needsInput:
                if let error = update.lastError {
                    errors.append(error)
                } else if let snapshot = update.snapshot {
                    // The library says why there is nothing to download yet (still rendering, or failed).
                    do throws(ReelWatchError) {
                        _ = try Downloader.plan(snapshot, selection: selection, directory: directory)
                    } catch {
                        errors.append(error)
                    }
                }
            }
        }
        let files = await log.files
        summary += files.map(ToolOutput.line)
        errors += await log.downloadErrors
        let structured: [String: Value] = [
            "files": .array(files.map { ToolOutput.value($0.jsonObject) }), "jobs": .array(jobs),
        ]
        guard errors.isEmpty else { return ToolOutput.failure(errors, partial: structured, summary: summary) }
        return ToolOutput.success(structured, summary: summary)
    }

    /// Runs the engine over `plan` (the CLI's `wait`/`download` store and options) and returns what it reported.
    /// Cancelled, it stops the engine and throws `CancellationError` (the SDK then sends no answer).
    private func follow(
        _ plan: FollowPlan,
        watch: WatchOptions,
        selection: AssetSelection,
        naming: FileNaming,
        progress: FollowLog.ProgressSink?
    ) async throws -> FollowLog {
        let tracker = Tracker(
            store: environment.followStore(),
            client: environment.client,
            downloader: plan.downloadDirectory == nil ? nil : environment.downloader,
            options: TrackerOptions(
                watch: watch, selection: selection, naming: naming,
                downloadConcurrency: environment.downloadConcurrency)
        )
        let log = FollowLog(jobCount: plan.refs.count, progress: progress)
        do {
            try await tracker.run(.follow(plan), report: { event in await log.record(event) })
        } catch {
            try Task.checkCancellation()
            throw error
        }
        try Task.checkCancellation()
        return log
    }
}
