import ArgumentParser
import Foundation
import ReelWatch

/// `reelwatch webhook`: what `serve` needs set up with HeyGen.
struct WebhookCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhook",
        abstract: "Set up what 'serve' receives: HeyGen's webhook endpoints and secrets, the per-job callback URL.",
        discussion: """
            register, update, rotate and remove talk to HeyGen's webhook endpoint API (HEYGEN_API_KEY, REELWATCH_HEYGEN_URL) \
            and keep each endpoint's secret in $REELWATCH_HOME/webhook-endpoints.json (mode 0600), which a running \
            'serve' reads again when it changes.
            """,
        subcommands: [
            WebhookRegisterCommand.self, WebhookListCommand.self, WebhookUpdateCommand.self, WebhookRotateCommand.self,
            WebhookRemoveCommand.self, WebhookCallbackURLCommand.self,
        ]
    )
}
