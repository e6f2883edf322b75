import Foundation
import ReelWatch

extension Simulator {
    /// The path of HeyGen's list of an API's renders (``SimulatedAPI/listPath``: `/v3/videos`); nil for an API
    /// without a list.
    static func listPath(of api: ProviderAPI) -> String? {
        SimulatedAPIs.of(api)?.listPath
    }

    /// The page size when the request gives none, and the largest one served.
    static let defaultListLimit = 10
    static let maximumListLimit = 100

    /// Answers HeyGen's list of `api`'s renders, newest first: `{"data": [...], "has_more", "next_token"}`, each
    /// entry the `data` object of the job's status answer. `limit` (default 10, at most 100) entries a page from
    /// `token` on; filtered by `folderID` and `title` as the API filters (``SimulatedAPI/listIncludes(_:folderID:title:)``).
    func list(
        _ api: ProviderAPI,
        limit: String?,
        token: String?,
        folderID: String?,
        title: String?,
        apiKey: String?,
        userAgent: String?,
        fileBase: String
    ) -> SimulatorResponse {
        let authorized = apiKey == self.apiKey
        keep(SimulatorRequest(ref: nil, path: Self.listPath(of: api), userAgent: userAgent, authorized: authorized))
        counts.listRequests += 1
        guard authorized else { return StatusBodies.heygenUnauthorized }
        if let failure = takeGlobalTransientFault() { return failure }
        var size = Self.defaultListLimit
        if let limit {
            guard let asked = Int(limit), asked > 0 else {
                return Self.invalidParameter("limit must be a positive number")
            }
            size = min(asked, Self.maximumListLimit)
        }
        var start = 0
        if let token {
            guard token.hasPrefix(Self.tokenPrefix), let offset = Int(token.dropFirst(Self.tokenPrefix.count)),
                offset >= 0
            else { return Self.invalidParameter("token is not one this list gave") }
            start = offset
        }
        let simulated = SimulatedAPIs.of(api)
        let matching = jobs.values.filter { entry in
            guard entry.job.ref.api == api else { return false }
            return simulated?.listIncludes(entry.job, folderID: folderID, title: title) ?? true
        }
        .sorted { ($0.addedAt, $1.job.ref.id) > ($1.addedAt, $0.job.ref.id) }
        let page = matching.dropFirst(start).prefix(size)
        let items = page.map { listEntry($0, fileBase: fileBase) }
        let end = start + page.count
        let more = end < matching.count
        return .json([
            "data": .array(items), "has_more": .bool(more),
            "next_token": more ? .string(Self.tokenPrefix + String(end)) : nil,
        ])
    }

    /// The entry of one job: its status answer's `data` object (or the whole answer when it has none), with the
    /// list's own fields (`id` unless a `session_id` names it, `created_at`, and the API's own:
    /// ``SimulatedAPI/completeListEntry(_:of:)``) filled in where that lacks them.
    private func listEntry(_ entry: Entry, fileBase: String) -> JSONValue {
        let body = body(of: entry, phase: phase(of: entry), fileBase: fileBase)
        guard case .object(var fields) = body["data"] ?? body else { return body }
        if fields["id"] == nil, fields["session_id"] == nil { fields["id"] = .string(entry.job.ref.id) }
        if fields["created_at"] == nil {
            fields["created_at"] = .number(
                epoch.addingTimeInterval(entry.addedAt.seconds).timeIntervalSince1970.rounded(.down))
        }
        SimulatedAPIs.of(entry.job.ref.api)?.completeListEntry(&fields, of: entry.job)
        return .object(fields)
    }

    private static let tokenPrefix = "page-"

    static func invalidParameter(_ message: String) -> SimulatorResponse {
        .json(["error": ["code": "invalid_parameter", "message": .string(message)]], status: 400)
    }
}
