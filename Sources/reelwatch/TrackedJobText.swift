import Foundation
import ReelWatch
import ReelWatchStore
import ReelWatchTerminal

/// How tracked jobs are shown: the `track list` table, its JSON lines, and the `track show` block.
enum TrackedJobText {
    /// The snapshot's keys (state null before the first answer) plus `label`, `meta`, `added_at`, `polls` and
    /// `files`, as one JSON line.
    static func jsonLine(_ job: TrackedJob) -> String {
        String(decoding: job.jsonObject.serialized(), as: UTF8.self)
    }

    /// `REF  LABEL  STATE  AGE  POLLS  FILES`, columns padded to fit; a running job's own progress beside its state
    /// (`processing 42%`).
    static func table(_ jobs: [TrackedJob], now: Date, colour: Bool) -> String {
        let header = ["REF", "LABEL", "STATE", "AGE", "POLLS", "FILES"]
        let rows = jobs.map { job -> [String] in
            [
                job.ref.printable,
                ReelWatchError.printable(job.label ?? "-", limit: 30),
                stateWord(job),
                SnapshotText.format(seconds: max(0, now.timeIntervalSince(job.addedAt)).rounded(.down)),
                String(job.polls),
                files(job),
            ]
        }
        var widths = header.map(\.count)
        for row in rows {
            for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) }
        }
        func line(_ cells: [String], paint: Bool) -> String {
            cells.enumerated().map { index, cell in
                var text =
                    index == cells.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
                if paint, index == 2, let code = colourCode(String(cell.prefix { $0 != " " })) {
                    text = "\u{1B}[\(code)m\(cell)\u{1B}[0m" + String(repeating: " ", count: widths[index] - cell.count)
                }
                return text
            }.joined(separator: "  ")
        }
        return ([line(header, paint: false)] + rows.map { line($0, paint: colour) }).joined(separator: "\n")
    }

    /// `track show`: the snapshot block, then label, metadata, history, files and a batch's members (ref, state,
    /// files).
    static func detail(
        _ job: TrackedJob, history: [StateTransition], members: [TrackedJob] = [], text: SnapshotText
    ) -> String {
        var lines: [String] = []
        if let snapshot = job.snapshot {
            lines.append(text.render(snapshot))
        } else {
            lines.append("\(job.ref.printable)  not polled yet")
        }
        func field(_ name: String, _ value: String) {
            lines.append("  " + name.padding(toLength: 16, withPad: " ", startingAt: 0) + value)
        }
        if let label = job.label { field("label", ReelWatchError.printable(label, limit: 120)) }
        for key in job.meta.keys.sorted() {
            field("meta", "\(ReelWatchError.printable(key))=\(ReelWatchError.printable(job.meta[key] ?? ""))")
        }
        field(
            "tracked",
            "since \(ISO8601Timestamp(job.addedAt)), \(job.polls) poll\(job.polls == 1 ? "" : "s"), \(job.phase.rawValue)"
        )
        if job.phase == .polling { field("next poll", ISO8601Timestamp(job.nextPollAt).description) }
        if let directory = job.downloadDirectory { field("download to", directory) }
        if let error = job.lastError { field("last error", ReelWatchError.printable(error, limit: 160)) }
        for change in history {
            let word =
                change.providerStatus.map { $0 == change.state.rawValue ? "" : " (\(ReelWatchError.printable($0)))" }
                ?? ""
            field("history", "\(ISO8601Timestamp(change.at))  \(change.state.rawValue)\(word)")
        }
        for file in job.files {
            var value = "\(file.status.rawValue)  \(file.path)"
            if let bytes = file.bytes { value += "  \(bytes) bytes" }
            if let sha = file.sha256 { value += "  sha256 \(sha)" }
            if let error = file.error, file.status == .failed {
                value += "  \(ReelWatchError.printable(error, limit: 100))"
            }
            field("file", value)
        }
        for member in members {
            let paths = member.files.filter { $0.status == .done }.map(\.path)
            let files = paths.isEmpty ? "-" : paths.joined(separator: ", ")
            field("member", "\(member.ref.printable)  \(stateWord(member))  \(files)")
        }
        return lines.joined(separator: "\n")
    }

    /// A batch member in `track show --json`: `{ref, state, phase, files: [path of each file on disk]}`.
    static func memberJSON(_ member: TrackedJob) -> JSONValue {
        [
            "ref": .string(member.ref.description), "state": .optional(member.state?.rawValue),
            "phase": .string(member.phase.rawValue),
            "files": .array(member.files.filter { $0.status == .done }.map { .string($0.path) }),
        ]
    }

    private static func stateWord(_ job: TrackedJob) -> String {
        guard let state = job.state else { return "new" }
        if state == .succeeded, job.phase == .downloading { return "downloading" }
        if let percent = job.snapshot?.progress, !state.isTerminal { return "\(state.rawValue) \(percent)%" }
        return state.rawValue
    }

    private static func files(_ job: TrackedJob) -> String {
        guard !job.files.isEmpty else { return job.downloadDirectory == nil ? "-" : "0" }
        let done = job.files.count { $0.status == .done }
        return "\(done)/\(job.files.count)"
    }

    private static func colourCode(_ word: String) -> String? {
        switch word {
        case "succeeded": "32"
        case "failed", "cancelled": "31"
        case "queued", "processing", "downloading": "33"
        case "needs_input": "36"
        case "unknown": "35"
        default: nil
        }
    }
}
