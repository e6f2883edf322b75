import Foundation
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
}
