import Foundation
import ReelWatch
import ReelWatchSimulator
import Testing

/// The legacy-endpoint warning through the real binary: shown once per API on stderr, never an error.
@Suite("legacy endpoint warnings")
struct LegacyWarningCommandTests {
    @Test("Deprecation and Sunset headers on heygen: and hera: answers: one warning per API; exit 0 and 3 unchanged")
    func warningsKeepExitCodes() async throws {
        let jobs = [CLI.done(.v3, "a"), CLI.done(.v3, "b"), CLI.done(.hera, "h")]
        try await CLI.withSimulator(jobs) { simulator, environment in
            await simulator.announce(.deprecation(since: 1_767_225_600), for: .v3)
            await simulator.announce(.sunset("Wed, 31 Dec 2026 23:59:59 GMT"), for: .hera)
            let run = try await CLI.run(["status", "heygen:a", "heygen:b", "hera:h"], environment: environment)
            #expect(run.status == 0)
            #expect(run.stdoutLines.filter { !$0.hasPrefix(" ") }.count == 3)
            #expect(run.stderrLines.count == 2, "\(run.stderr)")
            #expect(
                run.stderrLines.contains {
                    $0.hasPrefix(
                        "reelwatch: warning: HeyGen says the endpoint behind heygen: refs is legacy (\"Deprecation: "
                            + "@1767225600\"); reelwatch keeps using it; a newer release will follow HeyGen's "
                            + "replacement"
                    )
                })
            #expect(
                run.stderrLines.contains {
                    $0.hasPrefix(
                        "reelwatch: warning: Hera says the endpoint behind hera: refs is legacy (\"Sunset: Wed, 31 Dec "
                            + "2026 23:59:59 GMT\"); reelwatch keeps using it; a newer release will follow Hera's "
                            + "replacement")
                })

            // An error answer carries the notice too: the warning, then the error with its own exit code.
            let missing = try await CLI.run(["status", "heygen:nope"], environment: environment)
            #expect(missing.status == 3)
            #expect(missing.stderrLines.count { $0.contains("is legacy") } == 1, "\(missing.stderr)")
            #expect(missing.stderrLines.count == 2, "\(missing.stderr)")
        }
    }
}
