import HTTPTypes

/// An adapter for a batch of jobs (HeyGen's `/v3/videos/batches/{batch_id}`): its answer is read page by page and
/// names the batch's members, each a job of ``memberAPI`` that is followed on its own.
///
/// ``StatusClient`` reads every page of a batch's answer in one poll (at most ``maximumMemberPages``; a repeated
/// token stops it) and gives the batch's snapshot its ``JobSnapshot/members``; the engine tracks each member as a
/// job of its own, labelled with the batch.
public protocol MemberListingProvider: Provider {
    /// The API the members are jobs of (`heygen` for a batch of videos).
    var memberAPI: ProviderAPI { get }

    /// How many items one page asks for.
    var memberPageLimit: Int { get }

    /// The most pages read in one poll: a provider that never stops saying `has_more` is not followed forever.
    var maximumMemberPages: Int { get }

    /// The request for the page of the batch `id` after `token`, the first page when `token` is nil (without
    /// authentication headers).
    func memberPageRequest(id: String, token: String?, baseURL: BaseURL) -> HTTPRequest

    /// Reads one page of the batch's answer, or throws the error it carries; errors are reported against `ref`.
    func memberPage(from body: JSONValue, ref: JobRef, httpStatus: Int) throws(ReelWatchError) -> MemberPage
}

extension MemberListingProvider {
    /// 100 items a page.
    public var memberPageLimit: Int { 100 }

    /// 100 pages (10,000 items at 100 a page; HeyGen caps a batch at 100 items today).
    public var maximumMemberPages: Int { 100 }

    /// The first page of the batch's answer.
    public func statusRequest(id: String, baseURL: BaseURL) -> HTTPRequest {
        memberPageRequest(id: id, token: nil, baseURL: baseURL)
    }

    /// The batch as its first page alone describes it (``StatusClient`` reads every page).
    public func snapshot(from body: JSONValue, ref: JobRef, httpStatus: Int) throws(ReelWatchError) -> JobSnapshot {
        MemberPage.snapshot(of: ref, pages: [try memberPage(from: body, ref: ref, httpStatus: httpStatus)])
    }
}

extension ProviderAPI {
    /// The adapter's batch capability, when this API is a batch of jobs of another.
    public var memberAdapter: (any MemberListingProvider)? { adapter as? any MemberListingProvider }
}
