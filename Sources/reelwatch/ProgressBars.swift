import Foundation
import ReelWatch
import ReelWatchTerminal
import Synchronization

/// A progress bar per file on a terminal: bytes, rate and time left, redrawn at most ten times a second.
final class ProgressBars: Sendable {
    private struct State {
        var order: [String] = []
        var received: [String: (Int64, Int64?)] = [:]
        /// When each file's bar appeared and the bytes it had then, for its rate.
        var start: [String: (ContinuousClock.Instant, Int64)] = [:]
        var lastDraw = ContinuousClock.now - .seconds(1)
        var lines = 0
    }

    private let state = Mutex(State())

    /// Records a file's progress and redraws, at most ten times a second.
    func update(_ progress: DownloadProgress) {
        state.withLock { state in
            let name = progress.item.fileName
            if state.received[name] == nil {
                state.order.append(name)
                state.start[name] = (.now, progress.received)
            }
            state.received[name] = (progress.received, progress.total)
            let now = ContinuousClock.now
            guard state.lastDraw.duration(to: now) >= .milliseconds(100) else { return }
            state.lastDraw = now
            draw(&state)
        }
    }

    /// Replaces a finished file's bar with `line`, keeping the other bars below it.
    func finish(_ fileName: String, line: String) {
        state.withLock { state in
            state.order.removeAll { $0 == fileName }
            state.received[fileName] = nil
            state.start[fileName] = nil
            var text = state.lines > 0 ? "\u{1B}[\(state.lines)A" : ""
            text += "\r\u{1B}[J" + line + "\n"
            Console.standardOutput.write(text)
            state.lines = 0
            draw(&state)
        }
    }

    private func draw(_ state: inout State) {
        var text = state.lines > 0 ? "\u{1B}[\(state.lines)A" : ""
        var lines = 0
        for name in state.order {
            guard let (received, total) = state.received[name] else { continue }
            let (since, initial) = state.start[name] ?? (.now, received)
            let rate = Double(received - initial) / max(0.001, since.duration(to: .now).secondsValue)
            var line = name.padding(toLength: 40, withPad: " ", startingAt: 0) + " "
            if let total, total > 0 {
                let fraction = min(1, Double(received) / Double(total))
                let filled = Int(fraction * 24)
                line += "[" + String(repeating: "#", count: filled) + String(repeating: " ", count: 24 - filled) + "] "
                line += String(format: "%3.0f%% ", fraction * 100)
                if rate > 0 {
                    line += "ETA \(SnapshotText.format(seconds: (Double(total - received) / rate).rounded())) "
                }
            }
            line += "\(Self.bytes(received)) at \(Self.bytes(Int64(rate)))/s"
            text += "\u{1B}[2K\r" + line + "\n"
            lines += 1
        }
        state.lines = lines
        if !text.isEmpty { Console.standardOutput.write(text) }
    }

    static func bytes(_ count: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB"]
        var value = Double(count)
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(count) B" : String(format: "%.1f %@", value, units[unit])
    }
}
