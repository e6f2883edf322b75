import HTTPTypes
import Logging

extension StatusClient {
    /// The most IDs one HeyGen v3 bulk status request carries.
    public static let bulkLimit = 100

    /// The statuses of many jobs of one API in as few requests as its adapter allows (``BulkStatusProvider``),
    /// following `next_token` pages. The answers carry no links: fetch ``snapshot(of:before:)`` for those once a
    /// job finished.
    ///
    /// Jobs the answer does not mention are absent from the result. Throws `invalidReference` when the refs are of
    /// several APIs or of one without bulk status.
    ///
    /// - Parameter deadline: when given (an instant of ``time``), it bounds every request and retry, pages
    ///   included, as in ``snapshot(of:before:)``.
    public func bulkStatuses(
        of refs: [JobRef], before deadline: Duration? = nil
    ) async throws(ReelWatchError) -> [JobRef: BulkStatus] {
        guard let first = refs.first else { return [:] }
        guard let adapter = first.api.bulkAdapter, refs.allSatisfy({ $0.api == first.api }) else {
            throw ReelWatchError(
                code: .invalidReference, message: "bulk status needs refs of one API that offers it", ref: first)
        }
        var result: [JobRef: BulkStatus] = [:]
        var start = 0
        while start < refs.count {
            let chunk = refs[start..<min(start + max(1, adapter.bulkLimit), refs.count)]
            start += chunk.count
            var token: String?
            var pages = 0
            repeat {
                let page = try await bulkPage(chunk.map(\.id), adapter: adapter, token: token, deadline: deadline)
                for entry in page.entries { result[JobRef(api: first.api, id: entry.id)] = entry }
                token = page.nextToken
                pages += 1
            } while token != nil && pages < 20
        }
        return result
    }

    /// The statuses of every member of the batch `batchID` whose members are jobs of `api`, through the API's batch
    /// form of bulk status (HeyGen's `statuses?batch_ids=`), following `next_token` pages (at most
    /// ``maximumBatchPages``; a repeated token ends it). Nil when the API has no batch form: ask by ID instead.
    ///
    /// - Parameter deadline: as in ``bulkStatuses(of:before:)``.
    public func bulkStatuses(
        inBatch batchID: String, of api: ProviderAPI, before deadline: Duration? = nil
    ) async throws(ReelWatchError) -> [JobRef: BulkStatus]? {
        guard let adapter = api.bulkAdapter else { return nil }
        let ref = JobRef(api: api, id: batchID)
        let baseURL = configuration.baseURL(for: api.provider)
        var result: [JobRef: BulkStatus] = [:]
        var token: String?
        var seen: Set<String> = []
        var pages = 0
        repeat {
            guard let request = adapter.batchStatusRequest(batchIDs: [batchID], token: token, baseURL: baseURL) else {
                return nil
            }
            let page = try await bulkPage(request, count: 1, adapter: adapter, ref: ref, deadline: deadline)
            for entry in page.entries { result[JobRef(api: api, id: entry.id)] = entry }
            token = page.nextToken
            pages += 1
            if let next = token, !seen.insert(next).inserted { break }
        } while token != nil && pages < Self.maximumBatchPages
        return result
    }

    /// The most pages one batch's statuses are read in (a batch of 100 members a page: 10,000 members).
    public static let maximumBatchPages = 100

    /// ``bulkStatuses(of:)`` for HeyGen v3 video IDs, keyed by ID.
    public func bulkStatuses(ofV3 ids: [String]) async throws(ReelWatchError) -> [String: BulkStatus] {
        let statuses = try await bulkStatuses(of: ids.map { JobRef(api: .v3, id: $0) })
        return Dictionary(statuses.map { ($0.key.id, $0.value) }, uniquingKeysWith: { first, _ in first })
    }

    private func bulkPage(
        _ ids: [String], adapter: any BulkStatusProvider, token: String?, deadline: Duration?
    ) async throws(ReelWatchError) -> BulkStatusPage {
        let ref = JobRef(api: adapter.api, id: ids.first ?? "")
        let request = adapter.bulkStatusRequest(
            ids: ids, token: token, baseURL: configuration.baseURL(for: ref.provider))
        return try await bulkPage(request, count: ids.count, adapter: adapter, ref: ref, deadline: deadline)
    }

    /// One page of a bulk status answer to `request` (about `count` IDs or batches), its failures redacted.
    private func bulkPage(
        _ request: HTTPRequest, count: Int, adapter: any BulkStatusProvider, ref: JobRef, deadline: Duration?
    ) async throws(ReelWatchError) -> BulkStatusPage {
        var logger = self.logger
        logger[metadataKey: "bulk.count"] = "\(count)"
        return try await send(request, adapter: adapter, ref: ref, deadline: deadline, logger: logger) {
            json, status throws(ReelWatchError) in
            var page = try adapter.bulkStatusPage(from: json, ref: ref, httpStatus: status)
            let redaction = configuration.redaction
            for index in page.entries.indices {
                page.entries[index].failure = page.entries[index].failure?.redacting(redaction)
            }
            return page
        }
    }
}
