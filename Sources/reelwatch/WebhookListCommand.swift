import ArgumentParser
import Foundation
import ReelWatch
import ReelWatchWebhooks

/// `reelwatch webhook list`: HeyGen's webhook endpoints, and which have a secret saved here.
struct WebhookListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the account's webhook endpoints at HeyGen, marking those whose secret is saved here.",
        discussion: """
            SECRET is 'saved' when $REELWATCH_HOME/webhook-endpoints.json holds the endpoint's secret ('serve' \
            accepts its deliveries), '-' otherwise. Endpoints the file holds but HeyGen does not list are named \
            after the table.

            \(ExitStatus.webhookTable)
            """
    )

    @OptionGroup var options: CommonOptions

    func run() async throws {
        var report = JobReport(json: options.json)
        let client = try options.makeClient(report: &report)
        let path = StoreLocation.webhookEndpointsPath()
        let endpoints: [WebhookEndpoint]
        do throws(ReelWatchError) {
            endpoints = try await client.webhookEndpoints()
        } catch {
            report.print(error)
            throw report.status
        }
        var saved: [WebhookEndpointFile.Entry] = []
        do throws(ReelWatchError) {
            saved = try WebhookEndpointFile.read(path: path)?.entries ?? []
        } catch {
            report.print(error)
        }
        let savedIDs = Set(saved.map(\.id))
        let listedIDs = Set(endpoints.map(\.id))
        let missing = saved.filter { !listedIDs.contains($0.id) }
        if options.json {
            for endpoint in endpoints {
                WebhookEndpointText.printJSON([
                    "endpoint_id": .string(endpoint.id), "url": .optional(endpoint.url),
                    "status": .optional(endpoint.status), "events": WebhookEndpointText.json(endpoint.events),
                    "created_at": .optional(endpoint.createdAt.map { ISO8601Timestamp($0).description }),
                    "secret_saved": .bool(savedIDs.contains(endpoint.id)), "at_heygen": true,
                ])
            }
            for entry in missing {
                WebhookEndpointText.printJSON([
                    "endpoint_id": .string(entry.id), "url": .string(entry.url), "status": nil,
                    "events": WebhookEndpointText.json(entry.events), "created_at": nil, "secret_saved": true,
                    "at_heygen": false,
                ])
            }
            throw report.status
        }
        var text = ""
        if endpoints.isEmpty {
            text += "no webhook endpoints at HeyGen\n"
        } else {
            let rows =
                [["ID", "STATUS", "SECRET", "EVENTS", "URL"]]
                + endpoints.map { endpoint in
                    [
                        WebhookEndpointText.shown(endpoint.id), WebhookEndpointText.shown(endpoint.status, limit: 20),
                        savedIDs.contains(endpoint.id) ? "saved" : "-", WebhookEndpointText.events(endpoint.events),
                        WebhookEndpointText.shown(endpoint.url),
                    ]
                }
            let widths = (0..<4).map { column in rows.map { $0[column].count }.max() ?? 0 }
            for row in rows {
                let padded = (0..<4).map { row[$0].padding(toLength: widths[$0], withPad: " ", startingAt: 0) }
                text += (padded + [row[4]]).joined(separator: "  ") + "\n"
            }
        }
        for entry in missing {
            text +=
                "note: \(WebhookEndpointText.shown(entry.id)) has a secret saved in \(path) but HeyGen does not list it "
                + "('reelwatch webhook remove \(WebhookEndpointText.shown(entry.id))' drops it)\n"
        }
        Console.standardOutput.write(text)
        throw report.status
    }
}
