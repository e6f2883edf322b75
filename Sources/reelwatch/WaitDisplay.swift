import Foundation
import ReelWatch
import ReelWatchTerminal
import Synchronization

/// Shows a watch as it goes: live lines redrawn in place on a terminal, one plain line per state change
/// otherwise, or one snapshot per line per state change with `--json`. Remembers where each job stands.
actor WaitDisplay {
    enum Mode {
        case live, plain, json
    }

    let mode: Mode
    /// The jobs in the order shown: those given, then those the engine follows besides (a batch's members).
    private var order: [JobRef]
    private var latest: [JobRef: JobProgress] = [:]
    private var printedStates: [JobRef: JobState] = [:]
    private var drawnLines = 0
    private var shownAt: [JobRef: ContinuousClock.Instant] = [:]
    private let colour: Bool
    private let timeScale: Double
    /// Bytes so far of each file being downloaded, by job; updated from download tasks without a hop.
    private let downloads = Mutex<[JobRef: [String: (received: Int64, total: Int64?)]]>([:])

    /// - Parameter timeScale: how much faster than real time the watch's clock runs (the demo compresses time).
    init(refs: [JobRef], mode: Mode, timeScale: Double = 1) {
        self.order = refs
        self.mode = mode
        self.timeScale = timeScale
        self.colour = Console.standardOutput.usesColour
    }

    /// Records and shows an update.
    func show(_ progress: JobProgress) {
        if latest[progress.ref] == nil, !order.contains(progress.ref) { order.append(progress.ref) }
        latest[progress.ref] = progress
        shownAt[progress.ref] = .now
        switch mode {
        case .live:
            redraw()
        case .plain:
            let state = progress.snapshot?.state
            guard state != printedStates[progress.ref] || progress.isFinal else { return }
            printedStates[progress.ref] = state
            Console.standardOutput.write(line(for: progress, live: false) + "\n")
        case .json:
            guard let snapshot = progress.snapshot, snapshot.state != printedStates[progress.ref] else { return }
            printedStates[progress.ref] = snapshot.state
            Console.standardOutput.write(snapshot.jsonLine() + "\n")
        }
    }

    /// Records a file's progress, shown on its job's live line at the next redraw.
    nonisolated func downloadProgress(_ progress: DownloadProgress) {
        downloads.withLock {
            $0[progress.item.ref, default: [:]][progress.item.fileName] = (progress.received, progress.total)
        }
    }

    /// Shows the line for a file that landed: above the live lines on a terminal, else on its own.
    func downloaded(_ item: DownloadItem, line: String) {
        downloads.withLock { _ = $0[item.ref]?.removeValue(forKey: item.fileName) }
        guard mode == .live else {
            Console.standardOutput.write(line + "\n")
            return
        }
        Console.standardOutput.write((drawnLines > 0 ? "\u{1B}[\(drawnLines)A" : "") + "\r\u{1B}[J" + line + "\n")
        drawnLines = 0
        redraw()
    }

    /// Redraws the live lines (elapsed time moves on between polls).
    func tick() {
        if mode == .live { redraw() }
    }

    /// The latest update of every job, in the order given; jobs never polled are absent.
    var updates: [JobProgress] { order.compactMap { latest[$0] } }

    private func redraw() {
        var text = drawnLines > 0 ? "\u{1B}[\(drawnLines)A" : ""
        for ref in order {
            let line =
                latest[ref].map { self.line(for: $0, live: true) } ?? "\(ref.printable)  waiting for the first answer"
            text += "\u{1B}[2K\r" + line + "\n"
        }
        drawnLines = order.count
        Console.standardOutput.write(text)
    }

    /// `heygen:abc  processing 42%  2m 10s  7 polls  ~6m 40s left`.
    func line(for progress: JobProgress, live: Bool) -> String {
        var elapsed = progress.elapsed
        if live, !progress.isFinal, let shown = shownAt[progress.ref] {
            elapsed += shown.duration(to: .now) * timeScale
        }
        var parts = [progress.ref.printable, stateWord(progress)]
        parts.append(SnapshotText.format(seconds: elapsed.secondsValue.rounded(.down)))
        parts.append("\(progress.polls) poll\(progress.polls == 1 ? "" : "s")")
        if let remaining = progress.expectedRemaining, progress.outcome == .running {
            parts.append("~\(SnapshotText.format(seconds: remaining.secondsValue.rounded())) left")
        }
        if case .failed = progress.outcome, let failure = progress.snapshot?.failure {
            parts.append(ReelWatchError.printable(failure.summary, limit: 120))
        }
        if progress.outcome == .succeeded, let files = downloads.withLock({ $0[progress.ref] }), !files.isEmpty {
            let received = files.values.reduce(0) { $0 + $1.received }
            let totals = files.values.compactMap(\.total)
            var text = "downloading \(files.count) file\(files.count == 1 ? "" : "s"): \(ProgressBars.bytes(received))"
            if totals.count == files.count { text += " of \(ProgressBars.bytes(totals.reduce(0, +)))" }
            parts.append(text)
        }
        if let said = progress.snapshot?.agentMessage, !said.isEmpty, progress.snapshot?.state == .needsInput,
            progress.outcome == .running || progress.outcome == .needsInput
        {
            parts.append("agent says \"\(ReelWatchError.printable(said, limit: 80))\"")
        }
        if let error = progress.lastError, progress.outcome == .running {
            parts.append("(last poll: \(ReelWatchError.printable(error.message, limit: 80)))")
        }
        return parts.joined(separator: "  ")
    }

    private func stateWord(_ progress: JobProgress) -> String {
        let word: String
        let code: String
        switch progress.outcome {
        case .succeeded: (word, code) = ("succeeded", "32")
        case .failed: (word, code) = ("failed", "31")
        case .timedOut: (word, code) = ("timed out (\(progress.snapshot?.state.rawValue ?? "no answer"))", "33")
        case .error: (word, code) = ("error", "31")
        case .needsInput: (word, code) = ("needs input", "36")
        case .running:
            let state = progress.snapshot?.state ?? .unknown
            var text = state.rawValue
            if let status = progress.snapshot?.providerStatus?.rawValue, status != state.rawValue {
                text += " (\(ReelWatchError.printable(status)))"
            }
            if let percent = progress.snapshot?.progress { text += " \(percent)%" }
            (word, code) = (text, state == .unknown ? "35" : state == .needsInput ? "36" : "33")
        }
        return colour && mode == .live ? "\u{1B}[\(code)m\(word)\u{1B}[0m" : word
    }
}
