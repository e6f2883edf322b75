import Foundation
import HTTPTypes
import Logging
import ReelWatch
import ReelWatchServer
import ReelWatchStore
import ReelWatchTesting
import ReelWatchWebhooks
import Synchronization
import Testing

/// A flood of refused deliveries (forged signatures) does not flood the log: one warning a minute, counting the
/// rest, and every refusal at debug level.
@Suite("Refused deliveries in the log")
struct RefusalLogTests {
    /// A date a test moves by hand.
    final class Now: Sendable {
        private let date = Mutex(WebhookServerTests.epoch)
        var value: Date { date.withLock { $0 } }
        func advance(by seconds: TimeInterval) { date.withLock { $0.addTimeInterval(seconds) } }
    }

    @Test("100 forged deliveries: one warning; a minute later the next one counts the 99 between")
    func throttled() async throws {
        let log = RecordedLog()
        let now = Now()
        let store = try SQLiteJobStore(
            path: NSTemporaryDirectory() + "reelwatch-refusals-\(UUID().uuidString)/reelwatch.sqlite")
        let receiver = WebhookReceiver(
            signature: try WebhookSignature(secrets: [WebhookServerTests.secret]), store: store, news: nil,
            wallClock: { now.value }, logger: Logger(label: "test") { _ in log.handler })
        let body = WebhookServerTests.success("v1")
        var headers = HTTPFields()
        headers[WebhookReceiver.signatureHeader] = WebhookSignature.sign(body, secret: "whsec_someone_else")
        headers[WebhookReceiver.timestampHeader] = String(Int(now.value.timeIntervalSince1970))
        headers[WebhookReceiver.eventIDHeader] = "evt-forged"
        for _ in 0..<100 {
            #expect(await receiver.receive(body: body, headers: headers) == .unauthenticated)
            now.advance(by: 0.5)
        }
        var warnings = log.entries.filter { $0.level == .warning }
        #expect(warnings.count == 1)
        #expect(warnings.first?.message == "webhook refused")
        #expect(warnings.first?.metadata["refused.since_last_warning"] == nil)
        #expect(log.entries.count { $0.level == .debug && $0.message == "webhook refused" } == 100)

        now.advance(by: 60)
        headers[WebhookReceiver.timestampHeader] = String(Int(now.value.timeIntervalSince1970))
        #expect(await receiver.receive(body: body, headers: headers) == .unauthenticated)
        warnings = log.entries.filter { $0.level == .warning }
        #expect(warnings.count == 2)
        #expect(warnings.last?.metadata["refused.since_last_warning"] == "99")
        // Neither the secret nor the signature is in any line.
        let signature = try #require(headers[WebhookReceiver.signatureHeader])
        for entry in log.entries {
            let text = entry.message + entry.metadata.values.joined()
            #expect(!text.contains("whsec"))
            #expect(!text.contains(signature))
        }
        #expect(try await store.deliveredEventCount() == 0)
    }
}
