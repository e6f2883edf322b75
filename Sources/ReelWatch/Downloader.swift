import Crypto
import Foundation
import HTTPTypes
import Logging
import NIOCore

/// Downloads the files of finished renders: streamed to `NAME.part`, resumed with `Range`/`If-Range`,
/// verified against the announced length, synced and renamed into place only when complete.
///
/// Retries 404/403 right after completion, dropped connections and 5xx with full-jitter backoff; a 403 on a
/// link that has expired (or says so) fetches a fresh link through the status call and continues from the
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

    /// Creates a downloader.
    ///
    /// - Parameters:
    ///   - statusClient: fetches fresh links; its clock and jitter drive the backoff.
    ///   - transport: fetches the files; it should not follow redirects itself, and its idle read timeout
    ///     should be set (a whole-request timeout would cut long downloads).
    public init(
        statusClient: StatusClient,
        transport: any HTTPTransport,
        retryPolicy: RetryPolicy = RetryPolicy(maxRetries: 6, baseDelay: .seconds(1), maxDelay: .seconds(30)),
        maxLinkRefreshes: Int = 3
    ) {
        self.statusClient = statusClient
        self.transport = transport
        self.retryPolicy = retryPolicy
        self.maxLinkRefreshes = maxLinkRefreshes
    }

    /// The files to fetch for `snapshot`, or the error that says why there are none yet (`notReady` while it
    /// renders, `renderFailed` when it failed).
    public static func plan(
        _ snapshot: JobSnapshot,
        selection: AssetSelection = .defaults,
        directory: String,
        naming: FileNaming = FileNaming()
    ) throws(ReelWatchError) -> [DownloadItem] {
        switch snapshot.state {
        case .succeeded:
            break
        case .failed:
            throw ReelWatchError(
                code: .renderFailed,
                message: "render failed: \(snapshot.failure?.summary ?? "no reason given")",
                ref: snapshot.ref
            )
        case .queued, .processing, .unknown:
            throw ReelWatchError(
                code: .notReady,
                message: "still \(snapshot.state.rawValue), nothing to download yet",
                hint: "use: reelwatch wait \(snapshot.ref) --download \(directory)",
                ref: snapshot.ref
            )
        }
        var names = Set<String>()
        var items: [DownloadItem] = []
        let chosen = Set(selection.assets(of: snapshot))
        for (index, asset) in snapshot.assets.enumerated() where chosen.contains(asset) {
            var name = naming.name(for: asset, of: snapshot)
            if names.contains(name) {
                let ext = (name as NSString).pathExtension
                let stem = (name as NSString).deletingPathExtension
                name = "\(stem)-\(index)" + (ext.isEmpty ? "" : ".\(ext)")
            }
            names.insert(name)
            items.append(
                DownloadItem(ref: snapshot.ref, asset: asset, assetIndex: index, directory: directory, fileName: name))
        }
        return items
    }

    /// Downloads `item`, resuming a `.part` an earlier run left, and returns the verified file.
    public func download(
        _ item: DownloadItem,
        progress: @escaping @Sendable (DownloadProgress) -> Void = { _ in }
    ) async throws(ReelWatchError) -> DownloadResult {
        let finalPath = item.path
        if let complete = try completeFile(item) { return complete }
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
                if let complete = try completeFile(item) { return complete }
            } catch {
                throw failure(item, error.description)
            }
        }
        var hasher = SHA256()
        let resumedFrom = file.size
        if resumedFrom > 0 {
            try wrap(item) { () throws(FileError) in
                try PartialFile.hash(path: file.path, count: resumedFrom, into: &hasher)
            }
        }
        var session = Session(item: item, file: file, hasher: hasher, resumedFrom: resumedFrom)
        var retries = 0
        var refreshes = 0
        var redirects = 0
        var url = item.asset.url ?? ""
        while true {
            if Task.isCancelled { throw ReelWatchError(code: .cancelled, message: "cancelled", ref: item.ref) }
            switch await attempt(url: url, session: &session, progress: progress, logger: logger) {
            case .complete(let contentType):
                var path = finalPath
                if (item.fileName as NSString).pathExtension.isEmpty, let contentType {
                    path += "." + FileNaming.fileExtension(forContentType: contentType)
                }
                try wrap(item) { () throws(FileError) in try file.commit(to: path) }
                return DownloadResult(
                    ref: item.ref, kind: item.asset.kind, path: path, bytes: file.size,
                    sha256: session.hasher.finalize().hex, alreadyComplete: false, resumedFrom: resumedFrom,
                    fetched: session.fetched
                )
            case .redirect(let location):
                redirects += 1
                guard redirects <= maxRedirects else { throw failure(item, "more than \(maxRedirects) redirects") }
                url = location
            case .expired(let reason):
                refreshes += 1
                guard refreshes <= maxLinkRefreshes else {
                    throw failure(item, "the link kept expiring after \(maxLinkRefreshes) fresh links: \(reason)")
                }
                logger.info("link expired; fetching a fresh one", metadata: ["error": "\(reason)"])
                url = try await freshLink(for: item)
                redirects = 0
            case .transient(let reason, let retryAfter):
                retries += 1
                guard retries <= retryPolicy.maxRetries else {
                    throw failure(item, "gave up after \(retries) attempts: \(reason)")
                }
                let delay = retryPolicy.delay(
                    beforeRetry: retries,
                    retryAfter: retryAfter.map { min($0, retryPolicy.maxRetryAfter) },
                    unitRandom: statusClient.random()
                )
                logger.info(
                    "download interrupted; retrying",
                    metadata: [
                        "retry.attempt": "\(retries)", "retry.delay_ms": "\(delay.milliseconds)", "error": "\(reason)",
                    ]
                )
                do {
                    try await statusClient.time.sleep(for: delay)
                } catch {
                    throw ReelWatchError(code: .cancelled, message: "cancelled", ref: item.ref)
                }
                redirects = 0
                url = session.currentLink ?? url
            case .fatal(let error):
                throw error
            }
        }
    }

    /// The file already under its final name, hashed; nil when there is none. A name without an extension is
    /// also looked for with each extension a `Content-Type` gives, as the download names such a file.
    private func completeFile(_ item: DownloadItem) throws(ReelWatchError) -> DownloadResult? {
        var candidates = [item.path]
        if (item.fileName as NSString).pathExtension.isEmpty {
            candidates += FileNaming.contentTypeExtensions.sorted().map { item.path + "." + $0 }
        }
        guard
            let (path, size) = candidates.lazy.compactMap({ path in PartialFile.size(of: path).map { (path, $0) } })
                .first
        else { return nil }
        var hasher = SHA256()
        try wrap(item) { () throws(FileError) in try PartialFile.hash(path: path, into: &hasher) }
        return DownloadResult(
            ref: item.ref, kind: item.asset.kind, path: path, bytes: size, sha256: hasher.finalize().hex,
            alreadyComplete: true, resumedFrom: size, fetched: 0
        )
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
        case transient(String, retryAfter: Duration?)
        case fatal(ReelWatchError)
    }

    private func attempt(
        url: String,
        session: inout Session,
        progress: @escaping @Sendable (DownloadProgress) -> Void,
        logger: Logger
    ) async -> Outcome {
        let item = session.item
        guard var request = Self.request(for: url) else {
            return .fatal(failure(item, "refusing a link that is not http or https: \(Self.shortURL(url))"))
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
            (head, excerptBytes) = try await transport.receive(request, into: sink)
        } catch {
            session.hasher = await sink.hasher.drained()
            session.fetched += sink.fetched
            if let fileError = sink.fileError { return .fatal(failure(item, fileError.description)) }
            if error is CancellationError || Task.isCancelled {
                return .fatal(ReelWatchError(code: .cancelled, message: "cancelled", ref: item.ref))
            }
            if sink.accepted {
                return .transient(
                    "the connection dropped at byte \(session.file.size)\(sink.total.map { " of \($0)" } ?? "")",
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
        let retryAfter = head.headerFields[.retryAfter].flatMap { RetryPolicy.parseRetryAfter($0, now: Date()) }
        let text = BodyExcerpt.describe(excerptBytes, secrets: [], limit: 80)
        switch status {
        case 301, 302, 303, 307, 308:
            guard let location = head.headerFields[.location], let next = Self.resolve(location, against: url) else {
                return .fatal(failure(item, "HTTP \(status) without a usable Location"))
            }
            guard Self.request(for: next) != nil else {
                return .fatal(
                    failure(item, "refusing a redirect to a link that is not http or https: \(Self.shortURL(next))"))
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
            let expired = (item.asset.expiresAt.map { $0 <= Date() } ?? false) || text.lowercased().contains("expired")
            if expired { return .expired("HTTP 403 \(text)") }
            return .transient("HTTP 403 \(text)", retryAfter: retryAfter)
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

    /// A fresh link for the item's asset, through the status call.
    private func freshLink(for item: DownloadItem) async throws(ReelWatchError) -> String {
        let snapshot = try await statusClient.snapshot(of: item.ref)
        let sameKind = snapshot.assets.enumerated().filter {
            $0.element.kind == item.asset.kind && $0.element.url != nil
        }
        let match =
            sameKind.first { $0.offset == item.assetIndex }
            ?? sameKind.first {
                $0.element.format == item.asset.format && $0.element.aspectRatio == item.asset.aspectRatio
                    && $0.element.resolution == item.asset.resolution
            }
        guard let url = match?.element.url else {
            throw failure(item, "the fresh status no longer lists this file")
        }
        return url
    }

    private func failure(_ item: DownloadItem, _ reason: String) -> ReelWatchError {
        ReelWatchError(code: .downloadFailed, message: "\(item.fileName): \(reason)", ref: item.ref)
    }

    private func wrap<T>(_ item: DownloadItem, _ body: () throws(FileError) -> T) throws(ReelWatchError) -> T {
        do {
            return try body()
        } catch {
            throw failure(item, error.description)
        }
    }

    /// A GET request for an absolute `http`/`https` URL; nil for any other scheme.
    static func request(for url: String) -> HTTPRequest? {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = components.percentEncodedHost, !host.isEmpty
        else { return nil }
        let authority = components.port.map { "\(host):\($0)" } ?? host
        var path = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
        if let query = components.percentEncodedQuery { path += "?" + query }
        return HTTPRequest(method: .get, scheme: scheme, authority: authority, path: path)
    }

    static func resolve(_ location: String, against base: String) -> String? {
        URL(string: location, relativeTo: URL(string: base))?.absoluteString
    }

    /// `bytes START-END/TOTAL`.
    static func contentRange(_ header: String?) -> (start: Int64, total: Int64?)? {
        guard let header, header.hasPrefix("bytes ") else { return nil }
        let parts = header.dropFirst(6).split(separator: "/")
        guard parts.count == 2, let start = parts[0].split(separator: "-").first.flatMap({ Int64($0) }) else {
            return nil
        }
        return (start, Int64(parts[1]))
    }

    /// The total of `bytes */TOTAL`.
    static func contentRangeTotal(_ header: String?) -> Int64? {
        guard let header, header.hasPrefix("bytes */") else { return nil }
        return Int64(header.dropFirst(8))
    }

    /// A link without its query (where signatures live), for messages.
    static func shortURL(_ url: String) -> String {
        ReelWatchError.printable(url.split(separator: "?").first.map(String.init) ?? url, limit: 100)
    }

    private static func reason(_ error: any Error) -> String {
        ReelWatchError.printable((error as NSError).localizedDescription, limit: 120)
    }
}
