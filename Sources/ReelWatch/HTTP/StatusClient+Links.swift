import Logging

extension StatusClient {
    /// `snapshot` (a succeeded one) with the links its API gives in a second answer
    /// (``LinkFetchingProvider/linksRequest(id:baseURL:)``), fetched under the same retries, deadline, key and
    /// redaction as the status request.
    ///
    /// A 404 there, once the status said the job succeeded, is an `invalid_response` of this poll (asked again on the
    /// next one), not `not_found`: the job exists, and a caller must not stop following it.
    func addingLinks(
        to snapshot: JobSnapshot, from linker: any LinkFetchingProvider, before deadline: Duration?, logger: Logger
    ) async throws(ReelWatchError) -> JobSnapshot {
        let ref = snapshot.ref
        let request = linker.linksRequest(id: ref.id, baseURL: configuration.baseURL(for: ref.provider))
        do {
            return try await send(
                request, purpose: "links request", adapter: linker, ref: ref, deadline: deadline, logger: logger
            ) { json, status throws(ReelWatchError) in
                try linker.addingLinks(from: json, to: snapshot, httpStatus: status).redacting(configuration.redaction)
            }
        } catch let error where error.code == .jobNotFound {
            throw ReelWatchError(
                code: .invalidResponse,
                message: "\(ref.provider.displayName) says the job succeeded, but its links request "
                    + "(\(linker.linksRoute)) answered HTTP \(error.httpStatus ?? 404)",
                ref: ref,
                httpStatus: error.httpStatus
            )
        }
    }
}
