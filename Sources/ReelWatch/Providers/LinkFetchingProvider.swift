import HTTPTypes

/// An adapter whose API gives a finished job's links in a second answer, not in its status (HeyGen's proofreads:
/// `GET …/proofreads/{id}/srt`).
///
/// ``StatusClient`` asks for the links whenever a status answer says the job succeeded, under the same retries,
/// deadline, key and redaction as the status request; a failure of that request is an error of the poll, never a
/// success without files.
public protocol LinkFetchingProvider: Provider {
    /// The route of the links request as messages name it, such as `/v3/video-translations/proofreads/{id}/srt`.
    var linksRoute: String { get }

    /// The request for the links of the finished job `id` (without authentication headers).
    func linksRequest(id: String, baseURL: BaseURL) -> HTTPRequest

    /// `snapshot` (a succeeded one) with the files a 2xx answer to ``linksRequest(id:baseURL:)`` gives, or the
    /// error the answer carries; an answer that gives no link is an error, not a success without files.
    func addingLinks(
        from body: JSONValue, to snapshot: JobSnapshot, httpStatus: Int
    ) throws(ReelWatchError)
        -> JobSnapshot
}

extension ProviderAPI {
    /// The adapter's second request for links, when its API gives links that way.
    public var linkAdapter: (any LinkFetchingProvider)? { adapter as? any LinkFetchingProvider }
}
