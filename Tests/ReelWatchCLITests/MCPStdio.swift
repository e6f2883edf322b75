import Foundation
import ReelWatch
import Subprocess
import SystemPackage

/// Speaks MCP to the real `reelwatch mcp` over its stdin and stdout, one JSON-RPC message a line, as an MCP client
/// does: initializes, makes each tool call in turn (waiting for its answer), then closes stdin.
enum MCPStdio {
    /// What one session showed.
    struct Transcript: Sendable {
        var status: Int32
        /// Every line the server wrote on stdout, in order.
        var stdoutLines: [String]
        var stderr: String
        /// The `result` of each tool call, in the order of the calls (`null` for an answer without one).
        var results: [JSONValue]
    }

    /// The messages that open a session: `initialize`, then `notifications/initialized`.
    static let opening: [JSONValue] = [
        [
            "jsonrpc": "2.0", "id": 0, "method": "initialize",
            "params": [
                "protocolVersion": "2025-06-18", "capabilities": [:],
                "clientInfo": ["name": "reelwatch-cli-tests", "version": "1"],
            ],
        ],
        ["jsonrpc": "2.0", "method": "notifications/initialized"],
    ]

    /// How `reelwatch mcp FLAGS` runs in `workingDirectory` with PATH, HOME and `environment`.
    static func configuration(
        environment: [String: String], workingDirectory: String, flags: [String] = []
    ) -> Subprocess.Configuration {
        var variables: [Environment.Key: String] = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
            "HOME": NSTemporaryDirectory(),
        ]
        for (key, value) in environment {
            if let key = Environment.Key(rawValue: key) { variables[key] = value }
        }
        return Subprocess.Configuration(
            executable: .path(CLI.executable),
            arguments: Arguments(["mcp"] + flags),
            environment: .custom(variables),
            workingDirectory: FilePath(workingDirectory)
        )
    }

    /// One line sent as is (its newline added), and the `id` of the answer to wait for before the next (`.null`
    /// for the answer to a line the server could not read; nil to wait for none).
    struct Line: Sendable {
        var bytes: [UInt8]
        var answerID: JSONValue?
    }

    /// What an exchange of lines showed: each awaited answer and how long it took to come, in order.
    struct Exchange: Sendable {
        var status: Int32
        var answers: [JSONValue]
        var times: [Duration]
        var stderr: String
    }

    /// Runs `reelwatch mcp` (as ``run(_:environment:workingDirectory:flags:)`` does), opens the session, sends
    /// `lines` one by one, waiting for each awaited answer, then closes stdin.
    static func exchange(
        _ lines: [Line], environment: [String: String], workingDirectory: String
    ) async throws -> Exchange {
        let all = opening.map { Line(bytes: $0.serialized(), answerID: $0["id"]) } + lines
        let outcome = try await Subprocess.run(
            configuration(environment: environment, workingDirectory: workingDirectory),
            input: .inputWriter, output: .sequence, error: .string(limit: 1 << 22)
        ) { execution in
            var answers: [JSONValue] = []
            var times: [Duration] = []
            var received = execution.standardOutput.strings().makeAsyncIterator()
            for (index, line) in all.enumerated() {
                let sent = ContinuousClock.now
                _ = try await execution.standardInputWriter.write(line.bytes + [0x0A])
                guard let id = line.answerID else { continue }
                while let text = try await received.next() {
                    guard let answer = try? JSONValue.parse(Array(text.utf8)), answer["id"] == id else { continue }
                    if index >= opening.count {
                        answers.append(answer)
                        times.append(ContinuousClock.now - sent)
                    }
                    break
                }
            }
            try await execution.standardInputWriter.finish()
            while try await received.next() != nil {}
            return (answers, times)
        }
        let status: Int32 =
            switch outcome.terminationStatus {
            case .exited(let code): code
            case .signaled(let signal): 128 + signal
            }
        let (answers, times) = outcome.closureResult
        return Exchange(status: status, answers: answers, times: times, stderr: outcome.standardError)
    }

    /// Runs `reelwatch mcp FLAGS` in `workingDirectory` with PATH, HOME and `environment`, and makes `calls`.
    static func run(
        _ calls: [(tool: String, arguments: JSONValue)],
        environment: [String: String],
        workingDirectory: String,
        flags: [String] = []
    ) async throws -> Transcript {
        let configuration = Self.configuration(
            environment: environment, workingDirectory: workingDirectory, flags: flags)
        var messages = opening
        for (index, call) in calls.enumerated() {
            messages.append([
                "jsonrpc": "2.0", "id": .number(Double(index + 1)), "method": "tools/call",
                "params": ["name": .string(call.tool), "arguments": call.arguments],
            ])
        }
        let outcome = try await Subprocess.run(
            configuration, input: .inputWriter, output: .sequence, error: .string(limit: 1 << 22)
        ) { execution in
            var lines: [String] = []
            var results: [JSONValue] = []
            var answers = execution.standardOutput.strings().makeAsyncIterator()
            for message in messages {
                _ = try await execution.standardInputWriter.write(message.serialized() + [0x0A])
                guard let id = message["id"] else { continue }
                while let line = try await answers.next() {
                    lines.append(line)
                    guard let answer = try? JSONValue.parse(Array(line.utf8)), answer["id"] == id else { continue }
                    if id != 0 { results.append(answer["result"] ?? .null) }
                    break
                }
            }
            try await execution.standardInputWriter.finish()
            while let line = try await answers.next() { lines.append(line) }
            return (lines, results)
        }
        let status: Int32 =
            switch outcome.terminationStatus {
            case .exited(let code): code
            case .signaled(let signal): 128 + signal
            }
        let (lines, results) = outcome.closureResult
        return Transcript(status: status, stdoutLines: lines, stderr: outcome.standardError, results: results)
    }
}
