import Crypto
import Foundation
import HTTPTypes
import Logging
import NIOCore

/// Downloads the files of finished renders: streamed to `NAME.part`, resumed with `Range`/`If-Range`,
/// verified against the announced length, synced and renamed into place only when complete.
///
/// Retries 404/403 right after completion, dropped connections and 5xx with full-jitter backoff. The first 403 on
/// a file's link, and any 403 whose answer says the link expired (S3's and CloudFront's error documents, read
/// whole) or on a link past its `Expires`, fetches a fresh link through the status call and continues from the
/// same offset. Only `http`/`https` links and redirects are followed.
public struct Downloader: Sendable {
    private let statusClient: StatusClient
    private let transport: any HTTPTransport
    /// How failed requests are retried.
    public var retryPolicy: RetryPolicy
    /// How many fresh links may be fetched for one file.
    public var maxLinkRefreshes: Int
    /// The most redirects followed for one request.
    public var maxRedirects = 5
    /// When given (an instant of the status client's clock), when the caller stops waiting: no retry starts after
    /// it, the fresh-link and length checks are bounded by it as status requests are, and a transfer still running
    /// at it plus the client's ``StatusClient/finalRequestTimeout`` is cut; the download then fails `timed_out` and
    /// its `.part` stays to resume.
    public var deadline: Duration?

    /// How a file's download is retried unless told otherwise: 6 retries, backing off from 1 s up to 30 s.
    public static let defaultRetryPolicy = RetryPolicy(maxRetries: 6, baseDelay: .seconds(1), maxDelay: .seconds(30))

    /// Creates a downloader.
    ///
    /// - Parameters:
    ///   - statusClient: fetches fresh links; its clock and jitter drive the backoff.
    ///   - transport: fetches the files; it should not follow redirects itself, and its idle read timeout
    ///     should be set (a whole-request timeout would cut long downloads).
    public init(
        statusClient: StatusClient,
        transport: any HTTPTransport,
        retryPolicy: RetryPolicy = Downloader.defaultRetryPolicy,
        maxLinkRefreshes: Int = 3
    ) {
        self.statusClient = statusClient
        self.transport = transport
        self.retryPolicy = retryPolicy
        self.maxLinkRefreshes = maxLinkRefreshes
    }

    /// The files to fetch for `snapshot`, or the error that says why there are none yet (`notReady` while it
    /// renders, `renderFailed` when it failed).
    ///
    /// A running job whose outputs finish one by one (``Provider/outputsFinishOneByOne``: AI clips) has the files of
    /// the outputs that have succeeded so far; `notReady` until the first has. A batch that succeeded has none of its
    /// own: its files are its members' (``JobSnapshot/members``), each planned as its own job.
    public static func plan(
        _ snapshot: JobSnapshot,
        selection: AssetSelection = .defaults,
        directory: String,
        naming: FileNaming = FileNaming()
    ) throws(ReelWatchError) -> [DownloadItem] {
        let running: Bool
        switch snapshot.state {
        case .succeeded:
            if snapshot.assets.isEmpty, !snapshot.members.isEmpty { return [] }
            running = false
        case .failed, .cancelled:
            throw .renderFailed(snapshot, ref: snapshot.ref)
        case .queued, .processing, .needsInput, .unknown:
            running = true
        }
        let notReady = ReelWatchError(
            code: .notReady,
            message: "still \(snapshot.state.rawValue), nothing to download yet",
            ref: snapshot.ref
        )
        let oneByOne = snapshot.api.adapter.outputsFinishOneByOne
        if running, !oneByOne { throw notReady }
        var names = Set<String>()
        var items: [DownloadItem] = []
        let chosen = Set(selection.assets(of: snapshot))
        // Outputs that finish one by one are named among all of them, finished or not, so that an output's file keeps
        // its name from the first answer to the last.
        for (index, asset) in snapshot.assets.enumerated() where oneByOne || chosen.contains(asset) {
            var name = naming.name(for: asset, of: snapshot)
            if names.contains(name) { name = DownloadItem.numbered(name, index) }
            names.insert(name)
            guard chosen.contains(asset), !running || asset.state == .succeeded else { continue }
            items.append(
                DownloadItem(ref: snapshot.ref, asset: asset, assetIndex: index, directory: directory, fileName: name))
        }
        guard !items.isEmpty else {
            if running { throw notReady }
            let linked = snapshot.assets.filter { $0.url != nil }.map(\.kind.rawValue)
            throw ReelWatchError(
                code: .downloadFailed,
                message: linked.isEmpty
                    ? "nothing to download: the finished render's answer gives no file link"
                    : "nothing to download: none of the requested files is in the answer (it links: "
                        + Array(Set(linked)).sorted().joined(separator: ", ") + ")",
                ref: snapshot.ref
            )
        }
        return items
    }

    /// Downloads `item`, resuming a `.part` an earlier run left, and returns the verified file.
    ///
    /// - Parameter beforeRename: told where the complete file is about to land, with its length and SHA-256, just
    ///   before the `.part` is renamed there. A caller that keeps a record of its files (the job store) writes it
    ///   here, so a run killed between the rename and its own record finds the file as this one's afterwards
    ///   (through ``DownloadItem/expectedBytes``); throwing leaves the complete `.part` where it is.
    public func download(
        _ item: DownloadItem,
        progress: @escaping @Sendable (DownloadProgress) -> Void = { _ in },
        beforeRename: @Sendable (DownloadResult) async throws(ReelWatchError) -> Void = { _ in }
    ) async throws(ReelWatchError) -> DownloadResult {
        guard item.asset.url != nil else { throw failure(item, "the answer gives no link for this file") }
        // What is at the final name decides: this file, complete; nothing; or something else (another job's
        // file, a link, a directory), and then the next free name is taken: `NAME-2.ext`, `NAME-3.ext`, …
        let original = item
        var item = item
        var number = 1
        while true {
            switch try await finalName(of: item) {
            case .complete(let result):
                return result
            case .free:
                if let result = try await fetch(item, progress: progress, beforeRename: beforeRename) {
                    return result
                }
                continue  // something came to the name meanwhile: look at it again
            case .taken:
                break
            }
            number += 1
            guard number <= Self.maximumNameNumber else {
                throw failure(item, "the name and its \(Self.maximumNameNumber - 1) numbered variants are all taken")
            }
            item = original.numbered(number)
        }
    }

    /// The most names tried for one file: `NAME`, then `NAME-2` to `NAME-20`.
    static let maximumNameNumber = 20

    /// Downloads `item` to its free final name; nil when something came to the name meanwhile (another process
    /// saved the file, or took the name).
    private func fetch(
        _ item: DownloadItem,
        progress: @escaping @Sendable (DownloadProgress) -> Void,
        beforeRename: @Sendable (DownloadResult) async throws(ReelWatchError) -> Void
    ) async throws(ReelWatchError) -> DownloadResult? {
        let finalPath = item.path
        do {
            try FileManager.default.createDirectory(atPath: item.directory, withIntermediateDirectories: true)
        } catch {
            throw failure(item, "cannot create the directory \(item.directory): \(Self.reason(error))")
        }
        var logger = statusClient.logger
        logger[metadataKey: "job.ref"] = "\(item.ref)"
        logger[metadataKey: "file"] = "\(item.fileName)"
        let file: PartialFile
        var waits = 0
        while true {
            do {
                file = try PartialFile(path: finalPath + ".part")
                break
            } catch  where error.isBusy {
                // Another process is downloading this very file: wait for it, then take what it left.
                if waits == 0 { logger.info("another process is downloading this file; waiting for it") }
                waits += 1
                do {
                    try await statusClient.time.sleep(for: .milliseconds(500))
                } catch {
                    throw ReelWatchError(code: .cancelled, message: "cancelled", ref: item.ref)
                }
                switch try await finalName(of: item) {
                case .complete(let result): return result
                case .taken: return nil
                case .free: continue
                }
            } catch {
                throw failure(item, error)
            }
        }
        defer { file.release() }
        // Whoever held the lock may have saved the file (or something came to the name) just before letting go.
        guard PartialFile.entry(at: finalPath) == .none else { return nil }
        var hasher = SHA256()
        let resumedFrom = file.size
        if resumedFrom > 0 {
            try wrap(item) { () throws(FileError) in
                try PartialFile.hash(path: file.path, count: resumedFrom, into: &hasher)
            }
        }
        let session = Session(item: item, file: file, hasher: hasher, resumedFrom: resumedFrom)
        let redaction = statusClient.configuration.redaction
        do {
            return try await fetchAttempts(
                item, session: session, url: item.asset.url ?? "", redaction: redaction, logger: logger,
                progress: progress, beforeRename: beforeRename)
        } catch {
            // Nothing was received and nothing will be: no empty `.part` (or ETag beside it) is left behind. A
            // `.part` with bytes stays, for the next run to resume.
            if file.size == 0 {
                file.discard()
            } else if error.code == .timedOut {
                var error = error
                error.message += " (\(file.size) bytes kept in \(item.fileName).part, resumed next time)"
                throw error
            }
            throw error
        }
    }

    /// The attempts of one file's download under the retry policy, on its locked `.part`.
    private func fetchAttempts(
        _ item: DownloadItem,
        session: Session,
        url: String,
        redaction: SecretRedaction,
        logger: Logger,
        progress: @escaping @Sendable (DownloadProgress) -> Void,
        beforeRename: @Sendable (DownloadResult) async throws(ReelWatchError) -> Void
    ) async throws(ReelWatchError) -> DownloadResult? {
        let finalPath = item.path
        let file = session.file
        let resumedFrom = session.resumedFrom
        var session = session
        var url = url
        var refreshes = 0
        var redirects = 0
        return try await retryPolicy.run(
            time: statusClient.time,
            random: statusClient.random,
            deadline: deadline,
            giveUp: { stop in giveUp(item, stop) },
            willRetry: { reason, retry, delay in
                logger.info(
                    "download interrupted; retrying",
                    metadata: [
                        "retry.attempt": "\(retry)", "retry.delay_ms": "\(delay.milliseconds)",
                        "error": "\(Self.redacted(reason, redaction))",
                    ]
                )
            }
        ) { () async throws(ReelWatchError) -> RetryPolicy.Verdict<DownloadResult, String> in
            var outcome = await attempt(
                url: url, session: &session, redaction: redaction, progress: progress, logger: logger)
            if case .refused(let reason, let expired, let retryAfter) = outcome {
                // The first refusal of a file's link asks for a fresh one whatever it says (clocks differ, and not
                // every server says why); a later one only when it says the link expired.
                let refresh = expired || (refreshes == 0 && maxLinkRefreshes > 0)
                outcome = refresh ? .expired(reason) : .transient(reason, retryAfter: retryAfter)
            }
            switch outcome {
            case .complete(let contentType):
                var path = finalPath
                if (item.fileName as NSString).pathExtension.isEmpty, let contentType {
                    path += "." + FileNaming.fileExtension(forContentType: contentType)
                }
                var result = DownloadResult(
                    ref: item.ref, kind: item.asset.kind, path: path, bytes: file.size,
                    sha256: session.hasher.finalize().hex, alreadyComplete: false, resumedFrom: resumedFrom,
                    fetched: session.fetched
                )
                result.path = try await commit(file, as: result, of: item, beforeRename: beforeRename)
                return .done(result)
            case .redirect(let location):
                redirects += 1
                guard redirects <= maxRedirects else { throw failure(item, "more than \(maxRedirects) redirects") }
                url = location
                return .again
            case .expired(let reason):
                refreshes += 1
                guard refreshes <= maxLinkRefreshes else {
                    throw failure(item, "the link kept expiring after \(maxLinkRefreshes) fresh links: \(reason)")
                }
                logger.info(
                    "link expired; fetching a fresh one", metadata: ["error": "\(Self.redacted(reason, redaction))"])
                url = try await freshLink(for: item)
                // A later retry starts again from this link: the expired one would only be refused again.
                session.currentLink = url
                redirects = 0
                return .again
            case .transient(let reason, let retryAfter):
                // The retry starts again from the file's link, not from where a redirect chain led.
                redirects = 0
                url = session.currentLink ?? url
                // A download waits at most as long as the policy honours, never fails for a long Retry-After.
                return .retry(reason, retryAfter: retryAfter.map { min($0, retryPolicy.maxRetryAfter) })
            case .refused(let reason, _, let retryAfter):
                return .retry(reason, retryAfter: retryAfter)
            case .fatal(let error):
                throw error
            }
        }
    }

    /// What is at an item's final name.
    private enum FinalName {
        /// Nothing: the download may use the name.
        case free
        /// This very file, complete, hashed.
        case complete(DownloadResult)
        /// Something else: another job's file, a link, a directory.
        case taken
    }

    /// Looks at the item's final name (and, for a name without an extension, the names a `Content-Type` would
    /// give it) without following links: a regular file counts as this file only when its size (and SHA-256, when
    /// known) is the one recorded for it, or, when none was, when the server confirms that length.
    private func finalName(of item: DownloadItem) async throws(ReelWatchError) -> FinalName {
        var candidates = [item.path]
        if (item.fileName as NSString).pathExtension.isEmpty {
            candidates += FileNaming.contentTypeExtensions.sorted().map { item.path + "." + $0 }
        }
        for path in candidates {
            switch PartialFile.entry(at: path) {
            case .none:
                continue
            case .other:
                return .taken
            case .file(let size):
                if let expected = item.expectedBytes {
                    guard size == expected else { return .taken }
                } else {
                    guard try await serverConfirms(size: size, of: item) else { return .taken }
                }
                var hasher = SHA256()
                try wrap(item) { () throws(FileError) in try PartialFile.hash(path: path, into: &hasher) }
                let sha256 = hasher.finalize().hex
                if let expected = item.expectedSHA256, expected.lowercased() != sha256 { return .taken }
                return .complete(
                    DownloadResult(
                        ref: item.ref, kind: item.asset.kind, path: path, bytes: size, sha256: sha256,
                        alreadyComplete: true, resumedFrom: size, fetched: 0
                    )
                )
            }
        }
        return .free
    }

    /// Whether the item's link serves a file of exactly `size` bytes: one request for the range after its end,
    /// which a server answers `416` with `Content-Range: bytes */TOTAL` (no body), `206` with nothing in it (a
    /// server that does not refuse an empty range: nothing follows byte `size`), or, ignoring `Range`, `200` with
    /// its `Content-Length` (the body is cut off). The check is retried under the policy like any request (a
    /// dropped connection, 5xx, 429; a first 403 fetches a fresh link); a longer file or an answer no retry fixes
    /// is no, and a check that never gets an answer fails the download rather than fetch the file again under
    /// another name.
    private func serverConfirms(size: Int64, of item: DownloadItem) async throws(ReelWatchError) -> Bool {
        var link = item.asset.url ?? ""
        var url = link
        var redirects = 0
        var refreshed = false
        return try await retryPolicy.run(
            time: statusClient.time,
            random: statusClient.random,
            deadline: deadline,
            giveUp: { stop in giveUp(item, stop, doing: "cannot tell whether the file at its name is this one: ") }
        ) { () async throws(ReelWatchError) -> RetryPolicy.Verdict<Bool, String> in
            guard var request = HTTPRequest(linkTo: url) else { return .done(false) }
            request.headerFields[.userAgent] = ReelWatchVersion.userAgent
            request.headerFields[.range] = "bytes=\(size)-"
            let head: HTTPResponse
            let body: [UInt8]
            do {
                (head, body) = try await receive(request, into: RefusingSink())
            } catch {
                if error is CutAtDeadline { throw stillDownloading(item) }
                if error is CancellationError || Task.isCancelled {
                    throw ReelWatchError(code: .cancelled, message: "cancelled", ref: item.ref)
                }
                url = link
                return .retry(
                    "could not reach \(request.authority ?? "?"): \(ReelWatchError.printable("\(error)", limit: 100))",
                    retryAfter: nil)
            }
            let status = head.status.code
            switch status {
            case 416:
                return .done(Self.contentRangeTotal(head.headerFields[.contentRange]) == size)
            case 206:
                let range = head.headerFields[.contentRange]
                if let total = Self.contentRangeTotal(range) ?? Self.contentRange(range)?.total {
                    return .done(total == size)
                }
                return .done(body.isEmpty)
            case 200:
                return .done(head.headerFields[.contentLength].flatMap(CheckedConversion.byteCount) == size)
            case 301, 302, 303, 307, 308:
                redirects += 1
                guard redirects <= maxRedirects, let location = head.headerFields[.location],
                    let next = HTTPRequest.resolve(location, against: url)
                else { return .done(false) }
                url = next
                return .again
            case 403 where !refreshed && maxLinkRefreshes > 0:
                refreshed = true
                link = try await freshLink(for: item)
                url = link
                redirects = 0
                return .again
            case 403, 404, 408, 425, 429, 500...599:
                url = link
                redirects = 0
                let retryAfter = head.headerFields[.retryAfter].flatMap {
                    RetryPolicy.parseRetryAfter($0, now: statusClient.wallClock())
                }
                let text = BodyExcerpt.describe(
                    body, secrets: statusClient.configuration.redaction.secrets, limit: 80)
                return .retry(
                    "HTTP \(status) \(text)", retryAfter: retryAfter.map { min($0, retryPolicy.maxRetryAfter) })
            default:
                return .done(false)
            }
        }
    }

    /// Moves the finished `file` to `result`'s path, or to the next free numbered name when another process took
    /// it meanwhile, telling `beforeRename` each place first; returns where it landed.
    private func commit(
        _ file: PartialFile,
        as result: DownloadResult,
        of item: DownloadItem,
        beforeRename: @Sendable (DownloadResult) async throws(ReelWatchError) -> Void
    ) async throws(ReelWatchError) -> String {
        let path = result.path
        var target = path
        var number = 1
        while true {
            var landing = result
            landing.path = target
            try await beforeRename(landing)
            do {
                try file.commit(to: target)
                return target
            } catch  where error.isTaken {
                number += 1
                guard number <= Self.maximumNameNumber else { throw failure(item, error.description) }
                target = DownloadItem.numbered(path, number)
            } catch {
                throw failure(item, error.description)
            }
        }
    }

    /// The state of one file's download across attempts.
    private struct Session {
        let item: DownloadItem
        let file: PartialFile
        var hasher: SHA256
        let resumedFrom: Int64
        var fetched: Int64 = 0
        /// The link to go back to after a redirect chain failed.
        var currentLink: String?
    }

    private enum Outcome {
        case complete(contentType: String?)
        case redirect(String)
        case expired(String)
        /// HTTP 403; `expired` when the answer or the link's own expiry says the link has expired.
        case refused(String, expired: Bool, retryAfter: Duration?)
        case transient(String, retryAfter: Duration?)
        case fatal(ReelWatchError)
    }

    private func attempt(
        url: String,
        session: inout Session,
        redaction: SecretRedaction,
        progress: @escaping @Sendable (DownloadProgress) -> Void,
        logger: Logger
    ) async -> Outcome {
        let item = session.item
        guard var request = HTTPRequest(linkTo: url) else {
            return .fatal(failure(item, "refusing a link that \(HTTPRequest.unusable(url)): \(Self.shortURL(url))"))
        }
        if session.currentLink == nil { session.currentLink = url }
        request.headerFields[.userAgent] = ReelWatchVersion.userAgent
        let offset = session.file.size
        if offset > 0 {
            request.headerFields[.range] = "bytes=\(offset)-"
            if let etag = session.file.etag { request.headerFields[.ifRange] = etag }
        }
        let sink = FileSink(item: item, file: session.file, hasher: session.hasher, progress: progress, logger: logger)
        let head: HTTPResponse
        let excerptBytes: [UInt8]
        do {
            (head, excerptBytes) = try await receive(request, into: sink)
        } catch {
            session.hasher = await sink.hasher.drained()
            session.fetched += sink.fetched
            if let fileError = sink.fileError { return .fatal(failure(item, fileError.description)) }
            if error is CutAtDeadline { return .fatal(stillDownloading(item)) }
            if error is CancellationError || Task.isCancelled {
                return .fatal(ReelWatchError(code: .cancelled, message: "cancelled", ref: item.ref))
            }
            if sink.accepted {
                let what = (error as? HTTPTransportError).map { "the transfer stalled (\($0.description))" }
                return .transient(
                    "\(what ?? "the connection dropped") at byte \(session.file.size)"
                        + (sink.total.map { " of \($0)" } ?? ""),
                    retryAfter: nil
                )
            }
            return .transient(
                "could not reach \(request.authority ?? "?"): \(ReelWatchError.printable("\(error)", limit: 100))",
                retryAfter: nil)
        }
        session.hasher = await sink.hasher.drained()
        session.fetched += sink.fetched
        if let fileError = sink.fileError { return .fatal(failure(item, fileError.description)) }
        let status = head.status.code
        let retryAfter = head.headerFields[.retryAfter].flatMap {
            RetryPolicy.parseRetryAfter($0, now: statusClient.wallClock())
        }
        let text = BodyExcerpt.describe(excerptBytes, secrets: redaction.secrets, limit: 80)
        switch status {
        case 301, 302, 303, 307, 308:
            guard let location = head.headerFields[.location], let next = HTTPRequest.resolve(location, against: url)
            else {
                return .fatal(failure(item, "HTTP \(status) without a usable Location"))
            }
            guard HTTPRequest(linkTo: next) != nil else {
                return .fatal(
                    failure(
                        item, "refusing a redirect to a link that \(HTTPRequest.unusable(next)): \(Self.shortURL(next))"
                    ))
            }
            return .redirect(next)
        case 200, 206:
            guard sink.accepted else {
                // A range other than the one asked for: start over cleanly.
                try? session.file.truncate()
                session.hasher = SHA256()
                return .transient("the server answered a different range; starting over", retryAfter: nil)
            }
        case 416:
            if let total = Self.contentRangeTotal(head.headerFields[.contentRange]), total == offset, offset > 0 {
                return .complete(contentType: head.headerFields[.contentType])
            }
            try? session.file.truncate()
            session.hasher = SHA256()
            return .transient("the server refused the range from byte \(offset); starting over", retryAfter: nil)
        case 403:
            // The whole (bounded) answer is read: S3 puts an XML declaration before its code and message.
            let answer = ExpiredLinkAnswer(body: excerptBytes)
            let expired =
                answer.saysExpired || (item.asset.expiresAt.map { $0 <= statusClient.wallClock() } ?? false)
            let said = answer.summary.map { "\"\($0)\"" } ?? text
            return .refused("HTTP 403 \(said)", expired: expired, retryAfter: retryAfter)
        case 404, 408, 425, 429, 500...599:
            return .transient("HTTP \(status) \(text)", retryAfter: retryAfter)
        default:
            return .fatal(failure(item, "HTTP \(status) \(text)"))
        }
        if let total = sink.total {
            if session.file.size < total {
                return .transient("the body ended at byte \(session.file.size) of \(total)", retryAfter: nil)
            }
            if session.file.size > total {
                try? session.file.truncate()
                session.hasher = SHA256()
                return .transient("the body ran past its announced length; starting over", retryAfter: nil)
            }
        }
        return .complete(contentType: head.headerFields[.contentType])
    }

    /// Receives `request` into `sink`, cut off at the ``deadline`` plus the client's final request timeout.
    ///
    /// The time left is measured on the client's clock when the transfer starts and then runs in real time, as a
    /// status request's timeout does in the transport: the transfer itself runs in real time.
    private func receive(_ request: HTTPRequest, into sink: some BodySink) async throws -> (HTTPResponse, [UInt8]) {
        guard let cutoff = deadline.map({ $0 + statusClient.finalRequestTimeout }) else {
            return try await transport.receive(request, into: sink)
        }
        let left = cutoff - statusClient.time.now()
        guard left > .zero else { throw CutAtDeadline() }
        let transport = self.transport
        return try await withThrowingTaskGroup(of: (HTTPResponse, [UInt8])?.self) { group in
            group.addTask { try await transport.receive(request, into: sink) }
            group.addTask {
                try await Task.sleep(for: left)
                return nil
            }
            defer { group.cancelAll() }
            guard case .some(.some(let answer)) = try await group.next() else { throw CutAtDeadline() }
            return answer
        }
    }

    /// A transfer the deadline cut off.
    private struct CutAtDeadline: Error {}

    /// The error of a download the ``deadline`` ended: `timed_out`, the render done but its file not yet saved.
    private func stillDownloading(_ item: DownloadItem) -> ReelWatchError {
        ReelWatchError(
            code: .timedOut,
            message: "\(item.fileName): the render finished but its file was still downloading at the deadline",
            ref: item.ref)
    }

    /// A fresh link for the item's asset, through the status call (bounded by the ``deadline``).
    private func freshLink(for item: DownloadItem) async throws(ReelWatchError) -> String {
        let snapshot: JobSnapshot
        do {
            snapshot = try await statusClient.snapshot(of: item.ref, before: deadline)
        } catch {
            let late = deadline.map { statusClient.time.now() >= $0 } ?? false
            if error.code == .timedOut || (late && error.code != .cancelled) { throw stillDownloading(item) }
            throw error
        }
        // A labelled output (a layer, a proofread's captions) is found by its label: its position may have moved.
        let sameKind = snapshot.assets.enumerated().filter {
            $0.element.kind == item.asset.kind && $0.element.url != nil && $0.element.label == item.asset.label
        }
        // An output with an ID (an AI clip) is found by it alone, wherever the list puts it now; any other file by
        // its place, else its configuration.
        let match: (offset: Int, element: Asset)?
        if let id = item.asset.outputID {
            match = sameKind.first { $0.element.outputID == id }
        } else {
            match =
                sameKind.first { $0.offset == item.assetIndex }
                ?? sameKind.first {
                    $0.element.format == item.asset.format && $0.element.aspectRatio == item.asset.aspectRatio
                        && $0.element.resolution == item.asset.resolution
                }
        }
        guard let url = match?.element.url else {
            throw failure(item, "the fresh status no longer lists this file")
        }
        return url
    }

    /// The error a file's retries end with: cancelled, still downloading at the deadline, or given up (`doing` says
    /// at what, before the reason).
    private func giveUp(_ item: DownloadItem, _ stop: RetryPolicy.Stop<String>, doing: String = "") -> ReelWatchError {
        switch stop {
        case .cancelled:
            return ReelWatchError(code: .cancelled, message: "cancelled", ref: item.ref)
        case .deadline:
            return stillDownloading(item)
        case .exhausted(let reason, let attempts, _), .retryAfterTooLong(let reason, let attempts, _):
            return failure(item, doing + "gave up after \(attempts) attempts: \(reason)")
        }
    }

    /// `text` with every configured secret (and any webhook secret) removed: what a log line may carry.
    private static func redacted(_ text: String, _ redaction: SecretRedaction) -> String {
        SecretRedaction.maskingWebhookSecrets(redaction.apply(text))
    }

    private func failure(_ item: DownloadItem, _ reason: String) -> ReelWatchError {
        ReelWatchError(code: .downloadFailed, message: "\(item.fileName): \(reason)", ref: item.ref)
            .redacting(statusClient.configuration.redaction)
    }

    /// A file operation's failure; ``ReelWatchError/transient`` when descriptors ran out.
    private func failure(_ item: DownloadItem, _ error: FileError) -> ReelWatchError {
        var failed = failure(item, error.description)
        failed.transient = ReelWatchError.isTransient(errno: error.code)
        return failed
    }

    private func wrap<T>(_ item: DownloadItem, _ body: () throws(FileError) -> T) throws(ReelWatchError) -> T {
        do {
            return try body()
        } catch {
            throw failure(item, error)
        }
    }

    /// `bytes START-END/TOTAL`.
    static func contentRange(_ header: String?) -> (start: Int64, total: Int64?)? {
        guard let header, header.hasPrefix("bytes ") else { return nil }
        let parts = header.dropFirst(6).split(separator: "/")
        guard parts.count == 2,
            let start = parts[0].split(separator: "-").first.flatMap({ CheckedConversion.byteCount($0) })
        else {
            return nil
        }
        return (start, CheckedConversion.byteCount(parts[1]))
    }

    /// The total of `bytes */TOTAL`.
    static func contentRangeTotal(_ header: String?) -> Int64? {
        guard let header, header.hasPrefix("bytes */") else { return nil }
        return CheckedConversion.byteCount(header.dropFirst(8))
    }

    /// A link without its query (where signatures live), for messages.
    static func shortURL(_ url: String) -> String {
        ReelWatchError.printable(url.split(separator: "?").first.map(String.init) ?? url, limit: 100)
    }

    private static func reason(_ error: any Error) -> String {
        ReelWatchError.printable((error as NSError).localizedDescription, limit: 120)
    }
}
