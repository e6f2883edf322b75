import Foundation
import ReelWatch
import ReelWatchTerminal

/// Prints snapshots and errors, for a person or as JSON Lines, and remembers the exit status they add up to.
struct JobReport {
    let json: Bool
    /// Where the command saves files, for the advice on a render that is not ready yet.
    let downloadDirectory: String?
    let text: SnapshotText
    private(set) var status: ExitStatus = .success
    private var printedBlocks = 0

    init(json: Bool, downloadDirectory: String? = nil) {
        self.json = json
        self.downloadDirectory = downloadDirectory
        self.text = SnapshotText(colour: Console.standardOutput.usesColour, now: { Date() })
    }

    /// The refs among `texts` that parse; each malformed one is printed and raises the exit status.
    mutating func parse(_ texts: [String]) -> [JobRef] {
        var refs: [JobRef] = []
        for text in texts {
            do {
                refs.append(try JobRef(parsing: text))
            } catch {
                print(error)
            }
        }
        return refs
    }

    /// Prints a snapshot on stdout.
    mutating func print(_ snapshot: JobSnapshot) {
        if json {
            Console.standardOutput.write(snapshot.jsonLine() + "\n")
        } else {
            Console.standardOutput.write((printedBlocks > 0 ? "\n" : "") + text.render(snapshot) + "\n")
            printedBlocks += 1
        }
    }

    /// Prints an error on stderr (one line, or one JSON line with `--json`), with the CLI's advice, and raises the
    /// exit status.
    mutating func print(_ error: ReelWatchError) {
        status = max(status, ExitStatus(error))
        let hint = ErrorAdvice.hint(for: error, downloadDirectory: downloadDirectory)
        Console.standardError.write(Self.line(for: error, hint: hint, json: json) + "\n")
    }

    /// The one line that reports `error` with `hint`.
    static func line(for error: ReelWatchError, hint: String?, json: Bool) -> String {
        if json {
            return String(decoding: error.envelope(hint: hint).serialized(), as: UTF8.self)
        }
        let hint = hint.map { " (\($0))" } ?? ""
        return "reelwatch: \(error)\(hint)"
    }
}
