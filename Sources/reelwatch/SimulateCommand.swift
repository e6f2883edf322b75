import ArgumentParser
import Foundation
import Logging
import ReelWatch
import ReelWatchSimulator
import ServiceLifecycle
import UnixSignals

/// `reelwatch simulate`: runs the provider simulator standalone until interrupted.
struct SimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Run the HeyGen/Hera simulator on loopback and print the refs and settings to use.",
        discussion: """
            With --webhook-url, each HeyGen render that ends is also sent as a webhook (avatar_video.success/fail, \
            video_translate.success/fail, proofread_creation.success/fail; Hera and background removals have none) \
            to every URL given, signed with --webhook-secret when one \
            is given (Heygen-Signature, Heygen-Timestamp of the real clock, Heygen-Event-Id), retried three times \
            when not answered 2xx (401 is final). The --webhook-drop/duplicate/reorder/bad-signature fractions and \
            --webhook-delay make deliveries go wrong, decided per event from --webhook-seed. Every event, dropped \
            ones too, is listed at GET /heygen/v3/webhooks/events. Runs until SIGINT or SIGTERM, then exits 130.
            """
    )

    @Option(name: .long, help: "The port to listen on (127.0.0.1); 0 picks a free one.")
    var port: Int = 0

    @Option(name: .long, help: "Simulated seconds per real second; 60 renders a 10-minute video in 10 s.")
    var timeScale: Double = 1

    @Option(name: .long, help: "The API key the simulator accepts.")
    var apiKey: String = "sim-key"

    @Option(name: .long, help: "The size of every simulated video file, in MiB (files are generated, not stored).")
    var videoMib: Int = 0

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Send HeyGen's webhooks to this URL when renders end (repeat for several).", valueName: "url"))
    var webhookURL: [String] = []

    @Option(
        name: .long,
        help: ArgumentHelp("Sign webhooks with this secret (Heygen-Signature); unsigned without.", valueName: "secret"))
    var webhookSecret: String?

    @Option(name: .long, help: ArgumentHelp("The fraction of webhooks never sent (0 to 1).", valueName: "fraction"))
    var webhookDrop: Double = 0

    @Option(
        name: .long,
        help: ArgumentHelp(
            "The fraction of webhooks sent twice with the same event ID (0 to 1).", valueName: "fraction"))
    var webhookDuplicate: Double = 0

    @Option(
        name: .long,
        parsing: .unconditional,
        help: ArgumentHelp("Wait up to this long (drawn per webhook) before sending each one.", valueName: "duration"),
        transform: DurationArgument.parse
    )
    var webhookDelay: Duration = .zero

    @Option(
        name: .long,
        help: ArgumentHelp(
            "The fraction of webhooks held back and sent after later ones (0 to 1).", valueName: "fraction"))
    var webhookReorder: Double = 0

    @Option(
        name: .long,
        help: ArgumentHelp("The fraction of webhooks sent with a corrupted signature (0 to 1).", valueName: "fraction"))
    var webhookBadSignature: Double = 0

    @Option(name: .long, help: ArgumentHelp("The seed the webhook faults are drawn from.", valueName: "n"))
    var webhookSeed: UInt64 = 0

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Retire HeyGen's legacy status routes (v1 videos, v2 translations): retired (410 with a JSON message) or "
                + "retired-404 (404 Not Found); their jobs stay on the v3 routes.",
            valueName: "mode"))
    var legacy: String?

    @Flag(name: [.short, .long], help: "Log every request to stderr.")
    var verbose = false

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
        guard timeScale >= 0, timeScale.isFinite else { throw ValidationError("--time-scale must be 0 or more") }
        guard (0...65536).contains(videoMib) else { throw ValidationError("--video-mib must be 0 to 65536") }
        guard APIKey(apiKey) != nil else { throw ValidationError("--api-key must be a non-empty single line") }
        for (flag, value) in [
            ("--webhook-drop", webhookDrop), ("--webhook-duplicate", webhookDuplicate),
            ("--webhook-reorder", webhookReorder), ("--webhook-bad-signature", webhookBadSignature),
        ] where !(0...1).contains(value) {
            throw ValidationError("\(flag) must be a fraction from 0 to 1")
        }
        for url in webhookURL {
            guard let scheme = URL(string: url)?.scheme?.lowercased(), ["http", "https"].contains(scheme),
                URL(string: url)?.host?.isEmpty == false
            else { throw ValidationError("--webhook-url must be an http:// or https:// URL") }
        }
        if let webhookSecret, webhookSecret.isEmpty || webhookSecret.contains(where: \.isNewline) {
            throw ValidationError("--webhook-secret must be a non-empty single line")
        }
        if let legacy, SimulatedRetirement(rawValue: legacy) == nil {
            throw ValidationError("--legacy must be retired or retired-404")
        }
        if webhookURL.isEmpty, webhookSecret != nil || faults != WebhookFaults() {
            throw ValidationError("the --webhook-* options need --webhook-url")
        }
    }

    /// The webhook faults the flags ask for.
    var faults: WebhookFaults {
        WebhookFaults(
            drop: webhookDrop, duplicate: webhookDuplicate, delay: .zero...webhookDelay, reorder: webhookReorder,
            badSignature: webhookBadSignature, seed: webhookSeed)
    }

    func run() async throws {
        var logger = Logger(label: "reelwatch-simulator")
        logger.logLevel = verbose ? .debug : .warning
        let simulator = Simulator(apiKey: apiKey, timeScale: timeScale)
        let mebibytes = videoMib
        await simulator.add(
            DemoJobs.all.map { job in
                var job = job
                if mebibytes > 0 { job.videoSize = mebibytes << 20 }
                return job
            }
        )
        for url in webhookURL {
            await simulator.addWebhookDestination(WebhookDestination(url: url, secret: webhookSecret))
        }
        await simulator.injectWebhookFaults(faults)
        await simulator.retireLegacyRoutes(legacy.flatMap(SimulatedRetirement.init(rawValue:)))
        let server = SimulatorServer(simulator: simulator, port: port, logger: logger)
        let apiKey = self.apiKey
        var webhookLines = webhookURL.map { "webhooks to \($0) (\(webhookSecret == nil ? "unsigned" : "signed"))" }
        if !webhookURL.isEmpty, faults != WebhookFaults(seed: webhookSeed) {
            webhookLines.append("webhook faults: " + Self.describe(faults))
        }
        let startLines = webhookLines
        try await server.run(gracefulShutdownSignals: [.sigint, .sigterm]) { endpoint in
            var lines = ["reelwatch simulator listening on 127.0.0.1:\(endpoint.port) (Ctrl-C to stop)", ""]
            lines.append("export REELWATCH_HEYGEN_URL=\(endpoint.heygenURL)")
            lines.append("export REELWATCH_HERA_URL=\(endpoint.heraURL)")
            lines.append("export HEYGEN_API_KEY=\(apiKey)")
            lines.append("export HERA_API_KEY=\(apiKey)")
            lines.append("")
            lines.append("jobs:")
            lines += DemoJobs.all.map { "  \($0.ref)" }
            if !startLines.isEmpty { lines += [""] + startLines }
            Console.standardOutput.write(lines.joined(separator: "\n") + "\n")
        }
        // The server returns only once SIGINT or SIGTERM shut it down: interrupted, as every other command.
        throw ExitStatus.interrupted
    }

    /// The faults in a line: `drop 0.1, duplicate 0.05, delay up to 2s, seed 7`.
    static func describe(_ faults: WebhookFaults) -> String {
        var parts: [String] = []
        for (name, value) in [
            ("drop", faults.drop), ("duplicate", faults.duplicate), ("reorder", faults.reorder),
            ("bad signature", faults.badSignature),
        ] where value > 0 {
            parts.append("\(name) \(value)")
        }
        if faults.delay.upperBound > .zero { parts.append("delay up to \(faults.delay.upperBound.shortDescription)") }
        parts.append("seed \(faults.seed)")
        return parts.joined(separator: ", ")
    }
}
