import HTTPTypes
import Logging

extension StatusClient {
    /// The most entries one list page is asked for (HeyGen's cap).
    public static let listPageLimit = 100

    /// One page of the renders of the account behind the API key, through the same request and retry path as a
    /// status call: transient failures are retried, errors come back with secrets removed.
    ///
    /// - Parameters:
    ///   - api: an API whose adapter lists renders (``ProviderAPI/listAdapter``); any other throws
    ///     `invalidReference`.
    ///   - token: the `next_token` of the page before; nil for the first page.
    ///   - limit: how many entries to ask for, clamped to `1...listPageLimit`.
    ///   - folderID: only the renders in this folder, where the API has folders.
    public func renderListPage(
        of api: ProviderAPI, token: String? = nil, limit: Int = listPageLimit, folderID: String? = nil
    ) async throws(ReelWatchError) -> RenderListPage {
        guard let adapter = api.listAdapter else {
            throw ReelWatchError(
                code: .invalidReference, message: "the \(api.refPrefix) API has no list of renders",
                provider: api.provider)
        }
        let request = adapter.listRequest(
            token: token, limit: min(max(limit, 1), Self.listPageLimit), folderID: folderID,
            baseURL: configuration.baseURL(for: api.provider))
        var logger = self.logger
        logger[metadataKey: "list.api"] = "\(api.refPrefix)"
        // The request path reports its errors against a job; a list has none, so the errors are made about it.
        let about = JobRef(api: api, id: "")
        do {
            return try await send(request, adapter: adapter, ref: about, logger: logger) {
                json, status throws(ReelWatchError) in
                try adapter.listPage(from: json, httpStatus: status)
            }
        } catch {
            var error = error
            error.ref = nil
            if error.code == .jobNotFound {
                error.message =
                    "\(api.provider.displayName) has no list of renders at "
                    + "\(ReelWatchError.printable(request.path?.split(separator: "?").first ?? "?")) "
                    + "(HTTP \(error.httpStatus.map(String.init) ?? "?"))"
                error.code = .invalidResponse
            }
            throw error.redacting(configuration.redaction)
        }
    }
}
