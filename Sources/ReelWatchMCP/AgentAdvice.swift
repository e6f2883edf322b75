import ReelWatch

/// What the MCP tools add to a library error: the next call an agent can make (or that no call will help).
///
/// The library says what went wrong; only the server knows its tools and the client's configuration, so the
/// advice is written here (the CLI's is in its own `ErrorAdvice`).
enum AgentAdvice {
    /// The hint returned with `error`.
    static func hint(for error: ReelWatchError) -> String? {
        switch error.code {
        case .invalidReference:
            return "write refs as PROVIDER:ID, e.g. heygen:abc123, heygen-translate:ID or hera:ID"
        case .invalidConfiguration:
            return "fix the setting in the env of reelwatch's entry in the MCP client configuration, then restart it"
        case .missingAPIKey:
            let variable = error.provider?.apiKeyVariable ?? "the provider's API key variable"
            return "add \(variable) to the env of reelwatch's entry in the MCP client configuration, then restart it"
        case .authenticationFailed:
            let variable = error.provider?.apiKeyVariable ?? "the API key"
            return "the provider rejected \(variable): calling again will fail the same way until the key is fixed"
        case .jobNotFound:
            return "check the ref: its provider does not know this job (a HeyGen translation is heygen-translate:ID)"
        case .notReady:
            guard let ref = error.ref else { return "call wait with download_dir instead" }
            return "call wait with refs [\"\(ref)\"] and download_dir to save its files when it finishes"
        case .timedOut:
            guard let ref = error.ref else { return "call wait again" }
            return "not done at the timeout: call wait again with refs [\"\(ref)\"] (with the same download_dir, a "
                + "partial file resumes)"
        case .needsInput:
            return "the job waits for a person: answer it at HeyGen, then call wait again"
        case .renderFailed:
            return "the render failed at the provider: waiting or downloading again will not help; submit it again"
        case .providerUnavailable:
            return "the provider kept failing: call the tool again in a few minutes"
        case .invalidResponse:
            return "the provider answered something that is not a status: call the tool again in a few minutes"
        case .downloadFailed:
            return "call download again with this ref: saved files are kept and partial ones resume"
        case .storeUnavailable:
            return "set REELWATCH_HOME in the server's env to use another job store"
        case .storeBusy:
            return "another reelwatch worker holds the job store: stop it, or set REELWATCH_HOME to another store"
        default:
            return error.hint
        }
    }
}
