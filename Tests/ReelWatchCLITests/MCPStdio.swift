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

    /// Runs `reelwatch mcp FLAGS` in `workingDirectory` with PATH, HOME and `environment`, and makes `calls`.
    static func run(
        _ calls: [(tool: String, arguments: JSONValue)],
        environment: [String: String],
        workingDirectory: String,
        flags: [String] = []
    ) async throws -> Transcript {
        var variables: [Environment.Key: String] = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
            "HOME": NSTemporaryDirectory(),
        ]
        for (key, value) in environment {
            if let key = Environment.Key(rawValue: key) { variables[key] = value }
        }
        let configuration = Configuration(
            executable: .path(CLI.executable),
            arguments: Arguments(["mcp"] + flags),
            environment: .custom(variables),
            workingDirectory: FilePath(workingDirectory)
        )
        var messages: [JSONValue] = [
            [
                "jsonrpc": "2.0", "id": 0, "method": "initialize",
                "params": [
                    "protocolVersion": "2025-06-18", "capabilities": [:],
                    "clientInfo": ["name": "reelwatch-cli-tests", "version": "1"],
                ],
            ],
            ["jsonrpc": "2.0", "method": "notifications/initialized"],
        ]
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
