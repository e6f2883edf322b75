import Foundation
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

    private struct BulkPage: Sendable {
        var entries: [BulkStatus]
        var nextToken: String?
    }

    private func bulkPage(_ ids: [String], token: String?) async throws(ReelWatchError) -> BulkPage {
        let ref = JobRef(api: .v3, id: ids.first ?? "")
        var path = "/v3/videos/statuses?video_ids=" + ids.map(BaseURL.encode).joined(separator: ",")
        if let token { path += "&next_token=" + BaseURL.encode(token) }
        let request = configuration.baseURL(for: .heygen).request(path: path)
        var logger = self.logger
        logger[metadataKey: "bulk.count"] = "\(ids.count)"
        return try await send(request, adapter: HeyGenV3Provider(), ref: ref, logger: logger) {
            json, status throws(ReelWatchError) in
            if let error = ProviderErrorBody(errorValue: json["error"]), json["data"]?.arrayValue == nil {
                throw error.error(for: ref, httpStatus: status)
            }
            guard let items = json["data"]?.arrayValue else {
                throw .invalidStatus(ref: ref, httpStatus: status, "no data list in the bulk status answer")
            }
            var entries: [BulkStatus] = []
            for item in items {
                guard let id = item.first("video_id", "id")?.text, let word = item["status"]?.text else { continue }
                let status = ProviderStatus(rawValue: word)
                let notFound = word.lowercased().replacingOccurrences(of: "-", with: "_") == "not_found"
                let state = notFound ? nil : JobState(providerStatus: status)
                entries.append(
                    BulkStatus(
                        id: id,
                        providerStatus: status,
                        state: state,
                        failure: state == .failed ? ProviderErrorBody(errorValue: item["error"])?.failure : nil
                    )
                )
            }
            let more = json["has_more"]?.bool ?? false
            let next = json["next_token"]?.text
            return BulkPage(entries: entries, nextToken: more ? next.flatMap { $0.isEmpty ? nil : $0 } : nil)
        }
    }
}
