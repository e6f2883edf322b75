import HTTPTypes

/// An adapter whose API answers the status of many jobs in one request (HeyGen's `/v3/videos/statuses`).
///
/// The answers carry states, not links: a job found finished is then fetched once through
/// ``Provider/statusRequest(id:baseURL:)`` for its links or its failure in full.
public protocol BulkStatusProvider: Provider {
    /// The most IDs one request may carry.
    var bulkLimit: Int { get }

    /// The request for the statuses of `ids`, or for the page after `token` (without authentication headers).
    func bulkStatusRequest(ids: [String], token: String?, baseURL: BaseURL) -> HTTPRequest

    /// Reads one page of the answer; errors are reported against `ref`.
    func bulkStatusPage(from body: JSONValue, ref: JobRef, httpStatus: Int) throws(ReelWatchError) -> BulkStatusPage

    /// The request for the statuses of every member of the batches `batchIDs` (HeyGen's `statuses?batch_ids=`
    /// form), or for the page after `token`; nil for an API without that form. Its answer reads as
    /// ``bulkStatusPage(from:ref:httpStatus:)`` reads any.
    func batchStatusRequest(batchIDs: [String], token: String?, baseURL: BaseURL) -> HTTPRequest?
}

extension BulkStatusProvider {
    /// By default no batch form.
    public func batchStatusRequest(batchIDs: [String], token: String?, baseURL: BaseURL) -> HTTPRequest? { nil }

    /// HeyGen's bulk status request: `GET {path}?{idParameter}=ID1,ID2,…`, and `&next_token=…` for a further page.
    func heygenBulkRequest(
        path: String, idParameter: String, ids: [String], token: String?, baseURL: BaseURL
    ) -> HTTPRequest {
        var query = path + "?" + idParameter + "=" + ids.map(BaseURL.encode).joined(separator: ",")
        if let token { query += "&next_token=" + BaseURL.encode(token) }
        return baseURL.request(path: query)
    }
}

extension ProviderAPI {
    /// The adapter's bulk status capability, when its API has one.
    public var bulkAdapter: (any BulkStatusProvider)? { adapter as? any BulkStatusProvider }
}
