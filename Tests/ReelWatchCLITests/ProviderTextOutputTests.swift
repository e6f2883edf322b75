import Foundation
import ReelWatch
import ReelWatchSimulator
import Testing

/// A provider's text (here an ID with a right-to-left override) is escaped by every command that prints it.
@Suite("Provider text in output")
struct ProviderTextOutputTests {
    static let override = "\u{202E}"

    @Test("an ID with U+202E is printed escaped by track add, list, show, check and the --verbose log")
    func bidirectionalOverride() async throws {
        let id = "clip\(Self.override)4pm.exe"
        let job = SimulatedJob(
            ref: JobRef(api: .v3, id: id), queueTime: .zero, renderTime: .seconds(3600), videoSize: 1000)
        try await CLI.withSimulator([job]) { _, base in
            var environment = base
            environment["REELWATCH_HOME"] = TrackCommandTests.home()
            let ref = "heygen:\(id)"
            let runs = [
                try await CLI.run(["track", "add", ref], environment: environment),
                try await CLI.run(["track", "list"], environment: environment),
                try await CLI.run(["track", "check", "--no-bulk", "--verbose"], environment: environment),
                try await CLI.run(["track", "show", ref], environment: environment),
            ]
            for run in runs {
                #expect(run.status == 0, "\(run.stderr)")
                #expect(!run.stdout.contains(Self.override) && !run.stderr.contains(Self.override))
            }
            #expect(runs[0].stdout == "tracking heygen:clip\\u{202E}4pm.exe\n")
            #expect(runs[1].stdout.contains("heygen:clip\\u{202E}4pm.exe "))
            #expect(runs[2].stdout.contains("heygen:clip\\u{202E}4pm.exe  new -> processing"))
            #expect(runs[2].stderr.contains("job.ref=heygen:clip\\u{202E}4pm.exe"), "\(runs[2].stderr)")
            #expect(runs[3].stdout.hasPrefix("heygen:clip\\u{202E}4pm.exe  processing"))
        }
    }
}
