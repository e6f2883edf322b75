import Foundation
import ReelWatch
import ReelWatchSimulator
import ReelWatchTestSupport
import ReelWatchTesting
import Testing

/// The simulator's webhook endpoint API over HTTP, through the status client: register (with the URL check),
/// list, update, rotate, remove, event types, and the key.
@Suite("Simulator webhook endpoints")
struct SimulatorWebhookEndpointTests {
    @Test("register, list, update, rotate and remove: the registry follows, secrets are whsec_ and 32 hex digits")
    func lifecycle() async throws {
        try await SimulatorHarness.run([]) { simulator, endpoint in
            await simulator.setWebhookURLCheck { _ in true }
            let client = SimulatorHarness.client(endpoint)
            let first = try await client.registerWebhookEndpoint(
                url: "https://hooks.example.com/a", events: ["avatar_video.success"])
            let second = try await client.registerWebhookEndpoint(url: "https://hooks.example.com/b", events: nil)
            let secret = try #require(first.secret?.value)
            #expect(secret.hasPrefix("whsec_") && secret.dropFirst(6).count == 32)
            let hex = secret.dropFirst(6).allSatisfy { $0.isHexDigit }
            #expect(hex)
            #expect(first.id.hasPrefix("ep_"))
            #expect(first.events == ["avatar_video.success"])
            #expect(second.events == nil)
            var registered = await simulator.webhookEndpoints()
            #expect(registered.map(\.id) == [first.id, second.id])
            #expect(registered.first?.secret == secret)
            #expect(registered.last?.receives("anything") == true)

            let listed = try await client.webhookEndpoints()
            #expect(listed.map(\.id) == [first.id, second.id])
            #expect(listed.allSatisfy { $0.secret == nil })

            let updated = try await client.updateWebhookEndpoint(id: first.id, url: "https://hooks.example.com/c")
            #expect(updated.url == "https://hooks.example.com/c")
            #expect(updated.events == ["avatar_video.success"])

            let rotated = try await client.rotateWebhookSecret(id: first.id)
            #expect(rotated.value != secret)
            registered = await simulator.webhookEndpoints()
            #expect(registered.first?.secret == rotated.value)

            try await client.removeWebhookEndpoint(id: first.id)
            #expect(await simulator.webhookEndpoints().map(\.id) == [second.id])
            let gone = await #expect(throws: ReelWatchError.self) {
                try await client.removeWebhookEndpoint(id: first.id)
            }
            #expect(gone?.code == .jobNotFound)
            let types = try await client.webhookEventTypes()
            #expect(types.map(\.name).contains("video_translate.fail"))
        }
    }

    @Test("the list pages 10 at a time by default, through next_token")
    func paging() async throws {
        try await SimulatorHarness.run([]) { simulator, endpoint in
            await simulator.setWebhookURLCheck { _ in true }
            let client = SimulatorHarness.client(endpoint)
            for index in 0..<12 {
                _ = try await client.registerWebhookEndpoint(url: "https://hooks.example.com/\(index)", events: nil)
            }
            let page = try await RawHTTP.get("\(endpoint.heygenURL)/v3/webhooks/endpoints")
            let body = try page.json
            #expect(body["data"]?.arrayValue?.count == 10)
            #expect(body["has_more"] == true)
            #expect(body["data"]?.arrayValue?.first?["secret"] == nil)
            #expect(try await client.webhookEndpoints().count == 12)
        }
    }

    @Test("a URL that does not answer OPTIONS (nothing listens) is refused with 400, as HeyGen does")
    func probeRefused() async throws {
        try await SimulatorHarness.run([]) { simulator, endpoint in
            let client = SimulatorHarness.client(endpoint)
            let error = await #expect(throws: ReelWatchError.self) {
                try await client.registerWebhookEndpoint(url: "http://127.0.0.1:1/webhooks/heygen", events: nil)
            }
            #expect(error?.httpStatus == 400)
            #expect(error?.message.contains("the endpoint did not answer OPTIONS with 2xx") == true)
            #expect(await simulator.webhookEndpoints().isEmpty)
        }
    }

    @Test("without the key: 401 on every route")
    func unauthorized() async throws {
        try await SimulatorHarness.run([]) { _, endpoint in
            for path in ["/v3/webhooks/endpoints", "/v3/webhooks/event-types"] {
                let answer = try await RawHTTP.get(endpoint.heygenURL + path, apiKey: nil)
                #expect(answer.status == 401)
            }
            let client = SimulatorHarness.client(endpoint, apiKey: "wrong-key")
            let error = await #expect(throws: ReelWatchError.self) { try await client.rotateWebhookSecret(id: "ep_1") }
            #expect(error?.code == .authenticationFailed)
        }
    }
}
