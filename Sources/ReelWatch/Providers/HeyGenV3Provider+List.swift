import HTTPTypes

extension HeyGenV3Provider: RenderListProvider {
    /// `videos`, the word `track sync --kinds` knows this list by.
    public var listKind: String { "videos" }

    /// Videos live in folders: `folder_id=` narrows the list.
    public var listsByFolder: Bool { true }

    /// `GET /v3/videos?limit=N[&token=T][&folder_id=F]`.
    public func listRequest(token: String?, limit: Int, folderID: String?, baseURL: BaseURL) -> HTTPRequest {
        HeyGenRenderList.request(path: "/v3/videos", token: token, limit: limit, folderID: folderID, baseURL: baseURL)
    }

    /// Reads `{"data": [{"id", "status", "created_at", "title", "folder_id", …}], "has_more", "next_token"}`.
    public func listPage(from body: JSONValue, httpStatus: Int) throws(ReelWatchError) -> RenderListPage {
        try HeyGenRenderList.page(body, api: api, httpStatus: httpStatus)
    }
}
