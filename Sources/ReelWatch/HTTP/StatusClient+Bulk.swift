import HTTPTypes
import Logging

extension StatusClient {
    /// The most IDs one bulk status request may carry.
    public static let bulkLimit = 100

    /// The statuses of many HeyGen v3 videos in as few requests as possible:
    /// `GET {heygen}/v3/videos/statuses?video_ids=ID1,ID2,…` with up to ``bulkLimit`` IDs a request, following
    /// `next_token` pages. The answers carry no links: fetch ``snapshot(of:)`` for those once a video completed.
    ///
    /// IDs the answer does not mention are absent from the result.
    public func bulkStatuses(ofV3 ids: [String]) async throws(ReelWatchError) -> [String: BulkStatus] {
        var result: [String: BulkStatus] = [:]
        var start = 0
        while start < ids.count {
            let chunk = Array(ids[start..<min(start + Self.bulkLimit, ids.count)])
            start += chunk.count
            var token: String?
            var pages = 0
            repeat {
                let page = try await bulkPage(chunk, token: token)
                for entry in page.entries { result[entry.id] = entry }
                token = page.nextToken
                pages += 1
            } while token != nil && pages < 20
        }
        return result
    }

    private func bulkPage(_ ids: [String], token: String?) async throws(ReelWatchError) -> BulkStatusPage {
        let adapter = HeyGenV3Provider()
        let ref = JobRef(api: .v3, id: ids.first ?? "")
        let request = adapter.bulkStatusRequest(ids: ids, token: token, baseURL: configuration.baseURL(for: .heygen))
        var logger = self.logger
        logger[metadataKey: "bulk.count"] = "\(ids.count)"
        return try await send(request, adapter: adapter, ref: ref, logger: logger) {
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
