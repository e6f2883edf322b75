import Foundation
import ReelWatch

extension Simulator {
    /// The path of HeyGen's list of an API's renders: `/v3/videos` (v3 videos) or `/v3/video-translations`
    /// (translations); nil for an API without a list.
    static func listPath(of api: ProviderAPI) -> String? {
        switch api {
        case .v3: "/v3/videos"
        case .translate: "/v3/video-translations"
        default: SimulatedAPIs.of(api)?.listPath
        }
    }

    /// The page size when the request gives none, and the largest one served.
    static let defaultListLimit = 10
    static let maximumListLimit = 100

    /// Answers HeyGen's list of `api`'s renders, newest first: `{"data": [...], "has_more", "next_token"}`, each
    /// entry the `data` object of the job's status answer. `limit` (default 10, at most 100) entries a page from
    /// `token` on; videos filtered by `folderID` and by `title` (case-insensitive, part of the title).
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
        guard authorized else { return StatusBodies.unauthorized(api: .v3) }
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
        let matching = jobs.values.filter { entry in
            guard entry.job.ref.api == api else { return false }
            if api == .v3, let folderID, entry.job.folderID != folderID { return false }
            if api == .v3, let title, !title.isEmpty {
                guard let own = entry.job.title, own.localizedCaseInsensitiveContains(title) else { return false }
            }
            return true
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
    /// list's own fields (`id` unless a `session_id` names it, `created_at`, and `folder_id` for videos) filled in
    /// where that lacks them.
    private func listEntry(_ entry: Entry, fileBase: String) -> JSONValue {
        let body = body(of: entry, phase: phase(of: entry), fileBase: fileBase)
        guard case .object(var fields) = body["data"] ?? body else { return body }
        if fields["id"] == nil, fields["session_id"] == nil { fields["id"] = .string(entry.job.ref.id) }
        if fields["created_at"] == nil {
            fields["created_at"] = .number(
                epoch.addingTimeInterval(entry.addedAt.seconds).timeIntervalSince1970.rounded(.down))
        }
        if entry.job.ref.api == .v3, fields["folder_id"] == nil { fields["folder_id"] = .optional(entry.job.folderID) }
        return .object(fields)
    }

    private static let tokenPrefix = "page-"

    static func invalidParameter(_ message: String) -> SimulatorResponse {
        .json(["error": ["code": "invalid_parameter", "message": .string(message)]], status: 400)
    }
}
