import AsyncHTTPClient
import Foundation
import NIOHTTP1
import ReelWatch
import ReelWatchSimulator
import ReelWatchWebhooks
import Subprocess
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `reelwatch webhook register/list/rotate/remove` as processes against the simulator, with `serve` running.
@Suite("reelwatch webhook endpoints")
struct WebhookCommandTests {
    /// What the test saw while `serve` ran.
    actor Seen {
        var notes: [String: String] = [:]
        var runs: [String: CLI.Run] = [:]

        func note(_ key: String, _ value: String) { notes[key] = value }
        func record(_ key: String, _ run: CLI.Run) { runs[key] = run }
    }

    /// Posts a delivery signed with `secret` to `serve`; the status and the word it answered.
    static func deliver(port: Int, secret: String, eventID: String) async -> String {
        let body = Array(#"{"event_type":"avatar_video.success","event_data":{"video_id":"v-none"}}"#.utf8)
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/webhooks/heygen")
        request.method = .POST
        request.headers.add(name: "Heygen-Signature", value: WebhookSignature.sign(body, secret: secret))
        request.headers.add(name: "Heygen-Timestamp", value: String(Int(Date().timeIntervalSince1970)))
        request.headers.add(name: "Heygen-Event-Id", value: eventID)
        request.body = .bytes(body)
        guard let (status, text) = await ServeCommandTests.send(request) else { return "no answer" }
        return "\(status) \(text.trimmingCharacters(in: .newlines))"
    }

    /// Delivers with `secret` (a new event each time) until `serve` answers with a status starting `prefix`, for up
    /// to 5 s (it reads the secret file again at most once a second); the last answer.
    static func deliverUntil(_ prefix: String, port: Int, secret: String, tag: String) async -> String {
        var answer = ""
        for attempt in 0..<50 {
            answer = await Self.deliver(port: port, secret: secret, eventID: "evt-\(tag)-\(attempt)")
            if answer.hasPrefix(prefix) { break }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return answer
    }

    @Test(
        "from zero: serve without a secret answers 503; register's secret is then accepted; after rotate both the old and the new; remove takes them away"
    )
    func fromZero() async throws {
        try await CLI.withSimulator([]) { simulator, base in
            var environment = base
            let home = TrackCommandTests.home()
            environment["REELWATCH_HOME"] = home
            let port = try ServeCommandTests.freePort()
            let url = "http://127.0.0.1:\(port)/webhooks/heygen"
            let seen = Seen()
            let commands = environment
            let serve = try await CLI.run(
                ["serve", "--port", "\(port)"], environment: environment,
                interruptWhen: {
                    guard
                        await ServeCommandTests.send(HTTPClientRequest(url: "http://127.0.0.1:\(port)/healthz"))?.0
                            == 200
                    else { return false }
                    await seen.note(
                        "before", await Self.deliver(port: port, secret: "whsec_notyet123", eventID: "evt-0"))
                    guard let register = try? await CLI.run(["webhook", "register", url], environment: commands) else {
                        return true
                    }
                    await seen.record("register", register)
                    guard let first = await simulator.webhookEndpoints().first else { return true }
                    await seen.note("id", first.id)
                    await seen.note("secret1", first.secret)
                    await seen.note(
                        "accepted1", await Self.deliverUntil("200", port: port, secret: first.secret, tag: "a"))
                    if let rotate = try? await CLI.run(["webhook", "rotate", first.id], environment: commands) {
                        await seen.record("rotate", rotate)
                    }
                    guard let rotated = await simulator.webhookEndpoints().first else { return true }
                    await seen.note("secret2", rotated.secret)
                    await seen.note(
                        "accepted2", await Self.deliverUntil("200", port: port, secret: rotated.secret, tag: "b"))
                    await seen.note("old", await Self.deliver(port: port, secret: first.secret, eventID: "evt-old"))
                    if let list = try? await CLI.run(["webhook", "list", "--json"], environment: commands) {
                        await seen.record("list", list)
                    }
                    if let remove = try? await CLI.run(["webhook", "remove", first.id], environment: commands) {
                        await seen.record("remove", remove)
                    }
                    await seen.note(
                        "removed", await Self.deliverUntil("503", port: port, secret: rotated.secret, tag: "c"))
                    if let again = try? await CLI.run(["webhook", "remove", first.id], environment: commands) {
                        await seen.record("again", again)
                    }
                    return true
                },
                signal: .terminate)
            let notes = await seen.notes
            let runs = await seen.runs
            #expect(serve.status == 130, "\(serve.stderr)")
            #expect(serve.stderr.contains("reelwatch: warning: no webhook secret yet"))
            #expect(notes["before"] == "503 not_configured")

            let register = try #require(runs["register"])
            let id = try #require(notes["id"])
            let secret1 = try #require(notes["secret1"])
            let secret2 = try #require(notes["secret2"])
            #expect(register.status == 0, "\(register.stderr)")
            #expect(register.stdout.hasPrefix("registered \(id): \(url)\n"), "\(register.stdout)")
            #expect(register.stdout.contains("events: avatar_video.success,avatar_video.fail,video_translate."))
            #expect(!register.stdout.contains("whsec_") && !register.stderr.contains("whsec_"))
            #expect(notes["accepted1"] == "200 ignored")

            let rotate = try #require(runs["rotate"])
            #expect(rotate.status == 0, "\(rotate.stderr)")
            #expect(rotate.stdout.hasPrefix("rotated \(id)'s secret; saved in \(home)/webhook-endpoints.json"))
            #expect(!rotate.stdout.contains("whsec_"))
            #expect(secret2 != secret1)
            #expect(notes["accepted2"] == "200 ignored")
            #expect(notes["old"] == "200 ignored")

            let list = try #require(runs["list"])
            #expect(list.status == 0, "\(list.stderr)")
            let line = try JSONValue.parse(Array(try #require(list.stdoutLines.first).utf8))
            #expect(line["endpoint_id"] == .string(id))
            #expect(line["secret_saved"] == true)
            #expect(line["url"] == .string(url))
            #expect(!list.stdout.contains("whsec_"))

            let remove = try #require(runs["remove"])
            #expect(remove.status == 0, "\(remove.stderr)")
            #expect(remove.stdout.hasPrefix("removed \(id) at HeyGen; dropped its secrets"))
            #expect(notes["removed"] == "503 not_configured")
            #expect(runs["again"]?.status == 3)
            #expect(await simulator.webhookEndpoints().isEmpty)
            #expect(!serve.stderr.contains(secret1) && !serve.stderr.contains(secret2))

            let attributes = try FileManager.default.attributesOfItem(atPath: home + "/webhook-endpoints.json")
            #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
            #expect(attributes[.type] as? FileAttributeType == .typeRegular)
        }
    }

    @Test(
        "register --show-secret --json prints the secret saved; an insecure secret file is exit 9 before HeyGen is asked"
    )
    func showSecretAndInsecureFile() async throws {
        try await CLI.withSimulator([]) { simulator, base in
            await simulator.setWebhookURLCheck { _ in true }
            var environment = base
            let home = TrackCommandTests.home()
            environment["REELWATCH_HOME"] = home
            let run = try await CLI.run(
                [
                    "webhook", "register", "https://hooks.example.com/webhooks/heygen", "--events",
                    "avatar_video.success",
                    "--show-secret", "--json",
                ],
                environment: environment)
            #expect(run.status == 0, "\(run.stderr)")
            let line = try JSONValue.parse(Array(run.stdout.utf8))
            let secret = try #require(await simulator.webhookEndpoints().first?.secret)
            #expect(line["secret"] == .string(secret))
            #expect(line["events"] == ["avatar_video.success"])
            #expect(line["secret_file"] == .string(home + "/webhook-endpoints.json"))
            let file = try #require(try WebhookEndpointFile.read(path: home + "/webhook-endpoints.json"))
            #expect(file.entries.first?.secret.value == secret)

            let plain = try await CLI.run(["webhook", "list", "--json"], environment: environment)
            #expect(!plain.stdout.contains(secret))

            chmod(home + "/webhook-endpoints.json", 0o644)
            let refused = try await CLI.run(
                ["webhook", "register", "https://hooks.example.com/other"], environment: environment)
            #expect(refused.status == 9)
            #expect(refused.stderr.contains("chmod 600 \(home)/webhook-endpoints.json"), "\(refused.stderr)")
            #expect(await simulator.webhookEndpoints().count == 1)
            let serve = try await CLI.run(["serve", "--port", "0"], environment: environment)
            #expect(serve.status == 9)
            #expect(!serve.stderr.contains(secret))
        }
    }

    @Test("bad usage is exit 2: a URL with user information, an ID with a slash, an unknown event list")
    func usage() async throws {
        for arguments in [
            ["webhook", "register", "https://user:pw@hooks.example.com/x"],
            ["webhook", "register", "ftp://hooks.example.com/x"],
            ["webhook", "register", "https://hooks.example.com/x", "--events", "a b"],
            ["webhook", "remove", "../ep"],
            ["webhook", "rotate", "ep/1"],
        ] {
            let run = try await CLI.run(arguments)
            #expect(run.status == 2, "\(arguments): \(run.stderr)")
        }
    }

    /// The event types the simulator lists, as HeyGen's `GET /v3/webhooks/event-types` answers them.
    static func eventTypes(_ simulator: Simulator) async throws -> [String] {
        let server = SimulatorServer(simulator: simulator, logger: CLI.quiet)
        return try await server.withRunning { endpoint in
            let client = StatusClient(
                configuration: endpoint.configuration(apiKey: simulator.apiKey), clock: ContinuousClock(),
                wallClock: { Date() }, logger: CLI.quiet)
            return try await client.webhookEventTypes().map(\.name)
        }
    }

    @Test(
        "update: new events and a new URL at HeyGen and in the secret file, the secret unchanged; all sends every type; no flag is exit 2, an unknown ID exit 3"
    )
    func update() async throws {
        try await CLI.withSimulator([]) { simulator, base in
            var environment = base
            let home = TrackCommandTests.home()
            environment["REELWATCH_HOME"] = home
            let port = try ServeCommandTests.freePort()
            let url = "http://127.0.0.1:\(port)/webhooks/heygen"
            let moved = "http://localhost:\(port)/webhooks/heygen"
            let seen = Seen()
            let commands = environment
            let serve = try await CLI.run(
                ["serve", "--port", "\(port)"], environment: environment,
                interruptWhen: {
                    guard
                        await ServeCommandTests.send(HTTPClientRequest(url: "http://127.0.0.1:\(port)/healthz"))?.0
                            == 200
                    else { return false }
                    guard let register = try? await CLI.run(["webhook", "register", url], environment: commands),
                        let id = await simulator.webhookEndpoints().first?.id
                    else { return true }
                    await seen.record("register", register)
                    await seen.note("id", id)
                    if let all = try? await CLI.run(
                        ["webhook", "register", url, "--events", "all", "--json"], environment: commands),
                        let endpoint = await simulator.webhookEndpoints().last
                    {
                        await seen.record("register-all", all)
                        await seen.note(
                            "register-all-events", (endpoint.events ?? ["(none: null)"]).joined(separator: ","))
                        await seen.note("register-all-id", endpoint.id)
                    }
                    for (key, arguments) in [
                        ("events", ["--events", "avatar_video.success"]), ("url", ["--url", moved, "--json"]),
                        ("all", ["--events", "all"]),
                    ] {
                        if let run = try? await CLI.run(["webhook", "update", id] + arguments, environment: commands) {
                            await seen.record(key, run)
                        }
                        if key == "events", let endpoint = await simulator.webhookEndpoints().first {
                            await seen.note("events-at-heygen", (endpoint.events ?? []).joined(separator: ","))
                        }
                    }
                    return true
                },
                signal: .terminate)
            #expect(serve.status == 130, "\(serve.stderr)")
            let runs = await seen.runs
            let id = try #require(await seen.notes["id"])
            #expect(try #require(runs["register"]).status == 0)

            // register --events all subscribes to every type HeyGen lists (GET /v3/webhooks/event-types), sent as a
            // list: HeyGen documents no meaning for a registration without events.
            let registerAll = try #require(runs["register-all"])
            #expect(registerAll.status == 0, "\(registerAll.stderr)")
            let listed = try await Self.eventTypes(simulator)
            #expect(listed.count == 23)
            #expect(await seen.notes["register-all-events"] == listed.joined(separator: ","))
            for type in ["avatar_video_caption.success", "photo_avatar_add_motion.fail", "personalized_video"] {
                #expect(listed.contains(type))
            }

            let events = try #require(runs["events"])
            #expect(events.status == 0, "\(events.stderr)")
            #expect(
                events.stdout
                    == "updated \(id): \(url)\nevents: avatar_video.success\nsaved in \(home)/webhook-endpoints.json\n")
            #expect(await seen.notes["events-at-heygen"] == "avatar_video.success")

            let movedRun = try #require(runs["url"])
            #expect(movedRun.status == 0, "\(movedRun.stderr)")
            let line = try JSONValue.parse(Array(try #require(movedRun.stdoutLines.first).utf8))
            #expect(line["url"] == .string(moved))
            #expect(line["events"] == .array([.string("avatar_video.success")]))

            let all = try #require(runs["all"])
            #expect(all.status == 0, "\(all.stderr)")
            let endpoint = try #require(await simulator.webhookEndpoints().first)
            #expect(endpoint.url == moved)
            #expect((endpoint.events ?? []).count > 4)
            #expect((endpoint.events ?? []).contains("video_translate.fail"))
            // The saved entry follows HeyGen (all: every event, saved as all); its secret is the one HeyGen holds.
            let file = try #require(try WebhookEndpointFile.read(path: home + "/webhook-endpoints.json"))
            let entry = try #require(file.entry(id: id))
            #expect(entry.url == moved)
            #expect(entry.events == nil)
            #expect(entry.secret.value == endpoint.secret)
            for run in runs.values { #expect(!run.stdout.contains("whsec_") && !run.stderr.contains("whsec_")) }

            let none = try await CLI.run(["webhook", "update", id], environment: environment)
            #expect(none.status == 2)
            #expect(none.stderr.contains("give --url, --events or both"))
            let unknown = try await CLI.run(
                ["webhook", "update", "ep_nobody", "--events", "avatar_video.success"], environment: environment)
            #expect(unknown.status == 3, "\(unknown.stderr)")
        }
    }
}
