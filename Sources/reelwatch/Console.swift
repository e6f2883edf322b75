import Foundation

/// Standard output or standard error, written unbuffered, and what kind of device it is.
struct Console: Sendable {
    let descriptor: Int32

    static let standardOutput = Console(descriptor: STDOUT_FILENO)
    static let standardError = Console(descriptor: STDERR_FILENO)

    /// Whether this is a terminal.
    var isTerminal: Bool { isatty(descriptor) == 1 }

    /// Whether to colour output: a terminal, `NO_COLOR` unset and `TERM` not `dumb`.
    var usesColour: Bool {
        let environment = ProcessInfo.processInfo.environment
        return isTerminal && environment["NO_COLOR"] == nil && environment["TERM"] != "dumb"
    }

    /// Writes `text` as is.
    func write(_ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
            if written <= 0 {
                if written < 0, errno == EINTR { continue }
                return
            }
            bytes = bytes.dropFirst(written)
        }
    }
}
