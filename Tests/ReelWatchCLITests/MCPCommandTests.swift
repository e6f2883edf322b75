import Foundation
import GRDB
import ReelWatch
import Subprocess
import SystemPackage
import Testing

/// `reelwatch mcp`'s own flags, run as the real binary (the tools themselves: `ReelWatchMCPTests`).
@Suite("reelwatch mcp")
struct MCPCommandTests {
    @Test("--print-config: the client entry with this binary's absolute path and variable names, never values")
    func printConfig() async throws {
        let run = try await CLI.run(["mcp", "--print-config"], environment: ["HEYGEN_API_KEY": "secret-key-123"])
        #expect(run.status == 0)
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let entry = try #require((object["mcpServers"] as? [String: Any])?["reelwatch"] as? [String: Any])
        let command = try #require(entry["command"] as? String)
        #expect(command.hasPrefix("/"))
        #expect(FileManager.default.isExecutableFile(atPath: command))
        #expect(entry["args"] as? [String] == ["mcp"])
        let environment = try #require(entry["env"] as? [String: String])
        #expect(Set(environment.keys) == ["HEYGEN_API_KEY", "HERA_API_KEY"])
        #expect(!run.stdout.contains("secret-key-123"))
    }

    @Test("stdin closed at once: the server exits 0 and writes nothing on stdout")
    func closedInput() async throws {
        let run = try await CLI.run(["mcp"], environment: ["HEYGEN_API_KEY": "k"])
        #expect(run.status == 0)
        #expect(run.stdout.isEmpty)
    }

    /// Relative directories are taken from the server's working directory: track stores them absolute, wait and
    /// download save under them. A legacy warning in the middle goes to stderr while stdout carries only JSON-RPC.
    @Test("relative directories resolve against the working directory; a warning never reaches stdout")
    func relativeDirectories() async throws {
        let jobs = ["tracked", "waited", "downloaded"].map { CLI.done(.v3, $0) } + [CLI.done(.translateV2, "old")]
        try await CLI.withSimulator(jobs) { _, environment in
            let root = NSTemporaryDirectory() + "reelwatch-mcp-cwd-" + UUID().uuidString
            defer { try? FileManager.default.removeItem(atPath: root) }
            let work = root + "/work"
            try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
            // What the server's getcwd() will say (the temporary directory may be behind a symbolic link).
            let cwd = URL(fileURLWithPath: work).resolvingSymlinksInPath().path
            var variables = environment
            variables["REELWATCH_HOME"] = root + "/home"
            let session = try await MCPStdio.run(
                [
                    ("track", ["refs": ["heygen:tracked"], "download_dir": "renders/tracked"]),
                    ("wait", ["refs": ["heygen:waited"], "download_dir": "renders/waited"]),
                    ("download", ["refs": ["heygen:downloaded"], "dir": "./renders/../downloaded"]),
                    // HeyGen's v2 translation route calls itself legacy: a warning in the middle of the session.
                    ("status", ["refs": ["heygen-translate-v2:old"]]),
                ],
                environment: variables, workingDirectory: work)
            #expect(session.status == 0, "\(session.stderr)")
            try #require(session.results.count == 4)
            #expect(session.results.allSatisfy { $0["isError"] == false }, "\(session.results)")

            let waited = try #require(session.results[1]["structuredContent"]?["files"]?.arrayValue?.first)
            let waitedPath = try #require(waited["path"]?.text)
            #expect(waitedPath == cwd + "/renders/waited/heygen-waited-video.mp4")
            #expect(FileManager.default.fileExists(atPath: waitedPath))
            let downloaded = try #require(session.results[2]["structuredContent"]?["files"]?.arrayValue?.first)
            let downloadedPath = try #require(downloaded["path"]?.text)
            #expect(downloadedPath == cwd + "/downloaded/heygen-downloaded-video.mp4")
            #expect(FileManager.default.fileExists(atPath: downloadedPath))

            // The job store holds absolute directories (a daemon started elsewhere finds the same place).
            let queue = try DatabaseQueue(path: root + "/home/reelwatch.sqlite")
            let stored = try await queue.read { db in
                try Dictionary(
                    uniqueKeysWithValues: Row.fetchAll(db, sql: "SELECT ref, download_dir FROM job").map { row in
                        (row["ref"] as String, row["download_dir"] as String?)
                    })
            }
            #expect(stored["heygen:tracked"] == cwd + "/renders/tracked")
            #expect(stored["heygen:waited"] == cwd + "/renders/waited")
            #expect(stored["heygen:downloaded"] == cwd + "/downloaded")

            // stdout: JSON-RPC messages only; the warning went to stderr, once.
            #expect(session.stdoutLines.count == 5)
            for line in session.stdoutLines {
                let message = try? JSONValue.parse(Array(line.utf8))
                #expect(message?["jsonrpc"] == "2.0", "\(line)")
                #expect(message?["result"] != nil || message?["method"] != nil, "\(line)")
            }
            #expect(!session.stdoutLines.joined().contains("legacy"))
            let warnings = session.stderr.components(separatedBy: "\n").filter { $0.contains("is legacy") }
            #expect(warnings.count == 1, "\(session.stderr)")
            #expect(warnings.first?.contains("move to heygen-translate: refs") == true)
        }
    }

    /// A `tools/call` of `status` with an argument the tool does not take, padded to a line of `size` bytes.
    static func paddedCall(id: Int, size: Int) -> [UInt8] {
        let head = Array(
            #"{"jsonrpc":"2.0","id":\#(id),"method":"tools/call","params":{"name":"status","arguments":{"pad":""#.utf8)
        let tail = Array(#"","refs":["heygen:x"]}}}"#.utf8)
        return head + [UInt8](repeating: UInt8(ascii: "a"), count: size - head.count - tail.count) + tail
    }

    /// The SDK's reader rescanned its buffer after every 4 KiB read: a 1 MiB line took 10.7 s, 4 MiB two minutes (now
    /// 0.1 s; the bound below leaves room for the parallel suite on two cores and still fails the old reader).
    @Test(
        "a 4 MiB request line is answered; one past 4 MiB gets a JSON-RPC error and the session goes on",
        .timeLimit(.minutes(1)))
    func longRequestLines() async throws {
        let directory = NSTemporaryDirectory() + "reelwatch-mcp-lines-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let list: JSONValue = ["jsonrpc": "2.0", "id": 3, "method": "tools/list"]
        let exchange = try await MCPStdio.exchange(
            [
                MCPStdio.Line(bytes: Self.paddedCall(id: 1, size: (4 << 20) - 64), answerID: 1),
                MCPStdio.Line(bytes: Self.paddedCall(id: 2, size: (4 << 20) + 1), answerID: .null),
                MCPStdio.Line(bytes: list.serialized(), answerID: 3),
            ],
            environment: ["HEYGEN_API_KEY": "k", "REELWATCH_HOME": directory], workingDirectory: directory)
        #expect(exchange.status == 0, "\(exchange.stderr)")
        try #require(exchange.answers.count == 3)
        // The line just under the cap was read whole: its call is refused for the argument the tool does not take.
        #expect(exchange.answers[0]["error"]?["code"] == -32602, "\(exchange.answers[0])")
        #expect(exchange.answers[0]["error"]?["message"]?.text?.contains("pad") == true)
        #expect(exchange.times[0] < .seconds(30), "\(exchange.times[0])")
        // The over-long one is refused without being read (its id is unknown), and the session goes on.
        #expect(
            exchange.answers[1]
                == [
                    "jsonrpc": "2.0", "id": .null,
                    "error": ["code": -32600, "message": "request line too long (limit 4 MiB)"],
                ])
        #expect(exchange.answers[2]["result"]?["tools"]?.arrayValue?.count == 6, "\(exchange.answers[2])")
        #expect(exchange.stderr.contains("refused a request line longer than the limit"), "\(exchange.stderr)")
    }

    /// The process died of SIGPIPE (exit 141) when it answered a client that had closed its end of stdout.
    @Test("a client that closes its end of stdout ends the session: exit 0, not death by SIGPIPE")
    func closedOutput() async throws {
        let directory = NSTemporaryDirectory() + "reelwatch-mcp-epipe-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLI.executable.string)
        process.arguments = ["mcp"]
        process.environment = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": directory,
            "HEYGEN_API_KEY": "k", "REELWATCH_HOME": directory,
        ]
        let input = Pipe()
        let output = Pipe()
        let error = Pipe()
        (process.standardInput, process.standardOutput, process.standardError) = (input, output, error)
        try process.run()
        try output.fileHandleForReading.close()
        // stdin stays open: only the closed output can end the session.
        try input.fileHandleForWriting.write(contentsOf: MCPStdio.opening[0].serialized() + [0x0A])
        for _ in 0..<3000 where process.isRunning { try await Task.sleep(for: .milliseconds(10)) }
        let ended = !process.isRunning
        if !ended { process.terminate() }
        process.waitUntilExit()
        let stderr = String(decoding: error.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(ended, "still running 30 s after its output was closed: \(stderr)")
        #expect(process.terminationReason == .exit, "killed by signal \(process.terminationStatus)")
        #expect(process.terminationStatus == 0, "\(stderr)")
        try input.fileHandleForWriting.close()
    }

    /// The SDK's transport set `O_NONBLOCK` on both and left it: a shell that gave `reelwatch mcp` its terminal got
    /// it back non-blocking.
    @Test("stdin and stdout keep their inherited flags: a blocking pipe stays blocking, a non-blocking one as it was")
    func inheritedFlags() async throws {
        var input: [Int32] = [-1, -1]
        var output: [Int32] = [-1, -1]
        try #require(pipe(&input) == 0 && pipe(&output) == 0)
        // The child's ends, seen through descriptors of their own (the flags belong to the open pipe, shared).
        let (stdinProbe, stdoutProbe) = (dup(input[0]), dup(output[1]))
        defer { for descriptor in [input[1], output[0], stdinProbe, stdoutProbe] { close(descriptor) } }
        _ = fcntl(stdoutProbe, F_SETFL, fcntl(stdoutProbe, F_GETFL) | O_NONBLOCK)
        let initialize = MCPStdio.opening[0].serialized() + [0x0A]
        _ = initialize.withUnsafeBytes { write(input[1], $0.baseAddress, $0.count) }
        close(input[1])
        input[1] = -1
        let result = try await Subprocess.run(
            MCPStdio.configuration(environment: ["HEYGEN_API_KEY": "k"], workingDirectory: NSTemporaryDirectory()),
            input: .fileDescriptor(FileDescriptor(rawValue: input[0]), closeAfterSpawningProcess: true),
            output: .fileDescriptor(FileDescriptor(rawValue: output[1]), closeAfterSpawningProcess: true),
            error: .string(limit: 1 << 20))
        #expect(result.terminationStatus == .exited(0), "\(result.standardError)")
        #expect(fcntl(stdinProbe, F_GETFL) & O_NONBLOCK == 0)
        #expect(fcntl(stdoutProbe, F_GETFL) & O_NONBLOCK != 0)
    }
}
