import Foundation
import Logging
import ReelWatch

/// What reelwatch prints of the library's log without `--verbose`: warnings and errors only, one line each on
/// stderr, in the CLI's own voice (`reelwatch: warning: …`), or as a JSON line under `--json`.
struct WarningLogHandler: LogHandler {
    /// Whether lines are JSON objects (`{"warning": {"message", "level", "metadata"}}`).
    var json: Bool
    var logLevel: Logger.Level = .warning
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var all = metadata
        // The job a line is about is already in the line's context for a person; kept in JSON.
        all.merge(event.metadata ?? [:]) { _, new in new }
        let message = Self.singleLine("\(event.message)")
        let line: String
        if json {
            var fields: [String: String] = [:]
            for (key, value) in all { fields[key] = Self.singleLine("\(value)") }
            let object: [String: Any] = [
                "warning": ["message": message, "level": event.level.rawValue, "metadata": fields]
            ]
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
            line = String(decoding: data, as: UTF8.self)
        } else {
            let shown = all.sorted { $0.key < $1.key }.map { "\($0.key)=\(Self.singleLine("\($0.value)"))" }
            let level = event.level >= .error ? "error" : "warning"
            line = "reelwatch: \(level): \(message)" + (shown.isEmpty ? "" : " (\(shown.joined(separator: ", ")))")
        }
        Console.standardError.write(line + "\n")
    }

    /// `text` on one line, with control and bidirectional characters escaped.
    static func singleLine(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            if scalar.properties.generalCategory == .control || scalar == "\u{2028}" || scalar == "\u{2029}"
                || ReelWatchError.isBidirectionalControl(scalar)
            {
                out += "\\u{\(String(scalar.value, radix: 16))}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
