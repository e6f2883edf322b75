import Foundation

/// The one error type reelwatch throws: a stable code, a one-line message, and where it happened.
///
/// The message never carries an API key, a webhook secret or a full signed URL, so it is safe to
/// print, log and return to agents.
public struct ReelWatchError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable, machine-readable kind of error; an open set that grows by adding static members.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case invalidReference = "invalid_ref"
            case invalidConfiguration = "invalid_config"
            case jobNotFound = "not_found"
            case missingAPIKey = "missing_api_key"
            case authenticationFailed = "auth_failed"
            case providerUnavailable = "provider_unavailable"
            case invalidResponse = "invalid_response"
            case cancelled = "cancelled"
            case renderFailed = "render_failed"
            case timedOut = "timed_out"
            case needsInput = "needs_input"
            case downloadFailed = "download_failed"
            case notReady = "not_ready"
            case storeUnavailable = "store_unavailable"
            case storeBusy = "store_busy"
            case webhookRejected = "webhook_rejected"
            case invalidWebhook = "invalid_webhook"
            case outcomeUnknown = "outcome_unknown"
            case secretFileUnusable = "secret_file_unusable"
        }

        private let base: Base

        private init(_ base: Base) { self.base = base }

        /// The string form scripts branch on, such as `not_found`.
        public var description: String { base.rawValue }

        /// A job reference that does not parse.
        public static let invalidReference = Code(.invalidReference)
        /// A setting (environment variable, flag or file) that does not parse.
        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// The provider does not know the job (HTTP 404 or a `not_found` error).
        public static let jobNotFound = Code(.jobNotFound)
        /// No API key is configured for the provider.
        public static let missingAPIKey = Code(.missingAPIKey)
        /// The provider rejected the API key (HTTP 401 or 403).
        public static let authenticationFailed = Code(.authenticationFailed)
        /// The provider kept failing (connection errors, 5xx, rate limits) after every retry.
        public static let providerUnavailable = Code(.providerUnavailable)
        /// The provider answered something that is not a valid status.
        public static let invalidResponse = Code(.invalidResponse)
        /// The operation was cancelled.
        public static let cancelled = Code(.cancelled)
        /// The render failed at the provider.
        public static let renderFailed = Code(.renderFailed)
        /// The deadline came while the render was still running.
        public static let timedOut = Code(.timedOut)
        /// The job waits for a person (a Video Agent session's `needs_input`): following it on will not end it.
        public static let needsInput = Code(.needsInput)
        /// A file could not be downloaded after every retry.
        public static let downloadFailed = Code(.downloadFailed)
        /// The job has not finished yet, so it has no files to download.
        public static let notReady = Code(.notReady)
        /// The job store cannot be opened or written (corrupt, foreign, read-only, disk full).
        public static let storeUnavailable = Code(.storeUnavailable)
        /// Another process (`reelwatch run` or `track check`) is working the store's jobs.
        public static let storeBusy = Code(.storeBusy)
        /// A webhook delivery whose signature or timestamp does not check out.
        public static let webhookRejected = Code(.webhookRejected)
        /// A signed webhook delivery whose body is not an event reelwatch can read.
        public static let invalidWebhook = Code(.invalidWebhook)
        /// A request that changes something at the provider got no answer after it may have arrived: whether it
        /// took effect is unknown, and it was not sent again.
        public static let outcomeUnknown = Code(.outcomeUnknown)
        /// The webhook secret file is unsafe (a symlink, not a regular file, open to group or others), malformed,
        /// or cannot be written.
        public static let secretFileUnusable = Code(.secretFileUnusable)
    }

    /// What kind of error this is.
    public var code: Code
    /// A one-line, secret-free description of what went wrong.
    public var message: String
    /// What the user can do about it, when there is something to say.
    public var hint: String?
    /// The job the error concerns, if any.
    public var ref: JobRef?
    /// The provider that answered, if any.
    public var provider: ProviderName?
    /// The HTTP status of the provider's last answer, if there was one.
    public var httpStatus: Int?
    /// How long the provider asked to wait before asking again, if it did.
    public var retryAfter: Duration?
    /// Whether the failure was a passing one of this machine's, not of the store, file or job: the process ran out
    /// of descriptors (`EMFILE`, `ENFILE`) or the store was busy. A daemon tries the same again after a backoff
    /// (``isTransient(errno:)``).
    public var transient = false

    /// Creates an error; `message` must not contain secrets.
    public init(
        code: Code,
        message: String,
        hint: String? = nil,
        ref: JobRef? = nil,
        provider: ProviderName? = nil,
        httpStatus: Int? = nil
    ) {
        self.code = code
        self.message = message
        self.hint = hint
        self.ref = ref
        self.provider = provider ?? ref?.provider
        self.httpStatus = httpStatus
    }

    /// Whether a system call that failed with `code` may succeed tried again once other descriptors are closed: the
    /// process's or the system's table of open files was full.
    public static func isTransient(errno code: Int32) -> Bool {
        code == EMFILE || code == ENFILE
    }

    /// The message, prefixed by the job reference when there is one.
    public var description: String {
        if let ref { return "\(ref.printable): \(message)" }
        return message
    }

    /// Returns `text` fit for a one-line message or a terminal: control characters and bidirectional overrides
    /// escaped (so no provider string can move the cursor, recolour or reorder what is shown), at most `limit`
    /// Unicode scalars.
    public static func printable(_ text: some StringProtocol, limit: Int = 80) -> String {
        var out = ""
        var shown = 0
        for scalar in text.unicodeScalars {
            if shown >= limit {
                out += "…"
                break
            }
            shown += 1
            if scalar.properties.generalCategory == .control || isBidirectionalControl(scalar) {
                out += scalar.escaped(asASCII: true)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Whether `scalar` is U+061C, U+200E–U+200F, U+202A–U+202E or U+2066–U+2069: they reorder the text around them.
    public static func isBidirectionalControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }
}
