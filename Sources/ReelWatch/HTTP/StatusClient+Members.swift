import Logging

extension StatusClient {
    /// The snapshot of the batch `ref` from every page of its answer (``MemberListingProvider``), each page under the
    /// same retries, deadline, key and redaction as any status request.
    ///
    /// At most ``MemberListingProvider/maximumMemberPages`` pages are read, and a `next_token` seen before stops the
    /// reading: a provider that always says `has_more` is not followed forever. A batch read short of the items it
    /// counts is not over (``MemberPage/snapshot(of:pages:)``): the next poll reads it again.
    func batchSnapshot(
        of ref: JobRef, lister: any MemberListingProvider, before deadline: Duration?
    ) async throws(ReelWatchError) -> JobSnapshot {
        var logger = self.logger
        logger[metadataKey: "job.ref"] = "\(ref)"
        let baseURL = configuration.baseURL(for: ref.provider)
        var pages: [MemberPage] = []
        var tokens = Set<String>()
        var token: String?
        while true {
            let request = lister.memberPageRequest(id: ref.id, token: token, baseURL: baseURL)
            let page = try await send(request, adapter: lister, ref: ref, deadline: deadline, logger: logger) {
                json, status throws(ReelWatchError) in
                try lister.memberPage(from: json, ref: ref, httpStatus: status)
            }
            pages.append(page)
            guard let next = page.nextToken else { break }
            guard tokens.insert(next).inserted, pages.count < lister.maximumMemberPages else {
                logger.warning(
                    "the batch's pages did not end; read no further this poll", metadata: ["pages": "\(pages.count)"])
                break
            }
            token = next
        }
        let snapshot = MemberPage.snapshot(of: ref, pages: pages).redacting(configuration.redaction)
        if snapshot.state == .unknown, let word = snapshot.providerStatus {
            unknownStatuses.report(word, api: ref.api, logger: logger)
        }
        return snapshot
    }
}
