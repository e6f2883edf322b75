import HTTPTypes

/// What HeyGen's two account lists (`/v3/videos`, `/v3/video-translations`) share: the query they take and the
/// page they answer, `{"data": [...], "has_more", "next_token"}`.
enum HeyGenRenderList {
    /// `GET {path}?limit=N[&token=T][&folder_id=F]`.
    static func request(path: String, token: String?, limit: Int, folderID: String?, baseURL: BaseURL) -> HTTPRequest {
        var query = path + "?limit=\(limit)"
        if let token { query += "&token=" + BaseURL.encode(token) }
        if let folderID { query += "&folder_id=" + BaseURL.encode(folderID) }
        return baseURL.request(path: query)
    }

    /// Reads one page; every entry whose ID (the first of `idKeys` present) is missing or would not make a valid
    /// ``JobRef`` of `api` is counted as skipped, dates out of range are absent.
    static func page(
        _ body: JSONValue, api: ProviderAPI, httpStatus: Int,
        idKeys: [String] = ["id", "video_id", "video_translate_id"]
    ) throws(ReelWatchError) -> RenderListPage {
        let items = body["data"]?.arrayValue
        if items == nil, let error = ProviderErrorBody(errorValue: body["error"]) {
            var failure = error.error(for: JobRef(api: api, id: "list"), httpStatus: httpStatus)
            failure.ref = nil
            if failure.code != .authenticationFailed {
                failure.code = .invalidResponse
                failure.message =
                    "\(api.provider.displayName) answered an error instead of a list of renders "
                    + "(HTTP \(httpStatus)): \(ReelWatchError.printable(error.summary, limit: 160))"
            }
            throw failure
        }
        guard let items else {
            throw ReelWatchError(
                code: .invalidResponse,
                message: "\(api.provider.displayName) answered something that is not a list of renders "
                    + "(HTTP \(httpStatus)): no 'data' list",
                provider: api.provider,
                httpStatus: httpStatus
            )
        }
        var renders: [ListedRender] = []
        var skipped = 0
        for item in items {
            guard let id = idKeys.lazy.compactMap({ item[$0] }).first(where: { !$0.isNull })?.text,
                let ref = try? JobRef(parsing: "\(api.refPrefix):\(id)"),
                let word = item["status"]?.text
            else {
                skipped += 1
                continue
            }
            renders.append(
                ListedRender(
                    ref: ref, providerStatus: ProviderStatus(rawValue: word), createdAt: item["created_at"]?.date,
                    title: item["title"]?.text, folderID: item["folder_id"]?.text))
        }
        let more = body["has_more"]?.bool ?? (body["next_token"]?.text != nil)
        return RenderListPage(renders: renders, nextToken: more ? body["next_token"]?.text : nil, skipped: skipped)
    }
}
