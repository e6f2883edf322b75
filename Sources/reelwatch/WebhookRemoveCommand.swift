import ArgumentParser
import Foundation
import ReelWatch
import ReelWatchWebhooks

/// `reelwatch webhook remove ID`: deletes a webhook endpoint at HeyGen and drops its secrets here.
struct WebhookRemoveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove",
        abstract: "Delete a webhook endpoint at HeyGen, then drop its secrets from the secret file.",
        discussion: """
            An ID HeyGen does not know but the secret file holds is dropped from the file, with a note (exit 0); \
            one unknown to both is exit 3. 'serve' stops accepting the endpoint's deliveries within a second.

            \(ExitStatus.webhookTable)
            """
    )

    @Argument(help: "The endpoint's ID, as 'reelwatch webhook list' shows it.")
    var id: String

    @OptionGroup var options: CommonOptions

    func validate() throws {
        try WebhookEndpointText.validateID(id)
    }

    func run() async throws {
        var report = JobReport(json: options.json)
        let client = try options.makeClient(report: &report)
        let path = StoreLocation.webhookEndpointsPath()
        let saved: WebhookEndpointFile?
        do throws(ReelWatchError) {
            saved = try WebhookEndpointFile.read(path: path)
        } catch {
            report.print(error)
            throw report.status
        }
        var unknown: ReelWatchError?
        do throws(ReelWatchError) {
            try await client.removeWebhookEndpoint(id: id)
        } catch let error where error.code == .jobNotFound {
            unknown = error
        } catch {
            report.print(error)
            throw report.status
        }
        var dropped = false
        if saved?.entry(id: id) != nil {
            do throws(ReelWatchError) {
                dropped = try WebhookEndpointFile.update(path: path, now: Date()) { file in file.remove(id: id) }
            } catch {
                report.print(error)
                throw report.status
            }
        }
        if let unknown, !dropped {
            report.print(unknown)
            throw report.status
        }
        if options.json {
            WebhookEndpointText.printJSON([
                "endpoint_id": .string(id), "removed_at_heygen": .bool(unknown == nil),
                "dropped_from_file": .bool(dropped), "secret_file": .string(path),
            ])
        } else if unknown != nil {
            Console.standardOutput.write(
                "HeyGen has no webhook endpoint \(id); dropped its secrets from \(path)\n")
        } else {
            Console.standardOutput.write(
                "removed \(id) at HeyGen" + (dropped ? "; dropped its secrets from \(path)" : "") + "\n")
        }
        throw report.status
    }
}
