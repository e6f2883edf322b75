import Foundation
import HTTPTypes
import Logging
import ReelWatch
import ReelWatchTesting
import Testing

/// The webhook endpoint calls of the status client against a scripted transport: the requests they send, what they
/// retry, and how they read hostile answers.
@Suite("Webhook endpoint client")
struct WebhookEndpointClientTests {
    static let key = "test-api-key-1234"
    static let secret = "whsec_0123456789abcdef0123456789abcdef"
    static let quiet = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    static func client(_ transport: ScriptedTransport, retries: Int = 3) -> StatusClient {
        var configuration = Configuration.defaults
        configuration.heygenBaseURL = BaseURL("https://api.example.com/gw")!
        configuration.heygenAPIKey = APIKey(key)
        return StatusClient(
            configuration: configuration, transport: transport,
            retryPolicy: RetryPolicy(maxRetries: retries, baseDelay: .zero, maxDelay: .zero),
            clock: ManualClock(), random: { 0 }, wallClock: { Date(timeIntervalSince1970: 1_800_000_000) },
            logger: quiet)
    }

    static func body(_ transport: ScriptedTransport, _ index: Int = 0) throws -> JSONValue {
        try JSONValue.parse(try #require(transport.bodies[index]))
    }

    static let registered = """
        {"data": {"endpoint_id": "ep_1", "url": "https://hooks.example.com/webhooks/heygen", "status": "enabled",
        "events": ["avatar_video.success"], "created_at": 1767225600, "secret": "\(secret)", "extra": {"x": 1}}}
        """

    @Test("register: POST /v3/webhooks/endpoints under the base path, the key, a JSON body; the secret read")
    func register() async throws {
        let transport = ScriptedTransport([.json(Self.registered)])
        let endpoint = try await Self.client(transport).registerWebhookEndpoint(
            url: "https://hooks.example.com/webhooks/heygen", events: ["avatar_video.success", "avatar_video.fail"])
        let request = try #require(transport.requests.first)
        #expect(request.method == .post)
        #expect(request.path == "/gw/v3/webhooks/endpoints")
        #expect(request.authority == "api.example.com")
        #expect(request.headerFields[HTTPField.Name("x-api-key")!] == Self.key)
        #expect(request.headerFields[.contentType] == "application/json")
        #expect(
            try Self.body(transport)
                == [
                    "url": "https://hooks.example.com/webhooks/heygen",
                    "events": ["avatar_video.success", "avatar_video.fail"],
                ])
        #expect(endpoint.id == "ep_1")
        #expect(endpoint.secret?.value == Self.secret)
        #expect(endpoint.events == ["avatar_video.success"])
        #expect(endpoint.createdAt == Date(timeIntervalSince1970: 1_767_225_600))
        #expect("\(endpoint)".contains(Self.secret) == false)
    }

    @Test("register with all events sends none; `id` is read for `endpoint_id`")
    func registerAll() async throws {
        let transport = ScriptedTransport([.json(#"{"data": {"id": "ep_2", "secret": "\#(Self.secret)"}}"#)])
        let endpoint = try await Self.client(transport).registerWebhookEndpoint(
            url: "http://127.0.0.1:8080/webhooks/heygen", events: nil)
        #expect(try Self.body(transport) == ["url": "http://127.0.0.1:8080/webhooks/heygen"])
        #expect(endpoint.id == "ep_2")
        #expect(endpoint.url == nil)
    }

    @Test(
        "register is not sent again once it may have arrived: a timeout, a lost connection, a 502 are outcome_unknown",
        arguments: [
            ScriptedTransport.Answer.failure(HTTPTransportError(.timedOut, "no answer within 30s")),
            .failure(HTTPTransportError(.connection, "connection reset by peer")),
            .response(status: 502, body: Array("<html>bad gateway</html>".utf8)),
        ])
    func registerNotRetried(answer: ScriptedTransport.Answer) async throws {
        let transport = ScriptedTransport([answer, .json(Self.registered)])
        let error = await #expect(throws: ReelWatchError.self) {
            try await Self.client(transport).registerWebhookEndpoint(
                url: "https://hooks.example.com/webhooks/heygen", events: nil)
        }
        #expect(transport.requests.count == 1)
        #expect(error?.code == .outcomeUnknown)
        #expect(error?.message.contains("whether it took effect is unknown") == true)
    }

    @Test("register is retried after a refused connection and a 429: nothing was done")
    func registerRetried() async throws {
        let transport = ScriptedTransport([
            .failure(HTTPTransportError(.refused, "the connection was refused")),
            .json(#"{"error": {"code": "rate_limited", "message": "slow down"}}"#, status: 429),
            .json(Self.registered),
        ])
        let endpoint = try await Self.client(transport).registerWebhookEndpoint(
            url: "https://hooks.example.com/webhooks/heygen", events: nil)
        #expect(endpoint.id == "ep_1")
        #expect(transport.requests.count == 3)
        #expect(transport.bodies.allSatisfy { $0 != nil })
    }

    @Test("HeyGen's refusal (the OPTIONS check failed) is an invalid_response error quoting its message")
    func registerRefused() async throws {
        let transport = ScriptedTransport([
            .json(
                #"{"error": {"code": "invalid_parameter", "message": "the endpoint did not answer OPTIONS with 2xx"}}"#,
                status: 400)
        ])
        let error = await #expect(throws: ReelWatchError.self) {
            try await Self.client(transport).registerWebhookEndpoint(
                url: "https://hooks.example.com/webhooks/heygen", events: nil)
        }
        #expect(error?.code == .invalidResponse)
        #expect(error?.message.contains("refused the webhook registration") == true)
        #expect(error?.message.contains("did not answer OPTIONS with 2xx") == true)
        #expect(error?.ref == nil)
    }

    @Test(
        "a secret in an answer never reaches the error",
        arguments: [
            ScriptedTransport.Answer.json(#"{"data": {"endpoint_id": "ep_1", "secret": "whsec_abc\u0007def"}}"#),
            .json(#"{"data": {"endpoint_id": "ep_1", "secret": "\#(secret)""#),
            .json(#"{"error": {"code": "conflict", "message": "already has \#(secret)"}}"#, status: 409),
            .json(#"{"error": {"code": "conflict", "message": "\#(key) is wrong"}}"#, status: 400),
        ])
    func secretRedacted(answer: ScriptedTransport.Answer) async throws {
        let transport = ScriptedTransport([answer])
        let error = await #expect(throws: ReelWatchError.self) {
            try await Self.client(transport).registerWebhookEndpoint(
                url: "https://hooks.example.com/webhooks/heygen", events: nil)
        }
        let text = "\(error.map { String(reflecting: $0) } ?? "")"
        #expect(!text.contains("whsec_abc"))
        #expect(!text.contains(Self.secret))
        #expect(!text.contains(Self.key))
        #expect(error?.code == .invalidResponse)
    }

    @Test(
        "hostile answers are errors, never traps: IDs that would step out of a path, a data list, no secret",
        arguments: [
            #"{"data": {"endpoint_id": "../../v3/videos", "secret": "whsec_0123456789"}}"#,
            #"{"data": {"endpoint_id": "ep\u0000x", "secret": "whsec_0123456789"}}"#,
            #"{"data": {"endpoint_id": 12, "secret": "whsec_0123456789"}}"#,
            #"{"data": {"endpoint_id": "ep_1"}}"#,
            #"{"data": {"endpoint_id": "ep_1", "secret": 1e400}}"#,
            #"{"data": []}"#,
            #"{"data": "ep_1"}"#,
            #"[1, 2]"#,
        ])
    func hostile(text: String) async throws {
        let transport = ScriptedTransport([.json(text)])
        let error = await #expect(throws: ReelWatchError.self) {
            try await Self.client(transport).registerWebhookEndpoint(
                url: "https://hooks.example.com/webhooks/heygen", events: nil)
        }
        #expect(error?.code == .invalidResponse)
        #expect(error?.message.unicodeScalars.allSatisfy { $0.properties.generalCategory != .control } == true)
    }

    @Test("list: every page through next_token; entries without a usable ID skipped; extra fields tolerated")
    func list() async throws {
        let transport = ScriptedTransport([
            .json(
                #"{"data": [{"endpoint_id": "ep_1", "url": "https://a/x", "events": null}, {"url": "no id"}, "#
                    + #"{"id": "ep/2"}], "has_more": true, "next_token": "t 2"}"#),
            .json(
                #"{"data": [{"id": "ep_3", "events": ["a.b", 7], "secret": "whsec_listed_never"}], "has_more": false}"#),
        ])
        let endpoints = try await Self.client(transport).webhookEndpoints()
        #expect(endpoints.map(\.id) == ["ep_1", "ep_3"])
        #expect(endpoints[0].events == nil)
        #expect(endpoints[1].events == ["a.b"])
        #expect(endpoints.allSatisfy { $0.secret == nil })
        #expect(
            transport.requests.map(\.path) == [
                "/gw/v3/webhooks/endpoints?limit=100", "/gw/v3/webhooks/endpoints?limit=100&token=t%202",
            ])
        #expect(transport.requests.allSatisfy { $0.method == .get })
        #expect(transport.bodies.allSatisfy { $0 == nil })
    }

    @Test("list: a token repeated, or more pages than allowed, is an error rather than a loop")
    func listBounded() async throws {
        let page = ScriptedTransport.Answer.json(#"{"data": [], "has_more": true, "next_token": "same"}"#)
        let repeated = ScriptedTransport([page, page, page])
        let error = await #expect(throws: ReelWatchError.self) { try await Self.client(repeated).webhookEndpoints() }
        #expect(error?.message.contains("same next_token twice") == true)
        #expect(repeated.requests.count == 2)
        let pages = (0..<5).map { ScriptedTransport.Answer.json(#"{"data": [], "next_token": "t\#($0)"}"#) }
        let long = ScriptedTransport(pages)
        let tooMany = await #expect(throws: ReelWatchError.self) {
            try await Self.client(long).webhookEndpoints(maximumPages: 3)
        }
        #expect(tooMany?.message.contains("more than 3 pages") == true)
        #expect(long.requests.count == 3)
    }

    @Test("remove: DELETE on the encoded ID; an empty 200 and a data answer both succeed; 404 is not_found")
    func remove() async throws {
        let transport = ScriptedTransport([
            .response(status: 200, body: []),
            .json(#"{"data": {"endpoint_id": "ep_1", "deleted": true}}"#),
            .json(#"{"error": {"code": "not_found", "message": "no such endpoint"}}"#, status: 404),
        ])
        let client = Self.client(transport)
        try await client.removeWebhookEndpoint(id: "ep_1")
        try await client.removeWebhookEndpoint(id: "ep_1")
        let error = await #expect(throws: ReelWatchError.self) { try await client.removeWebhookEndpoint(id: "ep_9") }
        #expect(error?.code == .jobNotFound)
        #expect(error?.message == "HeyGen has no webhook endpoint 'ep_9' (HTTP 404)")
        #expect(transport.requests.map(\.method) == [.delete, .delete, .delete])
        #expect(transport.requests.first?.path == "/gw/v3/webhooks/endpoints/ep_1")
    }

    @Test(
        "an ID that could step out of its path is refused before any request",
        arguments: ["", "../x", "a/b", "..", "ep 1", "ep\u{7}", "a?b", "a%2F", String(repeating: "e", count: 201)])
    func invalidID(id: String) async throws {
        let transport = ScriptedTransport([])
        let client = Self.client(transport)
        let error = await #expect(throws: ReelWatchError.self) { try await client.rotateWebhookSecret(id: id) }
        #expect(error?.code == .invalidConfiguration)
        await #expect(throws: ReelWatchError.self) { try await client.removeWebhookEndpoint(id: id) }
        await #expect(throws: ReelWatchError.self) {
            try await client.updateWebhookEndpoint(id: id, url: "https://a/b")
        }
        #expect(transport.requests.isEmpty)
    }

    @Test("rotate: POST …/{id}/rotate-secret, not retried after a timeout; an answer about another endpoint refused")
    func rotate() async throws {
        let transport = ScriptedTransport([
            .json(#"{"data": {"endpoint_id": "ep_1", "secret": "\#(Self.secret)"}}"#),
            .failure(HTTPTransportError(.timedOut, "no answer within 30s")),
            .json(#"{"data": {"endpoint_id": "ep_2", "secret": "\#(Self.secret)"}}"#),
        ])
        let client = Self.client(transport)
        #expect(try await client.rotateWebhookSecret(id: "ep_1").value == Self.secret)
        #expect(transport.requests.first?.method == .post)
        #expect(transport.requests.first?.path == "/gw/v3/webhooks/endpoints/ep_1/rotate-secret")
        let timedOut = await #expect(throws: ReelWatchError.self) { try await client.rotateWebhookSecret(id: "ep_1") }
        #expect(timedOut?.code == .outcomeUnknown)
        #expect(transport.requests.count == 2)
        let other = await #expect(throws: ReelWatchError.self) { try await client.rotateWebhookSecret(id: "ep_1") }
        #expect(other?.code == .invalidResponse)
        #expect(other.map { "\($0)".contains(Self.secret) } == false)
    }

    @Test("update: PATCH with only the fields given; a timeout is retried (it is idempotent); no secret kept")
    func update() async throws {
        let transport = ScriptedTransport([
            .failure(HTTPTransportError(.timedOut, "no answer within 30s")),
            .json(#"{"data": {"endpoint_id": "ep_1", "url": "https://b/c", "events": ["x.y"]}}"#),
        ])
        let endpoint = try await Self.client(transport).updateWebhookEndpoint(id: "ep_1", events: ["x.y"])
        #expect(endpoint.events == ["x.y"])
        #expect(transport.requests.map(\.method) == [.patch, .patch])
        #expect(try Self.body(transport, 1) == ["events": ["x.y"]])
    }

    @Test("event types: read, entries without a name skipped; 401 is a rejected key")
    func eventTypes() async throws {
        let transport = ScriptedTransport([
            .json(#"{"data": [{"event_type": "avatar_video.success", "description": "done"}, {"x": 1}]}"#),
            .json(#"{"error": {"code": "unauthorized", "message": "bad key"}}"#, status: 401),
        ])
        let client = Self.client(transport)
        #expect(
            try await client.webhookEventTypes() == [
                WebhookEventType(name: "avatar_video.success", description: "done")
            ])
        let error = await #expect(throws: ReelWatchError.self) { try await client.webhookEventTypes() }
        #expect(error?.code == .authenticationFailed)
        #expect(transport.requests.last?.path == "/gw/v3/webhooks/event-types")
    }

    @Test("URLs with user information, other schemes or spaces, and bad event types are refused before sending")
    func invalidInput() async throws {
        let transport = ScriptedTransport([])
        let client = Self.client(transport)
        for url in ["ftp://a/b", "https://user:pw@a/b", "https:///b", "https://a/b c", "https://a/b#f", "hooks"] {
            let error = await #expect(throws: ReelWatchError.self) {
                try await client.registerWebhookEndpoint(url: url, events: nil)
            }
            #expect(error?.code == .invalidConfiguration)
        }
        await #expect(throws: ReelWatchError.self) {
            try await client.registerWebhookEndpoint(url: "https://a/b", events: ["a b"])
        }
        await #expect(throws: ReelWatchError.self) {
            try await client.registerWebhookEndpoint(url: "https://a/b", events: [])
        }
        #expect(transport.requests.isEmpty)
    }
}
