import HTTPTypes

extension HeyGenTranslateProvider: RenderListProvider {
    /// `translations`, the word `track sync --kinds` knows this list by.
    public var listKind: String { "translations" }

    /// Translations have no folders.
    public var listsByFolder: Bool { false }

    /// `GET /v3/video-translations?limit=N[&token=T]`; translations have no folders, so `folderID` is not sent.
    public func listRequest(token: String?, limit: Int, folderID: String?, baseURL: BaseURL) -> HTTPRequest {
        HeyGenRenderList.request(
            path: "/v3/video-translations", token: token, limit: limit, folderID: nil, baseURL: baseURL)
    }

    /// Reads `{"data": [{"id", "status", "created_at", "title", …}], "has_more", "next_token"}`.
    public func listPage(from body: JSONValue, httpStatus: Int) throws(ReelWatchError) -> RenderListPage {
        try HeyGenRenderList.page(body, api: api, httpStatus: httpStatus)
    }
}
