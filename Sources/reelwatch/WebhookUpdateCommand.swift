import ArgumentParser
import Foundation
import ReelWatch
import ReelWatchWebhooks

/// `reelwatch webhook update ID`: changes a webhook endpoint's URL or events at HeyGen and in the saved entry.
struct WebhookUpdateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update",
        abstract: "Change a webhook endpoint's URL or events at HeyGen, and in the entry 'serve' reads.",
        discussion: """
            HeyGen checks a new URL as on registration (an OPTIONS request answered 2xx within 1 s). The secret \
            stays the same. The saved entry in $REELWATCH_HOME/webhook-endpoints.json follows, so a running 'serve' \
            polls as a safety net exactly the renders whose events the endpoint now receives; an endpoint whose \
            secret is not saved here is changed at HeyGen only. --events all sends every event type HeyGen lists. \
            An update that got no answer is not sent again (see 'reelwatch webhook list').

            \(ExitStatus.webhookTable)
            """
    )

    @Argument(help: "The endpoint's ID, as 'reelwatch webhook list' shows it.")
    var id: String

    @Option(name: .long, help: ArgumentHelp("Where HeyGen delivers from now on.", valueName: "url"))
    var url: String?

    @Option(
        name: .long, help: ArgumentHelp("Comma-separated event types, or 'all', from now on.", valueName: "types"))
    var events: String?

    /// The events asked for: nil to keep them; `.some(nil)` for all.
    private var newEvents: [String]?? {
        get throws { try events.map(WebhookEndpointText.events) }
    }

    @OptionGroup var options: CommonOptions

    func validate() throws {
        try WebhookEndpointText.validateID(id)
        guard url != nil || events != nil else { throw ValidationError("give --url, --events or both") }
        _ = try newEvents
        if let url { try WebhookEndpointText.validateURL(url) }
    }

    func run() async throws {
        var report = JobReport(json: options.json)
        let client = try options.makeClient(report: &report)
        let path = StoreLocation.webhookEndpointsPath()
        let endpoint: WebhookEndpoint
        // `--events all` (nil inside) is sent as every type HeyGen lists: a PATCH without events keeps the old ones.
        var sent: [String]?
        let events = try newEvents
        do throws(ReelWatchError) {
            try WebhookEndpointText.checkSecretFile(path)
            if let events {
                if let events {
                    sent = events
                } else {
                    sent = try await client.webhookEventTypes().map(\.name)
                }
            }
            endpoint = try await client.updateWebhookEndpoint(id: id, url: url, events: sent)
        } catch {
            report.print(error)
            throw report.status
        }
        var saved = false
        do throws(ReelWatchError) {
            try WebhookEndpointFile.update(path: path, now: Date()) { file in
                guard var entry = file.entry(id: id) else { return }
                if let url { entry.url = url }
                if let events { entry.events = events }
                file.put(entry)
                saved = true
            }
        } catch {
            report.print(error)
            Console.standardError.write(
                "reelwatch: \(id) was updated at HeyGen, but the secret file was not: fix it, then update again\n")
            throw report.status
        }
        let shownURL = endpoint.url ?? url
        let shownEvents = endpoint.events ?? sent
        if options.json {
            WebhookEndpointText.printJSON([
                "endpoint_id": .string(id), "url": .optional(shownURL), "events": WebhookEndpointText.json(shownEvents),
                "status": .optional(endpoint.status), "secret_file": saved ? .string(path) : .null,
            ])
        } else {
            var text = "updated \(id): \(WebhookEndpointText.shown(shownURL))\n"
            text += "events: \(WebhookEndpointText.events(shownEvents))\n"
            text += saved ? "saved in \(path)\n" : "(its secret is not saved in \(path): changed at HeyGen only)\n"
            Console.standardOutput.write(text)
        }
        throw report.status
    }
}
