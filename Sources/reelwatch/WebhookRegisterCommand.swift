import ArgumentParser
import Foundation
import ReelWatch
import ReelWatchWebhooks

/// `reelwatch webhook register URL`: registers a webhook endpoint with HeyGen and saves its secret for `serve`.
struct WebhookRegisterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "register",
        abstract: "Register URL with HeyGen as a webhook endpoint and save its secret for 'serve'.",
        discussion: """
            HeyGen first sends URL an OPTIONS request and refuses the registration unless it answers 2xx within \
            1 s: start 'reelwatch serve' and expose it first. The secret HeyGen answers with is saved in \
            $REELWATCH_HOME/webhook-endpoints.json (mode 0600), where a running 'serve' picks it up within a \
            second; it is printed only with --show-secret. A registration that got no answer is not sent again \
            (the endpoint may exist: see 'reelwatch webhook list').

            \(ExitStatus.webhookTable)
            """
    )

    @Argument(help: "Where HeyGen delivers, e.g. https://hooks.example.com/webhooks/heygen.")
    var url: String

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Comma-separated event types, or 'all'. Default: \(WebhookEndpointText.defaultEvents.joined(separator: ",")).",
            valueName: "types"),
        transform: WebhookEndpointText.events
    )
    var events: [String]?? = .some(WebhookEndpointText.defaultEvents)

    @Flag(name: .long, help: "Print the new secret too (it is always saved in the secret file).")
    var showSecret = false

    @OptionGroup var options: CommonOptions

    func validate() throws {
        try WebhookEndpointText.validateURL(url)
    }

    func run() async throws {
        var report = JobReport(json: options.json)
        let client = try options.makeClient(report: &report)
        let path = StoreLocation.webhookEndpointsPath()
        let events = self.events ?? nil
        let endpoint: WebhookEndpoint
        let secret: WebhookSecret
        do throws(ReelWatchError) {
            try WebhookEndpointText.checkSecretFile(path)
            // `all` is sent as every type HeyGen lists: HeyGen documents no meaning for a registration without events.
            var sent = events
            if sent == nil { sent = try await client.webhookEventTypes().map(\.name) }
            endpoint = try await client.registerWebhookEndpoint(url: url, events: sent)
            guard let given = endpoint.secret else {
                throw ReelWatchError(code: .invalidResponse, message: "HeyGen sent no secret", provider: .heygen)
            }
            secret = given
        } catch {
            report.print(error)
            throw report.status
        }
        let entry = WebhookEndpointFile.Entry(id: endpoint.id, url: url, events: events, secret: secret)
        do throws(ReelWatchError) {
            try WebhookEndpointFile.update(path: path, now: Date()) { file in file.put(entry) }
        } catch {
            report.print(error)
            Console.standardError.write(
                "reelwatch: the endpoint \(WebhookEndpointText.shown(endpoint.id)) is registered with HeyGen, but its secret was not saved: "
                    + "fix the file, then run 'reelwatch webhook rotate \(WebhookEndpointText.shown(endpoint.id))'\n")
            throw report.status
        }
        if options.json {
            var object: [String: JSONValue] = [
                "endpoint_id": .string(endpoint.id), "url": .string(url),
                "events": WebhookEndpointText.json(events), "status": .optional(endpoint.status),
                "created_at": .optional(endpoint.createdAt.map { ISO8601Timestamp($0).description }),
                "secret_file": .string(path),
            ]
            if showSecret { object["secret"] = .string(secret.value) }
            WebhookEndpointText.printJSON(object)
        } else {
            var text = "registered \(WebhookEndpointText.shown(endpoint.id)): \(WebhookEndpointText.shown(url))\n"
            text += "events: \(WebhookEndpointText.events(events))\n"
            text += "secret saved in \(path) ('serve' picks it up within a second)\n"
            if showSecret { text += "secret: \(secret.value)\n" }
            Console.standardOutput.write(text)
        }
        throw report.status
    }
}
