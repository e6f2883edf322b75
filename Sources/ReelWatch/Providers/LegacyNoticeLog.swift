import HTTPTypes
import Logging
import Synchronization

/// Notices that a provider calls an endpoint legacy or deprecated, and warns once per API and process, naming
/// the ref prefix to move to.
///
/// Providers say it in the body (HeyGen: "This v2 endpoint is Legacy and will be removed" in `message`) or in
/// the `Deprecation`, `Sunset` and `Warning` headers; every answer, successful or not, is looked at.
final class LegacyNoticeLog: Sendable {
    private let warned = Mutex<Set<ProviderAPI>>([])
    private let followed = Mutex<Set<ProviderAPI>>([])

    /// The longest notice quoted in the warning.
    static let quoteLimit = 160

    /// Warns, the first time for `api`, when `headers` or `json` say the endpoint is legacy.
    func check(
        api: ProviderAPI, headers: HTTPFields, json: JSONValue?, redaction: SecretRedaction, logger: Logger
    ) {
        guard let notice = Self.notice(headers: headers, json: json) else { return }
        guard warned.withLock({ $0.insert(api).inserted }) else { return }
        let quoted = ReelWatchError.printable(redaction.apply(notice), limit: Self.quoteLimit)
        logger.warning(
            "\(Logger.Message(stringLiteral: Self.message(api: api, quoted: quoted)))",
            metadata: ["provider.api": "\(api.rawValue)"]
        )
    }

    /// Warns, the first time for `api`, that its route is retired (it answered `httpStatus`) and its jobs are now
    /// followed on the successor's route.
    func followSuccessor(of api: ProviderAPI, httpStatus: Int, logger: Logger) {
        guard let successor = api.successor, followed.withLock({ $0.insert(api).inserted }) else { return }
        logger.warning(
            "\(Logger.Message(stringLiteral: Self.retiredMessage(api: api, successor: successor, httpStatus: httpStatus)))",
            metadata: ["provider.api": "\(api.rawValue)"]
        )
    }

    /// The warning for `api`'s retired route.
    static func retiredMessage(api: ProviderAPI, successor: ProviderAPI, httpStatus: Int) -> String {
        "\(api.provider.displayName) retired the endpoint behind \(api.refPrefix): refs (HTTP \(httpStatus)); "
            + "reelwatch follows those jobs as \(successor.refPrefix): refs (the same IDs) from now on"
    }

    /// The warning for `api` whose provider said `quoted`.
    static func message(api: ProviderAPI, quoted: String) -> String {
        let name = api.provider.displayName
        let advice =
            if let successor = api.successor {
                "move to \(successor.refPrefix): refs (\(api.refPrefix): still works for now)"
            } else {
                "reelwatch keeps using it; a newer release will follow \(name)'s replacement"
            }
        return "\(name) says the endpoint behind \(api.refPrefix): refs is legacy (\"\(quoted)\"); \(advice)"
    }

    /// What the answer says about being legacy or deprecated, or nil when it says nothing of the kind.
    static func notice(headers: HTTPFields, json: JSONValue?) -> String? {
        if let value = headers[deprecation] { return "Deprecation: \(value)" }
        if let value = headers[sunset] { return "Sunset: \(value)" }
        if let value = headers[warning], mentionsLegacy(value) { return value }
        guard let json, json.objectValue != nil else { return nil }
        let candidates = [
            json["message"], json["msg"], json["warning"], json["notice"], json["deprecation"], json["error"],
            json["error"]?["message"],
        ]
        for candidate in candidates {
            if let text = candidate?.text, mentionsLegacy(text) { return text }
        }
        return nil
    }

    /// Whether `text` calls something legacy or deprecated.
    static func mentionsLegacy(_ text: String) -> Bool {
        let lower = text.lowercased()
        return lower.contains("legacy") || lower.contains("deprecat")
    }

    private static let deprecation = HTTPField.Name("Deprecation")!
    private static let sunset = HTTPField.Name("Sunset")!
    private static let warning = HTTPField.Name("Warning")!
}
