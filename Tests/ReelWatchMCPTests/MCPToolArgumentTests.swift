import Foundation
import MCP
import ReelWatch
import ReelWatchSimulator
import ReelWatchStore
import ReelWatchTestSupport
import Testing

/// The tool arguments that change what a call does: `download`'s `name_from_title`, `assets` of `wait` and
/// `download` (a translation's dubbed `audio` included), `track`'s `download_dir` and what tracking again overwrites.
@Suite("MCP tool arguments", .timeLimit(.minutes(1)))
struct MCPToolArgumentTests {
    static let titled = SimulatedJob(
        ref: JobRef(api: .v3, id: "launch"), title: "Launch Teaser", queueTime: .zero, renderTime: .zero,
        captions: true)
    static let translation = SimulatorHarness.done(.translate, "tr-1")

    /// The file names of `result`'s files.
    static func names(_ result: CallTool.Result) -> [String] {
        (result.structuredContent?["files"]?.elements ?? []).compactMap { file in
            file["path"]?.stringValue.map { URL(fileURLWithPath: $0).lastPathComponent }
        }
    }

    @Test("download name_from_title: names after the title; false or absent: PROVIDER-ID")
    func nameFromTitle() async throws {
        try await MCPSession.run([Self.titled]) { session in
            let titled = try await session.call(
                "download", ["refs": ["heygen:launch"], "dir": "titled", "name_from_title": true])
            #expect(titled.isError == false, "\(titled.text)")
            #expect(Self.names(titled) == ["Launch_Teaser-video.mp4"])
            let plain = try await session.call(
                "download", ["refs": ["heygen:launch"], "dir": "plain", "name_from_title": false])
            #expect(Self.names(plain) == ["heygen-launch-video.mp4"])
        }
    }

    @Test("wait assets: exactly the kinds asked for, saved when the render succeeds")
    func waitAssets() async throws {
        try await MCPSession.run([Self.titled]) { session in
            let result = try await session.call(
                "wait", ["refs": ["heygen:launch"], "download_dir": "files", "assets": ["thumbnail", "captions"]])
            #expect(result.isError == false, "\(result.text)")
            let kinds = (result.structuredContent?["files"]?.elements ?? []).compactMap { $0["kind"]?.stringValue }
            #expect(Set(kinds) == ["thumbnail", "captions"])
            #expect(!kinds.contains("video"))
            for file in result.structuredContent?["files"]?.elements ?? [] {
                let path = try #require(file["path"]?.stringValue)
                #expect(path.hasPrefix(session.directory + "/files/"))
                #expect(FileManager.default.fileExists(atPath: path))
            }
        }
    }

    @Test("assets [\"audio\"] on a heygen-translate: job: wait and download save only the dubbed audio track")
    func translationAudio() async throws {
        try await MCPSession.run([Self.translation]) { session in
            let waited = try await session.call(
                "wait", ["refs": ["heygen-translate:tr-1"], "download_dir": "waited", "assets": ["audio"]])
            let downloaded = try await session.call(
                "download", ["refs": ["heygen-translate:tr-1"], "dir": "downloaded", "assets": ["audio"]])
            for (result, directory) in [(waited, "waited"), (downloaded, "downloaded")] {
                #expect(result.isError == false, "\(result.text)")
                let files = result.structuredContent?["files"]?.elements ?? []
                try #require(files.count == 1, "\(result.text)")
                #expect(files[0]["kind"] == "audio")
                #expect(files[0]["bytes"]?.intValue == 64 * 1024)
                #expect(files[0]["path"]?.stringValue?.hasPrefix(session.directory + "/\(directory)/") == true)
            }
            // A kind outside the CLI's list is protocol misuse, and the message lists audio.
            await #expect(throws: MCPError.self) {
                _ = try await session.call(
                    "download", ["refs": ["heygen-translate:tr-1"], "dir": "x", "assets": ["dub"]])
            }
        }
    }

    @Test("track download_dir: a relative one is stored resolved; tracking again overwrites label, meta and dir")
    func trackDownloadDirectory() async throws {
        try await MCPSession.run([Self.titled]) { session in
            let store = session.directory + "/reelwatch.sqlite"
            let first = try await session.call(
                "track",
                ["refs": ["heygen:launch"], "label": "a", "meta": ["k": "1", "keep": "x"], "download_dir": "renders"])
            #expect(first.isError == false, "\(first.text)")
            #expect(first.text == "tracking heygen:launch")
            var job = try #require(try await SQLiteJobStore(path: store).job(Self.titled.ref))
            #expect(job.downloadDirectory == session.directory + "/renders")

            // Not additive: the second call replaces what the first one stored (hence destructiveHint).
            let second = try await session.call(
                "track", ["refs": ["heygen:launch"], "label": "b", "meta": ["k": "2"], "download_dir": "/srv/out"])
            #expect(second.text == "updated heygen:launch")
            job = try #require(try await SQLiteJobStore(path: store).job(Self.titled.ref))
            #expect(job.downloadDirectory == "/srv/out")
            #expect(job.label == "b")
            #expect(job.meta == ["k": "2", "keep": "x"])
        }
    }
}
