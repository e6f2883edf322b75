import Foundation
import ReelWatch
import ReelWatchSimulator
import Testing

/// `reelwatch status` end to end: the real binary against the simulator over HTTP, every exit code.
@Suite("reelwatch status")
struct StatusCommandTests {
    static let jobs = ProviderAPI.allCases.map { CLI.done($0, "ok-\($0.rawValue)") }

    @Test("--version and --help")
    func versionAndHelp() async throws {
        let version = try await CLI.run(["--version"])
        #expect(version.status == 0)
        #expect(version.stdout == "\(ReelWatchVersion.current)\n")
        let help = try await CLI.run(["status", "--help"])
        #expect(help.status == 0)
        for code in [
            "0  status retrieved", "2  bad usage", "3  job not found", "5  missing or rejected", "6  the provider",
        ] {
            #expect(help.stdout.contains(code), "\(code)")
        }
        // The ref prefixes come from the registered adapters, whichever commands name them.
        let unwrapped = help.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(unwrapped.contains("PROVIDER one of \(ProviderAPI.allCases.map(\.refPrefix).joined(separator: ", "))."))
    }

    @Test("exit 0: every API, one block each, in the order given")
    func humanOutput() async throws {
        try await CLI.withSimulator(Self.jobs) { _, environment in
            let refs = Self.jobs.map(\.ref.description).reversed()
            let run = try await CLI.run(["status"] + refs, environment: environment)
            #expect(run.status == 0)
            // The simulator's v2 translation route says it is legacy, as HeyGen's does: one warning, not an error.
            #expect(
                run.stderr
                    == "reelwatch: warning: HeyGen says the endpoint behind heygen-translate-v2: refs is legacy "
                    + "(\"This v2 endpoint is Legacy and will be removed\"); move to heygen-translate: refs "
                    + "(heygen-translate-v2: still works for now) (job.ref=heygen-translate-v2:ok-translate-v2, "
                    + "provider.api=translate-v2)\n")
            let headers = run.stdoutLines.filter { !$0.hasPrefix(" ") }
            #expect(
                headers
                    == refs.map { ref in
                        "\(ref)  succeeded (\(ref.hasPrefix("heygen-translate-v2") || ref.hasPrefix("hera") ? "success" : "completed"))"
                    })
            #expect(run.stdout.contains("title           Title ok-v3"))
            #expect(run.stdout.contains("valid 6d 23h"))
            #expect(!run.stdout.contains("\u{1B}["), "no colour when stdout is not a terminal")
        }
    }

    @Test("--json: one snapshot per line with exactly the documented keys, nothing else on stdout")
    func jsonLines() async throws {
        try await CLI.withSimulator(Self.jobs) { _, environment in
            let refs = Self.jobs.map(\.ref.description)
            let run = try await CLI.run(["status", "--json"] + refs, environment: environment)
            #expect(run.status == 0)
            // The v2 translation route's legacy notice, as a JSON line too.
            let warning = try #require(try JSONValue.parse(Array(run.stderr.utf8))["warning"])
            #expect(warning["metadata"]?["provider.api"]?.text == "translate-v2")
            #expect(warning["message"]?.text?.contains("move to heygen-translate: refs") == true)
            #expect(run.stderr.filter { $0 == "\n" }.count == 1)
            #expect(run.stdoutLines.count == refs.count)
            for (line, ref) in zip(run.stdoutLines, refs) {
                let object = try #require(try JSONValue.parse(Array(line.utf8)).objectValue)
                #expect(Set(object.keys) == Set(JobSnapshot.jsonKeys))
                #expect(object["ref"] == .string(ref))
                #expect(object["state"] == "succeeded")
                let snapshot = try JSONDecoder().decode(JobSnapshot.self, from: Data(line.utf8))
                #expect(snapshot.ref.description == ref)
            }
        }
    }

    @Test("exit 2: a malformed ref names itself and why; the other jobs still get their line")
    func malformedRef() async throws {
        try await CLI.withSimulator(Self.jobs) { simulator, environment in
            let run = try await CLI.run(["status", "vimeo:123", "heygen:ok-v3", "hera:"], environment: environment)
            #expect(run.status == 2)
            #expect(
                run.stderrLines == [
                    "reelwatch: malformed ref 'vimeo:123': unknown provider 'vimeo'; expected one of "
                        + ProviderAPI.allCases.map(\.refPrefix).joined(separator: ", "),
                    "reelwatch: malformed ref 'hera:': the ID after 'hera:' is empty",
                ])
            #expect(run.stdout.hasPrefix("heygen:ok-v3  succeeded"))
            #expect(await simulator.requests.count == 1)
        }
    }

    @Test(
        "exit 2: bad usage is one line, never a usage dump",
        arguments: [
            (["status"], "Missing expected argument"), (["status", "--bogus", "heygen:x"], "Unknown option '--bogus'"),
            (["status", "--retries", "x", "heygen:x"], "--retries"), (["stats"], "stats"),
            (
                ["status", "--request-timeout", "soon", "heygen:x"],
                "'soon' is invalid for '--request-timeout <duration>'"
            ),
            (["status", "--retries", "-1", "heygen:x"], "--retries must be between 0 and 20"),
            (["download", "heygen:x", "--parallel", "-2"], "--parallel must be between 1 and 64"),
            (["status", "--rate-limit", "-5", "heygen:x"], "--rate-limit must be more than 0"),
            (["run", "--rate-limit", "0"], "--rate-limit must be more than 0"),
            (["track", "check", "--rate-limit", "nan"], "--rate-limit must be more than 0"),
        ]
    )
    func badUsage(arguments: [String], words: String) async throws {
        let run = try await CLI.run(arguments)
        #expect(run.status == 2)
        #expect(run.stdout == "")
        #expect(run.stderrLines.count == 1)
        #expect(run.stderr.contains(words), "\(run.stderr)")
    }

    @Test("exit 2: a malformed base URL names the variable")
    func badBaseURL() async throws {
        let run = try await CLI.run(
            ["status", "hera:x"],
            environment: ["REELWATCH_HERA_URL": "ftp://files.example", "HERA_API_KEY": "k"]
        )
        #expect(run.status == 2)
        #expect(run.stderr == "reelwatch: REELWATCH_HERA_URL is not an http(s) URL: 'ftp://files.example'\n")
    }

    @Test("exit 3: a job the provider does not know")
    func notFound() async throws {
        try await CLI.withSimulator(Self.jobs) { _, environment in
            let run = try await CLI.run(["status", "heygen-translate:gone"], environment: environment)
            #expect(run.status == 3)
            #expect(run.stdout == "")
            #expect(
                run.stderr
                    == "reelwatch: heygen-translate:gone: HeyGen has no job 'gone' (HTTP 404): not_found: Video translation not found\n"
            )
        }
    }

    @Test("exit 5: a missing key names the variable to set")
    func missingKey() async throws {
        try await CLI.withSimulator(Self.jobs) { simulator, environment in
            var environment = environment
            environment["HERA_API_KEY"] = nil
            let run = try await CLI.run(["status", "hera:ok-hera"], environment: environment)
            #expect(run.status == 5)
            #expect(
                run.stderr
                    == "reelwatch: hera:ok-hera: no Hera API key: set HERA_API_KEY (export HERA_API_KEY=<your key>)\n")
            #expect(await simulator.requests.isEmpty)
        }
    }

    @Test("exit 5: a rejected key is never printed, even with --verbose or --json")
    func rejectedKey() async throws {
        try await CLI.withSimulator(Self.jobs) { _, environment in
            var environment = environment
            let secret = "sk-live-DO-NOT-PRINT-42"
            environment["HEYGEN_API_KEY"] = secret
            for flags in [[], ["--verbose"], ["--json", "--verbose"]] {
                let run = try await CLI.run(["status", "heygen:ok-v3"] + flags, environment: environment)
                #expect(run.status == 5)
                #expect(run.stderr.contains("HeyGen rejected the API key (HTTP 401)"))
                #expect(run.stderr.contains("HEYGEN_API_KEY"))
                #expect(!run.stdout.contains(secret) && !run.stderr.contains(secret))
            }
        }
    }

    @Test(
        "exit 6: an answer that is not a valid status is one line with the provider, HTTP status and an excerpt",
        arguments: [
            (
                SimulatorFault.htmlPage,
                "reelwatch: heygen:ok-v3: HeyGen answered something that is not a valid status (HTTP 200): an HTML page, not JSON: \"<!DOCTYPE html><html><head><title>Scheduled maintenance</title>"
            ),
            (
                .truncatedBody,
                "reelwatch: heygen:ok-v3: HeyGen answered something that is not a valid status (HTTP 200): malformed or truncated JSON: \"{\"data\":"
            ),
            (
                .errorObject,
                "reelwatch: heygen:ok-v3: HeyGen answered an error instead of a status (HTTP 200): internal_error: Something went wrong on our side"
            ),
        ]
    )
    func invalidAnswer(fault: SimulatorFault, prefix: String) async throws {
        try await CLI.withSimulator(Self.jobs) { simulator, environment in
            await simulator.inject(fault)
            let run = try await CLI.run(["status", "heygen:ok-v3"], environment: environment)
            #expect(run.status == 6)
            #expect(run.stdout == "")
            #expect(run.stderrLines.count == 1)
            #expect(run.stderr.hasPrefix(prefix), "\(run.stderr)")
        }
    }

    @Test("exit 6: a provider that keeps failing, after the retries")
    func keepsFailing() async throws {
        try await CLI.withSimulator(Self.jobs) { simulator, environment in
            await simulator.inject(.serverError(status: 503))
            let run = try await CLI.run(["status", "--retries", "1", "hera:ok-hera"], environment: environment)
            #expect(run.status == 6)
            #expect(
                run.stderr.hasPrefix(
                    "reelwatch: hera:ok-hera: Hera kept failing after 2 attempts: HTTP 503, an HTML page, not JSON"))
            #expect(await simulator.requests.count == 2)
        }
    }

    @Test("a 429 storm is ridden out")
    func rateLimitStorm() async throws {
        try await CLI.withSimulator(Self.jobs) { simulator, environment in
            await simulator.inject(.rateLimited(retryAfter: 0), times: 3)
            let run = try await CLI.run(["status", "heygen-v1:ok-v1"], environment: environment)
            #expect(run.status == 0)
            #expect(run.stdout.hasPrefix("heygen-v1:ok-v1  succeeded"))
            #expect(await simulator.requests.count == 4)
        }
    }

    @Test("several refs: the highest exit code wins and every job gets its line; --json errors are JSON lines")
    func highestWins() async throws {
        try await CLI.withSimulator(Self.jobs) { _, environment in
            var environment = environment
            environment["HERA_API_KEY"] = nil
            let refs = ["heygen:ok-v3", "heygen:missing", "hera:ok-hera", "heygen-v1:ok-v1"]
            let run = try await CLI.run(["status", "--json"] + refs, environment: environment)
            #expect(run.status == 5)
            #expect(run.stdoutLines.count == 2)
            #expect(
                run.stdoutLines.map { try? JSONValue.parse(Array($0.utf8))["ref"] } == [
                    "heygen:ok-v3", "heygen-v1:ok-v1",
                ])
            #expect(run.stderrLines.count == 2)
            let errors = try run.stderrLines.map { try JSONValue.parse(Array($0.utf8))["error"] }
            #expect(errors[0]?["code"] == "not_found")
            #expect(errors[0]?["ref"] == "heygen:missing")
            #expect(errors[1]?["code"] == "missing_api_key")
            #expect(errors[1]?["hint"] == "export HERA_API_KEY=<your key>")
            #expect(errors[1]?["message"] == "no Hera API key: set HERA_API_KEY")
        }
    }

    @Test("a never-seen status is shown as unknown with the provider's word, exit 0")
    func unknownStatus() async throws {
        try await CLI.withSimulator(Self.jobs) { simulator, environment in
            await simulator.inject(.unknownStatus("rendering_audio"))
            let run = try await CLI.run(["status", "heygen:ok-v3"], environment: environment)
            #expect(run.status == 0)
            #expect(run.stdout.hasPrefix("heygen:ok-v3  unknown (rendering_audio)"))
            #expect(run.stderr.contains("unknown provider status"))
        }
    }
}
