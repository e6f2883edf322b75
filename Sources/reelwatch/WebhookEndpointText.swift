import ArgumentParser
import Foundation
import ReelWatch
import ReelWatchWebhooks

/// How the `webhook` commands show endpoints: JSON lines and text, never a secret unless asked.
enum WebhookEndpointText {
    /// The events `register` subscribes to by default: what `serve` acts on.
    static let defaultEvents = WebhookDelivery.endEvents

    /// Parses `--events`: comma-separated event types, or `all` for every event (nil).
    static func events(_ text: String) throws -> [String]? {
        if text.trimmingCharacters(in: .whitespaces).lowercased() == "all" { return nil }
        let events = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        do {
            try WebhookEndpoint.validateEvents(events)
        } catch {
            throw ValidationError("--events: \(error.message)")
        }
        return events
    }

    /// The events as one comma-separated word; `all` for nil.
    static func events(_ events: [String]?) -> String {
        guard let events else { return "all" }
        return events.map { ReelWatchError.printable($0, limit: 100) }.joined(separator: ",")
    }

    /// `events` as JSON: a list, or null for all.
    static func json(_ events: [String]?) -> JSONValue {
        events.map { .array($0.map { .string($0) }) } ?? .null
    }

    /// Writes `object` as one JSON line on stdout.
    static func printJSON(_ object: [String: JSONValue]) {
        Console.standardOutput.write(String(decoding: JSONValue.object(object).serialized(), as: UTF8.self) + "\n")
    }

    /// `text` fit for a terminal line.
    static func shown(_ text: String?, limit: Int = 200) -> String {
        text.map { ReelWatchError.printable($0, limit: limit) } ?? "-"
    }

    /// Checks that the secret file can be read and written before HeyGen is asked to change anything, so that a
    /// secret HeyGen answers with is not lost for want of a place to keep it.
    static func checkSecretFile(_ path: String) throws(ReelWatchError) {
        _ = try WebhookEndpointFile.read(path: path)
    }
}

extension WebhookEndpointText {
    /// Refuses, as bad usage, a URL HeyGen could not deliver to.
    static func validateURL(_ url: String) throws {
        do {
            try WebhookEndpoint.validateURL(url)
        } catch {
            throw ValidationError(error.message)
        }
    }

    /// Refuses, as bad usage, an endpoint ID that cannot go into a request path.
    static func validateID(_ id: String) throws {
        if let problem = WebhookEndpoint.problem(withID: id) {
            throw ValidationError("'\(ReelWatchError.printable(id, limit: 60))' is not an endpoint ID: \(problem)")
        }
    }
}
