import ArgumentParser
import Foundation
import ReelWatch
import ReelWatchServer
import ReelWatchStore

/// `reelwatch webhook callback-url`: the URL to give HeyGen as a render's `callback_url`.
struct WebhookCallbackURLCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "callback-url",
        abstract: "Print the URL to pass as callback_url when you create a render, for 'serve' to receive.",
        discussion: """
            HeyGen does not sign per-job callback deliveries, so 'serve' accepts them only on this path, whose last \
            part is a random token made once for the job store (keep it as you would a password: anyone who has \
            it can make a tracked job be polled early — never change a job's state, which always comes from \
            HeyGen), and only for jobs the store tracks.

            \(ExitStatus.trackTable)
            """
    )

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Where HeyGen reaches 'serve' from outside, e.g. https://hooks.example.com.", valueName: "url")
    )
    var base = "http://127.0.0.1:8080"

    func validate() throws {
        guard let url = URLComponents(string: base), ["http", "https"].contains(url.scheme?.lowercased() ?? ""),
            url.host?.isEmpty == false, url.query == nil, url.fragment == nil
        else { throw ValidationError("--base must be an http(s) URL without a query, e.g. https://hooks.example.com") }
    }

    func run() async throws {
        var report = JobReport(json: false)
        let store = try StoreLocation.open(report: &report)
        do throws(ReelWatchError) {
            let token = try await store.callbackToken()
            let trimmed = base.hasSuffix("/") ? String(base.dropLast()) : base
            Console.standardOutput.write("\(trimmed)\(WebhookServer.callbackPath)/\(token)\n")
        } catch {
            report.print(error)
            throw report.status
        }
    }
}
