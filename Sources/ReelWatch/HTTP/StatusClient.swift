import Foundation
import HTTPTypes
import Logging
import NIOCore

/// Fetches the status of a job from its provider and normalizes it into a ``JobSnapshot``.
///
/// Sends the API key and `User-Agent`, retries transient failures (connection errors, 5xx, 429, a
/// provider's own rate-limit answers) with full-jitter backoff honouring `Retry-After`, and turns
/// every other answer into a ``ReelWatchError`` with a stable code.
public struct StatusClient: Sendable {
    /// Where the providers are and the keys to use.
    public var configuration: Configuration
    /// How transient failures are retried.
    public var retryPolicy: RetryPolicy
    /// The longest one request (head and body) may take.
    public var requestTimeout: Duration
    /// The largest status body accepted.
    public var maximumBodySize: Int = 4 << 20
    /// How long past a caller's deadline a request may run: the last poll, made at the deadline, gets this long to
    /// answer (when ``requestTimeout`` is not shorter); no request runs past the deadline plus this, and none starts
    /// after it.
    public var finalRequestTimeout: Duration = .milliseconds(250)

    /// The time every wait of this client (backoff, polling, rate limiting) runs on.
    public let time: TimeSource
    /// The source of numbers in `0..<1` for jitter.
    public let random: @Sendable () -> Double
    /// The current date, for what providers say in dates: `Retry-After` as an HTTP date, link expiries.
    public let wallClock: @Sendable () -> Date
    /// Where retries and unknown statuses are reported.
    public let logger: Logger
    /// The per-provider request limit shared by everything using this client, if any.
    public let rateLimiter: RateLimiter?

    private let transport: any HTTPTransport
    let unknownStatuses = UnknownStatusLog()
    let legacyNotices = LegacyNoticeLog()

    /// Creates a client.
    ///
    /// - Parameters:
    ///   - clock: what backoff, polling and rate limiting sleep on; tests pass a manual clock.
    ///   - random: a source of numbers in `0..<1` for jitter.
    ///   - rateLimiter: a per-provider token bucket shared with other clients, if any.
    ///   - logger: where retries and unknown statuses are reported.
    ///   - wallClock: the current date, to read `Retry-After` dates and tell whether a link has expired.
    public init(
        configuration: Configuration,
        transport: any HTTPTransport = AsyncHTTPClientTransport(),
        retryPolicy: RetryPolicy = RetryPolicy(),
        requestTimeout: Duration = .seconds(30),
        clock: some Clock<Duration>,
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
        wallClock: @escaping @Sendable () -> Date,
        rateLimiter: RateLimiter? = nil,
        logger: Logger
    ) {
        self.configuration = configuration
        self.transport = transport
        self.retryPolicy = retryPolicy
        self.requestTimeout = requestTimeout
        self.time = TimeSource(clock)
        self.random = random
        self.wallClock = wallClock
        self.rateLimiter = rateLimiter
        self.logger = logger
    }

    /// The current status of `ref` from its own route, retrying transient failures (``snapshot(of:before:)`` also
    /// asks a retired route's successor).
    ///
    /// - Parameter deadline: when given (an instant of ``time``), no retry starts after it and no request (nor its
    ///   wait for the rate limit) runs past it plus ``finalRequestTimeout``, whatever the provider does: a caller that
    ///   waits until a deadline is not held beyond it by a provider that never answers. A request at the deadline
    ///   gets ``finalRequestTimeout``; one that would start after that fails at once without being sent.
    func routeSnapshot(of ref: JobRef, before deadline: Duration?) async throws(ReelWatchError) -> JobSnapshot {
        if let lister = ref.api.memberAdapter {
            return try await batchSnapshot(of: ref, lister: lister, before: deadline)
        }
        let adapter = ref.api.adapter
        let request = adapter.statusRequest(id: ref.id, baseURL: configuration.baseURL(for: ref.provider))
        var logger = self.logger
        logger[metadataKey: "job.ref"] = "\(ref)"
        let snapshot = try await send(request, adapter: adapter, ref: ref, deadline: deadline, logger: logger) {
            json, status throws(ReelWatchError) in
            let snapshot = try adapter.snapshot(from: json, ref: ref, httpStatus: status)
                .redacting(configuration.redaction)
            if snapshot.state == .unknown, let word = snapshot.providerStatus {
                unknownStatuses.report(word, api: ref.api, logger: logger)
            }
            return snapshot
        }
        guard snapshot.state == .succeeded, let linker = ref.api.linkAdapter else { return snapshot }
        return try await addingLinks(to: snapshot, from: linker, before: deadline, logger: logger)
    }

    /// Sends `request` with the provider's key, retrying transient failures, and decodes a 2xx JSON answer with
    /// `decode`; errors are reported against `ref`.
    ///
    /// A `POST` is not idempotent: once it may have reached the provider it is never sent again, so only a 429 (or
    /// the provider's own rate-limit answer) and a refused connection are retried; a timeout, a lost connection or
    /// a 5xx fails with `outcome_unknown`.
    ///
    /// - Parameters:
    ///   - body: the JSON body to send, if any.
    ///   - purpose: what the request is for, in error messages: `status request`, `webhook registration`.
    ///   - deadline: an instant of ``time`` that bounds the request and its retries, as in
    ///     ``snapshot(of:before:)``.
    func send<T: Sendable>(
        _ request: HTTPRequest,
        body: [UInt8]? = nil,
        purpose: String = "status request",
        adapter: any Provider,
        ref: JobRef,
        deadline: Duration? = nil,
        logger: Logger,
        decode: (JSONValue, Int) throws(ReelWatchError) -> T
    ) async throws(ReelWatchError) -> T {
        guard let key = configuration.apiKey(for: ref.provider) else { throw .missingKey(ref: ref) }
        var request = request
        request.headerFields[.userAgent] = ReelWatchVersion.userAgent
        request.headerFields[.accept] = "application/json"
        request.headerFields[Self.apiKeyField] = key.secret
        if body != nil { request.headerFields[.contentType] = "application/json" }

        var redirects = 0
        let name = ref.provider.displayName
        return try await retryPolicy.run(
            time: time,
            random: random,
            deadline: deadline,
            giveUp: { (stop: RetryPolicy.Stop<ReelWatchError>) in
                switch stop {
                case .cancelled:
                    return Self.cancelled(ref)
                case .exhausted(let reason, let attempts, let retryAfter):
                    return giveUp(
                        "\(name) kept failing after \(Self.attempts(attempts))", reason, retryAfter: retryAfter)
                case .retryAfterTooLong(let reason, _, let retryAfter):
                    return giveUp(
                        "\(name) asked to retry after \(retryAfter.shortDescription), longer than reelwatch waits",
                        reason, retryAfter: retryAfter)
                case .deadline(let reason, let attempts, let retryAfter):
                    return giveUp(
                        "\(name) kept failing until the deadline (\(Self.attempts(attempts)))", reason,
                        retryAfter: retryAfter)
                }
            },
            willRetry: { reason, retry, delay in
                logger.info(
                    "transient failure; retrying",
                    metadata: [
                        "retry.attempt": "\(retry)", "retry.delay_ms": "\(delay.milliseconds)",
                        "error": "\(reason.redacting(configuration.redaction).message)",
                    ]
                )
            }
        ) { () async throws(ReelWatchError) -> RetryPolicy.Verdict<T, ReelWatchError> in
            switch await attempt(
                request, body: body, purpose: purpose, adapter: adapter, ref: ref,
                cutoff: deadline.map { $0 + finalRequestTimeout }, secret: key.secret, logger: logger, decode: decode)
            {
            case .value(let value):
                return .done(value)
            case .failure(let error):
                throw error.redacting(configuration.redaction)
            case .redirect(let next):
                redirects += 1
                guard redirects <= Self.maxRedirects else {
                    throw ReelWatchError(
                        code: .invalidResponse,
                        message: "\(name) redirected more than \(Self.maxRedirects) times",
                        ref: ref
                    )
                }
                request = next
                return .again
            case .transient(let reason, let retryAfter):
                return .retry(reason, retryAfter: retryAfter)
            }
        }
    }

    /// `1 attempt`, `5 attempts`.
    private static func attempts(_ count: Int) -> String {
        "\(count) attempt\(count == 1 ? "" : "s")"
    }

    /// The error that ends the retries: `what` happened, then the last failure's reason; secrets removed.
    private func giveUp(_ what: String, _ reason: ReelWatchError, retryAfter: Duration?) -> ReelWatchError {
        var error = ReelWatchError(
            code: .providerUnavailable, message: "\(what): \(reason.message)", ref: reason.ref,
            httpStatus: reason.httpStatus)
        error.retryAfter = retryAfter
        return error.redacting(configuration.redaction)
    }

    /// The most redirects followed for one status request (within the provider's own origin only).
    static let maxRedirects = 5

    /// The result of one request.
    private enum Outcome<T> {
        case value(T)
        case failure(ReelWatchError)
        case redirect(HTTPRequest)
        case transient(ReelWatchError, retryAfter: Duration?)
    }

    private func attempt<T>(
        _ request: HTTPRequest,
        body requestBody: [UInt8]?,
        purpose: String,
        adapter: any Provider,
        ref: JobRef,
        cutoff: Duration?,
        secret: String,
        logger: Logger,
        decode: (JSONValue, Int) throws(ReelWatchError) -> T
    ) async -> Outcome<T> {
        let name = ref.provider.displayName
        let idempotent = request.method != .post
        let head: HTTPResponse
        let bytes: [UInt8]
        do {
            if let rateLimiter {
                let acquired = try await rateLimiter.acquire(ref.provider, within: cutoff.map { $0 - time.now() })
                guard acquired else { return .failure(Self.noTimeLeft(name: name, purpose: purpose, ref: ref)) }
            }
            var timeout = requestTimeout
            if let cutoff {
                let left = cutoff - time.now()
                guard left > .zero else { return .failure(Self.noTimeLeft(name: name, purpose: purpose, ref: ref)) }
                timeout = min(timeout, left)
            }
            logger.debug("\(request.method.rawValue)", metadata: ["http.path": "\(request.path ?? "")"])
            let (response, body) = try await transport.send(request, body: requestBody, timeout: timeout)
            head = response
            bytes = Array(buffer: try await body.collect(upTo: maximumBodySize))
        } catch is CancellationError {
            return .failure(Self.cancelled(ref))
        } catch let error as HTTPTransportError where error.kind == .refused {
            let host = request.authority ?? "?"
            return .transient(
                ReelWatchError(
                    code: .providerUnavailable, message: "could not reach \(name) at \(host): \(error.description)",
                    ref: ref),
                retryAfter: nil
            )
        } catch let error where !idempotent {
            if Task.isCancelled { return .failure(Self.cancelled(ref)) }
            let what =
                (error as? HTTPTransportError)?.description
                ?? ReelWatchError.printable(String(describing: error), limit: 120)
            return .failure(Self.outcomeUnknown(name: name, purpose: purpose, what, ref: ref))
        } catch let error as HTTPTransportError where error.kind == .timedOut {
            return .transient(
                ReelWatchError(code: .providerUnavailable, message: "\(name) sent \(error.description)", ref: ref),
                retryAfter: nil
            )
        } catch let error as HTTPBody.TooLarge {
            return .failure(.invalidStatus(ref: ref, httpStatus: 200, "the body is larger than \(error.limit) bytes"))
        } catch {
            if Task.isCancelled { return .failure(Self.cancelled(ref)) }
            let host = request.authority ?? "?"
            let detail = ReelWatchError.printable(String(describing: error), limit: 120)
            return .transient(
                ReelWatchError(
                    code: .providerUnavailable, message: "could not reach \(name) at \(host): \(detail)", ref: ref),
                retryAfter: nil
            )
        }
        let status = head.status.code
        logger.debug("answered", metadata: ["http.status": "\(status)", "http.bytes": "\(bytes.count)"])
        let json = try? JSONValue.parse(bytes)
        legacyNotices.check(
            api: adapter.api, headers: head.headerFields, json: json, redaction: configuration.redaction, logger: logger
        )
        switch status {
        case 301, 302, 303, 307, 308:
            if request.method != .get, status != 307, status != 308 {
                return .failure(
                    .invalidStatus(
                        ref: ref, httpStatus: status, "a redirect of the \(purpose) that would turn it into a GET"))
            }
            return Self.redirect(from: request, status: status, location: head.headerFields[.location], ref: ref)
        case 200..<300:
            // An empty answer to a DELETE is a success with nothing to say.
            let answer: JSONValue? =
                json ?? (bytes.isEmpty && request.method == .delete ? .some(.null) : .none)
            guard let json = answer else {
                return .failure(
                    .invalidStatus(ref: ref, httpStatus: status, BodyExcerpt.describe(bytes, secrets: [secret]))
                )
            }
            let refused = RefusedValues()
            let decoded = CheckedConversion.$refused.withValue(refused) {
                Result { () throws(ReelWatchError) in try decode(json, status) }
            }
            for value in refused.all {
                logger.warning("ignored a value out of range in the answer", metadata: ["value": "\(value)"])
            }
            switch decoded {
            case .success(let value): return .value(value)
            case .failure(let error): return .failure(error)
            }
        case 401, 403:
            let said = json.flatMap { ProviderErrorBody(errorValue: $0["error"] ?? $0["message"]) }
            return .failure(
                .rejectedKey(ref: ref, httpStatus: status, detail: said.map { ReelWatchError.printable($0.summary) })
            )
        case 404:
            let said = json.flatMap { ProviderErrorBody(errorValue: $0["error"] ?? $0["message"]) }?.summary
            let shown = said.map { ": \(ReelWatchError.printable($0))" } ?? (json == nil ? Self.notJSON : "")
            return .failure(
                ReelWatchError(
                    code: .jobNotFound,
                    message: "\(name) has no job '\(ReelWatchError.printable(ref.id))' (HTTP 404)\(shown)",
                    ref: ref,
                    httpStatus: status
                )
            )
        default:
            let reason = ReelWatchError(
                code: .providerUnavailable,
                message: "HTTP \(status), \(Self.describe(json: json, bytes: bytes, secret: secret))",
                ref: ref,
                httpStatus: status
            )
            let limited = status == 429 || adapter.isTransient(status: status, body: json)
            if !idempotent, status >= 500 {
                return .failure(
                    Self.outcomeUnknown(name: name, purpose: purpose, "HTTP \(status)", ref: ref, httpStatus: status))
            }
            let transient = limited || (idempotent && (status == 408 || status == 425 || status >= 500))
            if transient {
                let header = head.headerFields[.retryAfter]
                let retryAfter = header.flatMap { RetryPolicy.parseRetryAfter($0, now: wallClock()) }
                if let header, retryAfter == nil {
                    logger.warning(
                        "ignored a Retry-After out of range or unreadable",
                        metadata: ["value": "\(ReelWatchError.printable(header, limit: 40))"])
                }
                return .transient(reason, retryAfter: retryAfter)
            }
            return .failure(
                ReelWatchError(
                    code: .invalidResponse,
                    message: "\(name) refused the \(purpose) (\(reason.message))",
                    ref: ref,
                    httpStatus: status
                )
            )
        }
    }

    /// The request a redirect leads to, when it stays on the provider's own scheme, host and port: the API key
    /// is never sent anywhere else, and a redirect elsewhere is an error that names where it pointed.
    private static func redirect<T>(
        from request: HTTPRequest, status: Int, location: String?, ref: JobRef
    ) -> Outcome<T> {
        let name = ref.provider.displayName
        guard let location, let target = HTTPRequest.resolve(location, against: request.urlText) else {
            return .failure(.invalidStatus(ref: ref, httpStatus: status, "a redirect without a usable Location"))
        }
        guard let next = HTTPRequest(linkTo: target) else {
            return .failure(
                .invalidStatus(
                    ref: ref, httpStatus: status,
                    "a redirect to a link that \(HTTPRequest.unusable(target)): \(Downloader.shortURL(target))"))
        }
        guard next.scheme == request.scheme, next.authority?.lowercased() == request.authority?.lowercased() else {
            let origin = ReelWatchError.printable("\(next.scheme ?? "?")://\(next.authority ?? "")", limit: 100)
            return .failure(
                ReelWatchError(
                    code: .invalidResponse,
                    message: "\(name) redirected the status request to another origin (\(origin)); "
                        + "reelwatch does not send the API key there",
                    ref: ref,
                    httpStatus: status
                )
            )
        }
        var follow = request
        follow.path = next.path
        return .redirect(follow)
    }

    private static func describe(json: JSONValue?, bytes: [UInt8], secret: String) -> String {
        if let json, let said = ProviderErrorBody(errorValue: json["error"] ?? json["message"]) {
            return "error: \(ReelWatchError.printable(said.summary, limit: 120))"
        }
        return BodyExcerpt.describe(bytes, secrets: [secret])
    }

    /// The error for a non-idempotent request that may or may not have taken effect.
    private static func outcomeUnknown(
        name: String, purpose: String, _ what: String, ref: JobRef, httpStatus: Int? = nil
    ) -> ReelWatchError {
        ReelWatchError(
            code: .outcomeUnknown,
            message: "the \(purpose) may have reached \(name), which answered no result (\(what)); "
                + "whether it took effect is unknown",
            ref: ref,
            httpStatus: httpStatus
        )
    }

    /// The error for a request that was not sent because the caller's deadline (and the grace after it) had passed:
    /// `timed_out`, which no other status error is, so a caller can tell a request never sent from one that failed.
    private static func noTimeLeft(name: String, purpose: String, ref: JobRef) -> ReelWatchError {
        ReelWatchError(
            code: .timedOut,
            message: "no time left until the deadline to send the \(purpose) to \(name)",
            ref: ref
        )
    }

    private static func cancelled(_ ref: JobRef) -> ReelWatchError {
        ReelWatchError(code: .cancelled, message: "cancelled", ref: ref)
    }

    private static let apiKeyField = HTTPField.Name("x-api-key")!

    /// How the message of a 404 that was not JSON ends (a base URL that is most likely not the provider's API).
    public static let notJSON = ": the answer was not JSON"
}

extension Duration {
    /// The duration in whole milliseconds.
    public var milliseconds: Int64 {
        components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
    }
}
