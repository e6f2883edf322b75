import ReelWatch

/// What the CLI adds to a library error when it prints it: the command, flag or setting that helps.
///
/// The library says what went wrong ("still processing, nothing to download yet"); only the CLI knows its own
/// commands and environment, so the advice is written here.
enum ErrorAdvice {
    /// The hint printed with `error`: the library's own when it gave one, else the advice for its code.
    ///
    /// - Parameter downloadDirectory: where the command was asked to save files, for the advice to wait for a
    ///   render that is not ready yet.
    static func hint(for error: ReelWatchError, downloadDirectory: String? = nil) -> String? {
        if let hint = error.hint { return hint }
        switch error.code {
        case .notReady:
            guard let ref = error.ref, let downloadDirectory else { return nil }
            return "use: reelwatch wait \(ref.printable) --download \(downloadDirectory)"
        case .storeUnavailable:
            return "set REELWATCH_HOME to use another store"
        case .storeBusy:
            return "one worker per store: stop it first, or set REELWATCH_HOME to use another store"
        case .missingAPIKey:
            guard let provider = error.provider else { return nil }
            return "export \(provider.apiKeyVariable)=<your key>"
        case .authenticationFailed:
            guard let provider = error.provider else { return nil }
            return "check \(provider.apiKeyVariable)"
        case .jobNotFound:
            // A 404 that is not JSON comes from something other than the provider's API: a wrong base URL.
            guard let provider = error.provider, error.message.hasSuffix(StatusClient.notJSON) else { return nil }
            return "check \(provider.baseURLVariable)"
        case .outcomeUnknown:
            return "see whether it took effect: reelwatch webhook list"
        default:
            return nil
        }
    }
}
