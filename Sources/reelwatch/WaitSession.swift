import Foundation
import ReelWatch
import ReelWatchDaemon

/// Runs `wait` (and the demo) on the engine and shows it: live progress, the files as they land, how each job
/// ended; stops cleanly on Ctrl-C or SIGTERM (through ``SignalScope``) and returns the exit status (`wait`'s exit
/// codes). The engine does the work (``TrackerScope/follow(_:)``); this only formats what it reports.
struct WaitSession {
    let tracker: Tracker
    let plan: FollowPlan
    let json: Bool
    /// How much faster than real time the client's clock runs (the demo compresses time).
    var timeScale: Double = 1

    private var refs: [JobRef] {
        var seen = Set<JobRef>()
        return plan.refs.filter { seen.insert($0).inserted }
    }

    /// The downloads that failed, in the order they did.
    private actor Failures {
        var errors: [ReelWatchError] = []
        func add(_ error: ReelWatchError) { errors.append(error) }
    }

    func run(report: inout JobReport) async -> ExitStatus {
        let live = !json && Console.standardOutput.isTerminal
        let display = WaitDisplay(refs: refs, mode: json ? .json : live ? .live : .plain, timeScale: timeScale)
        let failures = Failures()
        let (tracker, plan) = (self.tracker, self.plan)
        let (result, interruption) = await SignalScope.run {
            await Self.follow(tracker, plan: plan, display: display, failures: failures, live: live)
        }
        let updates = await display.updates
        let status = finish(
            updates: updates, interrupted: interruption != nil, watchError: result, report: &report)
        // Downloads cut short by the interruption keep their .part; the line below says so once for all.
        for var failure in await failures.errors where interruption == nil || failure.code != .cancelled {
            // A file the deadline cut: its .part stays, and the same command picks it up from there.
            if failure.code == .timedOut, failure.hint == nil { failure.hint = "run the same command to resume" }
            report.print(failure)
        }
        if let interruption {
            let files = plan.downloadDirectory == nil ? "" : "; saved files stay, partial ones stay as .part"
            report.print(interruption.error("stopped waiting\(files)", hint: "run the same command to resume"))
        }
        return max(status, report.status)
    }

    /// Runs the engine over the plan, showing every update (and, on a terminal, ticking the live lines' clock every
    /// second); the error that ended it early, if any.
    private static func follow(
        _ tracker: Tracker,
        plan: FollowPlan,
        display: WaitDisplay,
        failures: Failures,
        live: Bool
    ) async -> ReelWatchError? {
        await withTaskGroup(of: ReelWatchError?.self) { group in
            group.addTask {
                do throws(ReelWatchError) {
                    try await tracker.run(.follow(plan), downloadProgress: { display.downloadProgress($0) }) {
                        event in
                        switch event {
                        case .polled(let progress, let changed):
                            if changed || progress.isFinal || live { await display.show(progress) }
                        case .downloaded(let file, let item):
                            await display.downloaded(item, line: FileLine.text(for: file, json: display.mode == .json))
                        case .downloadFailed(_, let error):
                            await failures.add(error)
                        case .changed, .pollFailed:
                            break
                        }
                    }
                    return nil
                } catch {
                    return error
                }
            }
            if live {
                group.addTask {
                    while (try? await Task.sleep(for: .seconds(1))) != nil { await display.tick() }
                    return nil
                }
            }
            let error = await group.next() ?? nil
            group.cancelAll()
            return error
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
            // Each job that ended with something to show: its snapshot (a job waiting for input, what it asks).
            let shown: Set<JobProgress.Outcome> = [.succeeded, .failed, .needsInput]
            if updates.contains(where: { shown.contains($0.outcome) }) {
                Console.standardOutput.write("\n")
            }
            for progress in updates {
                guard let snapshot = progress.snapshot, shown.contains(progress.outcome) else { continue }
                report.print(snapshot)
            }
        }
        for progress in updates {
            let ref = progress.ref
            switch progress.outcome {
            case .succeeded:
                continue
            case .failed:
                report.print(.renderFailed(progress.snapshot, ref: ref))
            case .needsInput:
                var error = ReelWatchError.needsInput(progress.snapshot, ref: ref)
                error.hint =
                    "answer it at HeyGen, then: reelwatch wait \(ref.printable) (--keep-waiting follows it on)"
                report.print(error)
            case .timedOut:
                report.print(
                    ReelWatchError(
                        code: .timedOut,
                        message:
                            "still \(progress.snapshot?.state.rawValue ?? "not answering") after \(progress.elapsed.shortDescription) (\(progress.polls) polls)",
                        hint: "resume with: reelwatch wait \(ref.printable)",
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
                            hint: "resume with: reelwatch wait \(ref.printable)",
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
