import ReelWatch

/// reelwatch's exit codes; documented in `--help` and the README, stable for scripts.
struct ExitStatus: Error, Comparable, Hashable {
    let rawValue: Int32

    /// Status retrieved (any state); for `wait`, every render succeeded.
    static let success = ExitStatus(rawValue: 0)
    /// At least one render failed.
    static let renderFailed = ExitStatus(rawValue: 1)
    /// Bad usage, a malformed ref or a malformed setting.
    static let usage = ExitStatus(rawValue: 2)
    /// The provider does not know the job.
    static let notFound = ExitStatus(rawValue: 3)
    /// At least one render was still running at the deadline.
    static let timedOut = ExitStatus(rawValue: 4)
    /// Missing or rejected API key.
    static let authentication = ExitStatus(rawValue: 5)
    /// The provider kept failing or answered something that is not a valid status.
    static let provider = ExitStatus(rawValue: 6)
    /// A download failed after its retries.
    static let downloadFailed = ExitStatus(rawValue: 7)
    /// The job store cannot be used.
    static let store = ExitStatus(rawValue: 8)
    /// The webhook secret file is unsafe, malformed or cannot be written.
    static let secretFile = ExitStatus(rawValue: 9)
    /// `wait`: a job waits for a person (a Video Agent session's `needs_input`), and `--keep-waiting` was not given.
    static let needsInput = ExitStatus(rawValue: 10)
    /// Interrupted (Ctrl-C).
    static let interrupted = ExitStatus(rawValue: 130)

    /// The exit status for an error.
    init(_ error: ReelWatchError) {
        switch error.code {
        case .invalidReference, .invalidConfiguration: self = .usage
        case .jobNotFound: self = .notFound
        case .missingAPIKey, .authenticationFailed: self = .authentication
        case .cancelled: self = .interrupted
        case .renderFailed: self = .renderFailed
        case .timedOut, .notReady: self = .timedOut
        case .downloadFailed: self = .downloadFailed
        case .storeUnavailable, .storeBusy: self = .store
        case .secretFileUnusable: self = .secretFile
        case .needsInput: self = .needsInput
        default: self = .provider
        }
    }

    private init(rawValue: Int32) { self.rawValue = rawValue }

    static func < (lhs: ExitStatus, rhs: ExitStatus) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The table shown in `wait --help`.
    static let waitTable = """
        Exit codes (with several refs the highest wins; every job still gets its line):
          0  every render succeeded
          1  at least one render failed (the reason is printed)
          2  bad usage, a malformed ref or setting
          3  job not found
          4  at least one render was still running at the deadline (run the same command to resume)
          5  missing or rejected API key
          6  the provider kept answering something that is not a valid status
          7  with --download: a download failed after its retries
         10  a job waits for a person (needs_input: a Video Agent session; what it asks is printed);
             answer it at HeyGen and run the same command, or follow it on with --keep-waiting
        130  interrupted (Ctrl-C); where each job stood is printed
        """

    /// The table shown in `track --help` and `run --help`.
    static let trackTable = """
        Exit codes:
          0  done (for track check: every due job polled, every finished file on disk)
          1  a render failed (the reason is printed)
          2  bad usage, a malformed ref or setting
          3  job not found (not tracked, or unknown to the provider)
          5  missing or rejected API key
          6  the provider kept failing or answered something that is not a valid status
          7  a download failed after its retries (the next check tries again)
          8  the job store cannot be used (corrupt, another program's, read-only, disk full), or
             another 'reelwatch run' or 'track check' is working it (one worker per store)
        130  interrupted
        """

    /// The table shown in `serve --help`: the tracking codes, and the secret file's.
    static let serveTable = """
        Exit codes:
          0  done
          1  a render failed (the reason is printed)
          2  bad usage, a malformed ref or setting (REELWATCH_WEBHOOK_SECRET included)
          3  job not found (not tracked, or unknown to the provider)
          5  missing or rejected API key
          6  the provider kept failing or answered something that is not a valid status
          7  a download failed after its retries (tried again later)
          8  the job store cannot be used (corrupt, another program's, read-only, disk full), or
             another 'reelwatch run', 'serve' or 'track check' is working it (one worker per store)
          9  the webhook secret file is unsafe (a symlink, not a regular file, open to group or
             others: chmod 600 it) or malformed
        130  interrupted
        """

    /// The table shown in `webhook register/list/remove/rotate --help`.
    static let webhookTable = """
        Exit codes:
          0  done
          2  bad usage: a malformed URL, endpoint ID, event type or setting
          3  no such webhook endpoint at HeyGen (remove: and none in the secret file either)
          5  missing or rejected API key
          6  HeyGen kept failing, refused the request or answered something invalid; also a
             registration or rotation that got no answer (outcome_unknown: whether it took effect
             is unknown, and it was not sent again — see 'reelwatch webhook list')
          9  the webhook secret file is unsafe (a symlink, not a regular file, another user's, or
             open to group or others: chmod 600 it), malformed, or cannot be written
        130  interrupted
        """

    /// The table shown in `download --help`.
    static let downloadTable = """
        Exit codes (with several refs the highest wins; every job still gets its line):
          0  every requested file is on disk, complete
          1  a render failed (the reason is printed)
          2  bad usage, a malformed ref or setting
          3  job not found
          4  a render is still running (use: reelwatch wait REF --download DIR)
          5  missing or rejected API key
          6  the provider kept failing or answered something that is not a valid status
          7  a download failed after its retries (the file and the reason are printed)
        130  interrupted (Ctrl-C); finished files stay, partial ones resume next time
        """

    /// The table shown in `--help`.
    static let table = """
        Exit codes (with several refs the highest wins; every job still gets its line):
          0  status retrieved (any state)
          2  bad usage, a malformed ref or setting
          3  job not found
          5  missing or rejected API key
          6  the provider kept failing or answered something that is not a valid status
        """
}
