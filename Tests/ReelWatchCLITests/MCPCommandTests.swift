import Foundation
import GRDB
import ReelWatch
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
}
