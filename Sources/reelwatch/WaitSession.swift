import Foundation
import ReelWatch

/// Runs a watch for the CLI: shows progress, stops cleanly on Ctrl-C or SIGTERM (through ``SignalScope``),
/// prints how each job ended, and returns the exit status (`wait`'s exit codes).
struct WaitSession {
    let refs: [JobRef]
    let client: StatusClient
    let options: WatchOptions
    let json: Bool
    var wallClock: @Sendable () -> Date = { Date() }
    /// How much faster than real time the client's clock runs (the demo compresses time).
    var timeScale: Double = 1
    /// Where each job's files go once it succeeds; nil to only wait.
    var download: DownloadTarget?
    /// Where what the watch sees is recorded for `track` and `run`; nil to record nothing.
    var recorder: StoreRecorder?

    /// Downloads for `wait --download`: which files of a finished job, and the session that fetches them.
    struct DownloadTarget: Sendable {
        let plan: @Sendable (JobSnapshot) throws(ReelWatchError) -> [DownloadItem]
        var session: DownloadSession
    }

    func run(report: inout JobReport) async -> ExitStatus {
        let live = !json && Console.standardOutput.isTerminal
        let display = WaitDisplay(refs: refs, mode: json ? .json : live ? .live : .plain, timeScale: timeScale)
        var options = self.options
        options.reportEveryPoll = live
        let watcher = Watcher(refs: refs, client: client, options: options, wallClock: wallClock)
        var download = self.download
        if var target = download {
            target.session.onProgress = { display.downloadProgress($0) }
            let recorder = self.recorder
            target.session.onSaved = { item, file, line in
                await recorder?.record(file, item: item)
                await display.downloaded(item, line: line)
            }
            download = target
        }
        let recorder = self.recorder
        let (result, interruption) = await SignalScope.run { [download] in
            await Self.follow(watcher, display: display, download: download, recorder: recorder, ticking: live)
        }
        var watchError: ReelWatchError?
        var downloadFailures: [ReelWatchError] = []
        switch result {
        case .success(let failures): downloadFailures = failures
        case .failure(let error): watchError = error
        }
        let updates = await display.updates
        let status = finish(
            updates: updates, interrupted: interruption != nil, watchError: watchError, report: &report)
        // Downloads cut short by the interruption keep their .part; the line below says so once for all.
        for failure in downloadFailures where interruption == nil || failure.code != .cancelled {
            report.print(failure)
        }
        if let interruption {
            let files = download == nil ? "" : "; saved files stay, partial ones stay as .part"
            report.print(interruption.error("stopped waiting\(files)", hint: "run the same command to resume"))
        }
        return max(status, report.status)
    }

    /// ``watch(_:display:download:recorder:)``, with the live lines' clock ticking every second when `ticking`;
    /// what ended it as a result.
    private static func follow(
        _ watcher: Watcher,
        display: WaitDisplay,
        download: DownloadTarget?,
        recorder: StoreRecorder?,
        ticking: Bool
    ) async -> Result<[ReelWatchError], ReelWatchError> {
        do {
            return .success(
                try await withThrowingTaskGroup(of: [ReelWatchError].self) { group in
                    group.addTask { try await watch(watcher, display: display, download: download, recorder: recorder) }
                    if ticking {
                        group.addTask {
                            while true {
                                try await Task.sleep(for: .seconds(1))
                                await display.tick()
                            }
                        }
                    }
                    let failures = try await group.next() ?? []
                    group.cancelAll()
                    return failures
                })
        } catch let error as ReelWatchError {
            return .failure(error)
        } catch {
            return .failure(ReelWatchError(code: .cancelled, message: "\(error)"))
        }
    }

    /// Follows the watch, showing every update; with `download`, fetches each job's files as it succeeds
    /// (while the others are still watched) and returns the downloads that failed once all are done.
    private static func watch(
        _ watcher: Watcher,
        display: WaitDisplay,
        download: DownloadTarget?,
        recorder: StoreRecorder?
    ) async throws -> [ReelWatchError] {
        let (items, sink) = AsyncStream<DownloadItem>.makeStream()
        return try await withThrowingTaskGroup(of: [ReelWatchError].self) { group in
            if let download { group.addTask { await download.session.run(items) } }
            var failures: [ReelWatchError] = []
            do {
                for try await progress in watcher {
                    await display.show(progress)
                    if let snapshot = progress.snapshot {
                        await recorder?.record(snapshot, totalPolls: progress.polls)
                    }
                    guard let download, progress.outcome == .succeeded, let snapshot = progress.snapshot else {
                        continue
                    }
                    do throws(ReelWatchError) {
                        let items = try download.plan(snapshot)
                        await recorder?.plan(items, for: snapshot.ref)
                        for item in items { sink.yield(item) }
                    } catch {
                        failures.append(error)
                    }
                }
            } catch {
                sink.finish()
                throw error
            }
            sink.finish()
            for try await more in group { failures += more }
            return failures
        }
    }

    private func finish(
        updates: [JobProgress],
        interrupted: Bool,
        watchError: ReelWatchError?,
        report: inout JobReport
    ) -> ExitStatus {
        var status = ExitStatus.success
        if !json {
            if updates.contains(where: { $0.outcome == .succeeded || $0.outcome == .failed }) {
                Console.standardOutput.write("\n")
            }
            for progress in updates {
                guard let snapshot = progress.snapshot, progress.outcome == .succeeded || progress.outcome == .failed
                else { continue }
                report.print(snapshot)
            }
        }
        for progress in updates {
            let ref = progress.ref
            switch progress.outcome {
            case .succeeded:
                continue
            case .failed:
                report.print(
                    ReelWatchError(
                        code: .renderFailed,
                        message: "render failed: \(progress.snapshot?.failure?.summary ?? "no reason given")",
                        ref: ref
                    )
                )
            case .timedOut:
                report.print(
                    ReelWatchError(
                        code: .timedOut,
                        message:
                            "still \(progress.snapshot?.state.rawValue ?? "not answering") after \(progress.elapsed.shortDescription) (\(progress.polls) polls)",
                        hint: "resume with: reelwatch wait \(ref)",
                        ref: ref
                    )
                )
            case .error(let error):
                report.print(error)
            case .running:
                if interrupted {
                    let state = progress.snapshot?.state.rawValue ?? "not yet answered"
                    report.print(
                        ReelWatchError(
                            code: .cancelled,
                            message:
                                "interrupted while \(state) after \(progress.elapsed.shortDescription) (\(progress.polls) polls)",
                            hint: "resume with: reelwatch wait \(ref)",
                            ref: ref
                        )
                    )
                }
            }
        }
        if interrupted {
            for ref in refs where !updates.contains(where: { $0.ref == ref }) {
                report.print(ReelWatchError(code: .cancelled, message: "interrupted before the first answer", ref: ref))
            }
            status = .interrupted
        } else if let watchError {
            report.print(watchError)
        }
        return max(status, report.status)
    }
}
