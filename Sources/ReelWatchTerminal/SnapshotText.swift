import Foundation
import ReelWatch

/// Renders a ``JobSnapshot`` as a compact block of text for a person: state, status, title, duration,
/// each file with how long its link stays valid, and the failure reason.
public struct SnapshotText: Sendable {
    /// Whether to colour the state with ANSI escapes (on a terminal, unless `NO_COLOR` is set).
    public var colour: Bool
    /// The current date, which link lifetimes are measured from when a block is rendered.
    public var now: @Sendable () -> Date

    /// Creates a renderer reading the current date from `now`.
    public init(colour: Bool, now: @escaping @Sendable () -> Date) {
        self.colour = colour
        self.now = now
    }

    /// The block for `snapshot`, lines joined by newlines, without a trailing newline.
    public func render(_ snapshot: JobSnapshot) -> String {
        var status = paint(snapshot.state.rawValue, for: snapshot.state)
        if let word = snapshot.providerStatus?.rawValue, word != snapshot.state.rawValue {
            status += " (\(ReelWatchError.printable(word)))"
        }
        var lines = ["\(snapshot.ref.printable)  \(status)"]
        func row(_ label: String, _ value: String) {
            lines.append("  " + label.padding(toLength: 16, withPad: " ", startingAt: 0) + value)
        }
        if let title = snapshot.title { row("title", ReelWatchError.printable(title, limit: 100)) }
        if let seconds = snapshot.durationSeconds { row("duration", Self.format(seconds: seconds)) }
        if let created = snapshot.createdAt {
            var text = Self.format(date: created)
            if let completed = snapshot.completedAt, completed >= created {
                text += ", done after \(Self.format(seconds: completed.timeIntervalSince(created)))"
            }
            row("created", text)
        }
        if let language = snapshot.outputLanguage { row("language", ReelWatchError.printable(language)) }
        if let progress = snapshot.progress, !snapshot.state.isTerminal { row("progress", "\(progress)%") }
        if let message = snapshot.agentMessage {
            row("agent says", ReelWatchError.printable(message, limit: JobSnapshot.agentMessageLimit))
        }
        if let reason = snapshot.failureReason {
            row("failure", paint(ReelWatchError.printable(reason, limit: 200), for: .failed))
        }
        for asset in snapshot.assets {
            var parts = [
                [asset.format, asset.aspectRatio, asset.resolution, asset.fps.map { "\($0)fps" }]
                    .compactMap { $0.map { ReelWatchError.printable($0, limit: 40) } }.joined(separator: " ")
            ]
            if let label = asset.label { parts.insert(ReelWatchError.printable(label, limit: 60), at: 0) }
            if let state = asset.state, state != .succeeded { parts.append(paint(state.rawValue, for: state)) }
            if let error = asset.error { parts.append(ReelWatchError.printable(error, limit: 120)) }
            if let url = asset.url {
                parts.append(linkLifetime(asset.expiresAt))
                parts.append(ReelWatchError.printable(url, limit: 4096))
            }
            row(asset.kind.rawValue, parts.filter { !$0.isEmpty }.joined(separator: "  "))
        }
        if let page = snapshot.pageURL { row("page", ReelWatchError.printable(page, limit: 4096)) }
        return lines.joined(separator: "\n")
    }

    /// `valid 6d 23h`, `expired 2h ago` or `no expiry given`.
    func linkLifetime(_ expiry: Date?) -> String {
        guard let expiry else { return "no expiry given" }
        let left = expiry.timeIntervalSince(now())
        if left <= 0 { return paint("expired \(Self.format(seconds: -left)) ago", for: .failed) }
        return "valid \(Self.format(seconds: left))"
    }

    private func paint(_ text: String, for state: JobState) -> String {
        guard colour else { return text }
        let code =
            switch state {
            case .succeeded: "32"
            case .failed, .cancelled: "31"
            case .queued, .processing: "33"
            case .needsInput: "36"
            case .unknown: "35"
            }
        return "\u{1B}[\(code)m\(text)\u{1B}[0m"
    }

    /// A length of time as people say it: `42.5 s`, `8m 0s`, `2h 5m`, `6d 23h`.
    public static func format(seconds: Double) -> String {
        guard let seconds = CheckedConversion.seconds(seconds) else { return seconds < 0 ? "0s" : "a very long time" }
        if seconds < 60 {
            return seconds.rounded() == seconds ? "\(Int(seconds))s" : String(format: "%.1fs", seconds)
        }
        let total = Int(seconds.rounded(.down))
        let (days, hours, minutes, secs) = (total / 86400, total % 86400 / 3600, total % 3600 / 60, total % 60)
        if days > 0 { return "\(days)d \(hours)h" }
        if hours > 0 { return "\(hours)h \(minutes)m" }
        return "\(minutes)m \(secs)s"
    }

    /// `2026-11-23 10:40:12 UTC`.
    public static func format(date: Date) -> String {
        let text = ISO8601Timestamp(Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down))).description
        return text.replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: "Z", with: " UTC")
    }
}
