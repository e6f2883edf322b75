import Foundation

/// The one pass every text from outside goes through before it is shown, logged, stored or returned: each
/// configured secret (API keys) is replaced by `<redacted>`, wherever a provider echoed it.
public struct SecretRedaction: Sendable, Hashable {
    /// The secrets to remove.
    public var secrets: [String]

    /// What replaces a secret.
    public static let placeholder = "<redacted>"

    /// Secrets shorter than this are not looked for: no real key is, and redacting a short test key would
    /// mangle ordinary words.
    public static let shortestSecret = 6

    /// Removes `secrets` (those shorter than ``shortestSecret`` are ignored).
    public init(secrets: [String]) { self.secrets = secrets.filter { $0.count >= Self.shortestSecret } }

    /// `text` without any of the secrets.
    public func apply(_ text: String) -> String {
        var text = text
        for secret in secrets where text.containsEquivalent(secret) {
            text = text.replacingOccurrences(of: secret, with: Self.placeholder)
        }
        return text
    }

    /// `text` without any of the secrets, nil staying nil.
    public func apply(_ text: String?) -> String? { text.map(apply) }

    /// The prefix of HeyGen's webhook secrets.
    public static let webhookSecretPrefix = "whsec_"

    /// `text` with every token that starts with ``webhookSecretPrefix`` (up to the next character that is not a
    /// letter, digit, `_`, `-`, `+`, `/` or `=`) replaced by `<redacted>`: a webhook secret an answer carried
    /// never reaches an error or a log, whichever endpoint it belonged to.
    public static func maskingWebhookSecrets(_ text: String) -> String {
        guard text.contains(webhookSecretPrefix) else { return text }
        var out = ""
        var rest = Substring(text)
        while let range = rest.range(of: webhookSecretPrefix) {
            out += rest[..<range.lowerBound]
            out += placeholder
            var end = range.upperBound
            while end < rest.endIndex, rest[end].isASCII,
                rest[end].isLetter || rest[end].isNumber || "_-+/=".contains(rest[end])
            {
                end = rest.index(after: end)
            }
            rest = rest[end...]
        }
        return out + rest
    }
}

extension Configuration {
    /// Every secret configured: the API keys of all providers.
    public var redaction: SecretRedaction {
        SecretRedaction(secrets: ProviderName.allCases.compactMap { apiKey(for: $0)?.secret })
    }
}

extension ReelWatchError {
    /// The error with every secret removed from its message and hint.
    public func redacting(_ redaction: SecretRedaction) -> ReelWatchError {
        var error = self
        error.message = SecretRedaction.maskingWebhookSecrets(redaction.apply(message))
        error.hint = redaction.apply(hint).map(SecretRedaction.maskingWebhookSecrets)
        return error
    }
}

extension JobFailure {
    /// The failure with every secret removed.
    public func redacting(_ redaction: SecretRedaction) -> JobFailure {
        var failure = self
        failure.code = redaction.apply(code)
        failure.message = redaction.apply(message)
        failure.detail = redaction.apply(detail)
        return failure
    }
}

extension JobSnapshot {
    /// The snapshot with every secret removed from the text the provider sent.
    public func redacting(_ redaction: SecretRedaction) -> JobSnapshot {
        guard !redaction.secrets.isEmpty else { return self }
        var snapshot = self
        snapshot.providerStatus = providerStatus.map { ProviderStatus(rawValue: redaction.apply($0.rawValue)) }
        snapshot.title = redaction.apply(title)
        snapshot.callbackID = redaction.apply(callbackID)
        snapshot.outputLanguage = redaction.apply(outputLanguage)
        snapshot.pageURL = redaction.apply(pageURL)
        snapshot.agentMessage = redaction.apply(agentMessage)
        snapshot.failure = failure?.redacting(redaction)
        snapshot.assets = assets.map { asset in
            var asset = asset
            asset.url = redaction.apply(asset.url)
            asset.error = redaction.apply(asset.error)
            asset.format = redaction.apply(asset.format)
            asset.aspectRatio = redaction.apply(asset.aspectRatio)
            asset.fps = redaction.apply(asset.fps)
            asset.resolution = redaction.apply(asset.resolution)
            asset.label = redaction.apply(asset.label)
            asset.outputID = redaction.apply(asset.outputID)
            return asset
        }
        return snapshot
    }
}
