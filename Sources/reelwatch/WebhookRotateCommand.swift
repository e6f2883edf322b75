import ArgumentParser
import Foundation
import ReelWatch
import ReelWatchWebhooks

/// `reelwatch webhook rotate ID`: gives a webhook endpoint a new secret and saves it, keeping the old one a while.
struct WebhookRotateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate",
        abstract: "Give a webhook endpoint a new secret at HeyGen and save it; the old one stays valid for 24 h.",
        discussion: """
            The new secret replaces the old one in $REELWATCH_HOME/webhook-endpoints.json; the old one is kept \
            as a previous secret and accepted for 24 hours (HeyGen retries a delivery that long), then dropped. \
            A running 'serve' picks the change up within a second. A rotation that got no answer is not sent \
            again: rotate again to be sure of the saved secret.

            \(ExitStatus.webhookTable)
            """
    )

    @Argument(help: "The endpoint's ID, as 'reelwatch webhook list' shows it.")
    var id: String

    @Flag(name: .long, help: "Print the new secret too (it is always saved in the secret file).")
    var showSecret = false

    @OptionGroup var options: CommonOptions

    func validate() throws {
        try WebhookEndpointText.validateID(id)
    }

    func run() async throws {
        var report = JobReport(json: options.json)
        let client = try options.makeClient(report: &report)
        let path = StoreLocation.webhookEndpointsPath()
        var saved: WebhookEndpointFile.Entry?
        var listed: (url: String, events: [String]?)?
        let secret: WebhookSecret
        do throws(ReelWatchError) {
            saved = try WebhookEndpointFile.read(path: path)?.entry(id: id)
            if saved == nil, let endpoint = try await client.webhookEndpoints().first(where: { $0.id == id }) {
                // Not saved here yet: what HeyGen has is needed to save the new secret with.
                guard let url = endpoint.url, (try? WebhookEndpoint.validateURL(url)) != nil else {
                    throw ReelWatchError(
                        code: .invalidResponse,
                        message: "HeyGen lists \(id) without a usable URL, so a new secret could not be saved",
                        provider: .heygen)
                }
                listed = (url, endpoint.events)
            }
            secret = try await client.rotateWebhookSecret(id: id)
        } catch {
            report.print(error)
            throw report.status
        }
        let now = Date()
        do throws(ReelWatchError) {
            try WebhookEndpointFile.update(path: path, now: now) { file throws(ReelWatchError) in
                if file.rotate(id: id, to: secret, at: now) { return }
                guard let listed else {
                    throw ReelWatchError(
                        code: .secretFileUnusable, message: "the webhook secret file \(path) no longer holds \(id)")
                }
                file.put(WebhookEndpointFile.Entry(id: id, url: listed.url, events: listed.events, secret: secret))
            }
        } catch {
            report.print(error)
            Console.standardError.write(
                "reelwatch: \(id)'s secret was rotated at HeyGen but not saved: fix the file, then rotate again\n")
            throw report.status
        }
        let until = ISO8601Timestamp(
            now.addingTimeInterval(Double(WebhookEndpointFile.gracePeriod.components.seconds))
        ).description
        let hadSecret = saved != nil
        if options.json {
            var object: [String: JSONValue] = [
                "endpoint_id": .string(id), "secret_file": .string(path),
                "previous_valid_until": hadSecret ? .string(until) : nil,
            ]
            if showSecret { object["secret"] = .string(secret.value) }
            WebhookEndpointText.printJSON(object)
        } else {
            var text = "rotated \(id)'s secret; saved in \(path)"
            text += hadSecret ? " (the old one stays valid until \(until))\n" : "\n"
            if showSecret { text += "secret: \(secret.value)\n" }
            Console.standardOutput.write(text)
        }
        throw report.status
    }
}
