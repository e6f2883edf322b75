import Foundation
import HTTPTypes
import ReelWatch
import ReelWatchServer
import ReelWatchStore
import ReelWatchTestSupport
import ReelWatchTesting
import ReelWatchWebhooks
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `serve`'s secrets: the environment's and the file's, read again when the file changes, at most once a second.
@Suite("Webhook secret source")
struct WebhookSecretSourceTests {
    static let date = Date(timeIntervalSince1970: 1_767_225_600)
    static let body = Array(#"{"event_type":"x.y"}"#.utf8)

    static func accepts(_ source: WebhookSecretSource, _ secret: String) -> Bool {
        source.signature()?.isValid(WebhookSignature.sign(body, secret: secret), for: body) ?? false
    }

    /// A fresh temporary directory.
    static func directory() throws -> String {
        let path = NSTemporaryDirectory() + "reelwatch-secrets-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func entry(_ secret: String) -> WebhookEndpointFile.Entry {
        WebhookEndpointFile.Entry(
            id: "ep_1", url: "https://hooks.example.com/webhooks/heygen", events: nil, secret: WebhookSecret(secret)!)
    }

    @Test("no secret at first; a file written later is read within the check interval, not before")
    func pickedUp() throws {
        let path = try Self.directory() + "/" + WebhookEndpointFile.fileName
        let clock = ManualClock()
        let source = try WebhookSecretSource(
            fixed: [], file: path, clock: clock, wallClock: { Self.date }, logger: SimulatorHarness.quiet)
        #expect(source.signature() == nil)
        try WebhookEndpointFile(entries: [Self.entry("whsec_first123")]).write(to: path)
        #expect(source.signature() == nil)
        clock.advance(by: .milliseconds(999))
        #expect(source.signature() == nil)
        clock.advance(by: .milliseconds(1))
        #expect(Self.accepts(source, "whsec_first123"))
        #expect(source.secretCount == 1)
    }

    @Test("the environment's secrets with the file's; a rotation keeps the old one until its grace ends")
    func rotation() throws {
        let path = try Self.directory() + "/" + WebhookEndpointFile.fileName
        try WebhookEndpointFile(entries: [Self.entry("whsec_first123")]).write(to: path)
        let clock = ManualClock()
        let now = Mutex(Self.date)
        let source = try WebhookSecretSource(
            fixed: ["whsec_fromenv1"], file: path, clock: clock, wallClock: { now.withLock { $0 } },
            logger: SimulatorHarness.quiet)
        #expect(Self.accepts(source, "whsec_first123"))
        #expect(Self.accepts(source, "whsec_fromenv1"))
        try WebhookEndpointFile.update(path: path, now: Self.date) { file in
            file.rotate(id: "ep_1", to: WebhookSecret("whsec_second12")!, at: Self.date)
        }
        clock.advance(by: .seconds(1))
        #expect(Self.accepts(source, "whsec_second12"))
        #expect(Self.accepts(source, "whsec_first123"))
        now.withLock { $0 = Self.date.addingTimeInterval(86_400) }
        clock.advance(by: .seconds(1))
        #expect(Self.accepts(source, "whsec_second12"))
        #expect(!Self.accepts(source, "whsec_first123"))
        #expect(Self.accepts(source, "whsec_fromenv1"))
    }

    @Test("a file turned insecure or malformed keeps the secrets read before; one removed takes them away")
    func keepsPrevious() throws {
        let path = try Self.directory() + "/" + WebhookEndpointFile.fileName
        try WebhookEndpointFile(entries: [Self.entry("whsec_first123")]).write(to: path)
        let clock = ManualClock()
        let source = try WebhookSecretSource(
            fixed: [], file: path, clock: clock, wallClock: { Self.date }, logger: SimulatorHarness.quiet)
        chmod(path, 0o644)
        clock.advance(by: .seconds(1))
        #expect(Self.accepts(source, "whsec_first123"))
        chmod(path, 0o600)
        try Data("{broken".utf8).write(to: URL(fileURLWithPath: path + ".new"))
        chmod(path + ".new", 0o600)
        rename(path + ".new", path)
        clock.advance(by: .seconds(1))
        #expect(Self.accepts(source, "whsec_first123"))
        unlink(path)
        clock.advance(by: .seconds(1))
        #expect(source.signature() == nil)
    }

    @Test("an insecure file at start is an error (serve exits); an absent one is fine")
    func insecureAtStart() throws {
        let path = try Self.directory() + "/" + WebhookEndpointFile.fileName
        try WebhookEndpointFile(entries: [Self.entry("whsec_first123")]).write(to: path)
        chmod(path, 0o660)
        let error = #expect(throws: ReelWatchError.self) {
            try WebhookSecretSource(
                fixed: [], file: path, clock: ManualClock(), wallClock: { Self.date }, logger: SimulatorHarness.quiet)
        }
        #expect(error?.code == .secretFileUnusable)
    }

    @Test("without any secret the receiver answers 503 not_configured, recording nothing")
    func notConfigured() async throws {
        let store = MemoryJobStore()
        let source = try WebhookSecretSource(
            fixed: [], file: nil, clock: ManualClock(), wallClock: { Self.date }, logger: SimulatorHarness.quiet)
        let receiver = WebhookReceiver(
            secrets: source, store: store, news: nil, wallClock: { Self.date }, logger: SimulatorHarness.quiet)
        var headers = HTTPFields()
        headers[WebhookReceiver.signatureHeader] = WebhookSignature.sign(Self.body, secret: "whsec_anything1")
        headers[WebhookReceiver.timestampHeader] = String(Int(Self.date.timeIntervalSince1970))
        let outcome = await receiver.receive(body: Self.body, headers: headers)
        #expect(outcome == .notConfigured)
        #expect(outcome.status == .serviceUnavailable)
        let id = try WebhookDelivery.eventID(header: nil, body: Self.body)
        let event = DeliveredEvent(id: id, type: "x.y", ref: nil, receivedAt: Self.date)
        #expect(try await store.recordDelivery(event))
    }

    @Test("a delivery costs no file read: 3,000 checks within one interval read the file once (at start)")
    func cheap() throws {
        let path = try Self.directory() + "/" + WebhookEndpointFile.fileName
        try WebhookEndpointFile(entries: [Self.entry("whsec_first123")]).write(to: path)
        let clock = ManualClock()
        let source = try WebhookSecretSource(
            fixed: [], file: path, clock: clock, wallClock: { Self.date }, logger: SimulatorHarness.quiet)
        unlink(path)
        for _ in 0..<3000 { #expect(source.signature() != nil) }
        clock.advance(by: .seconds(1))
        #expect(source.signature() == nil)
    }
}
