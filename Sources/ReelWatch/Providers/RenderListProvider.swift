import HTTPTypes

/// An adapter whose API lists an account's renders page by page (HeyGen's `GET /v3/videos` and
/// `GET /v3/video-translations`), for following every render of an account without being given their IDs.
///
/// A listing only finds jobs: their states are asked again through ``Provider/statusRequest(id:baseURL:)`` by the
/// engine, which is the only thing that polls.
public protocol RenderListProvider: Provider {
    /// The word that names this list where a person picks lists (`track sync --kinds videos,lipsyncs`): a plural
    /// noun, lowercase, unique among the registered lists.
    var listKind: String { get }

    /// Whether the list can be narrowed to one folder (HeyGen's videos can, its translations cannot).
    var listsByFolder: Bool { get }

    /// The request for one page of the list: the first when `token` is nil, else the page it continues to (without
    /// authentication headers); `folderID` narrows it to one folder where the API can.
    func listRequest(token: String?, limit: Int, folderID: String?, baseURL: BaseURL) -> HTTPRequest

    /// Reads one page of the list; entries without a usable ID are left out, never a reason to fail the page.
    func listPage(from body: JSONValue, httpStatus: Int) throws(ReelWatchError) -> RenderListPage
}

extension ProviderAPI {
    /// The adapter's listing capability, when its API has one.
    public var listAdapter: (any RenderListProvider)? { adapter as? any RenderListProvider }

    /// The APIs that list renders, in registration order.
    public static var listable: [ProviderAPI] { allCases.filter { $0.listAdapter != nil } }

    /// Every list's word (``RenderListProvider/listKind``), in registration order.
    public static var listKinds: [String] { listable.compactMap { $0.listAdapter?.listKind } }

    /// The API whose list `kind` names (any case, surrounding spaces ignored); nil for a word no list has.
    public init?(listKind kind: String) {
        let word = kind.trimmingWhitespace().lowercased()
        guard let api = Self.listable.first(where: { $0.listAdapter?.listKind == word }) else { return nil }
        self = api
    }
}
