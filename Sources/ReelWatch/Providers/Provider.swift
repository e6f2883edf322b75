import HTTPTypes

/// An adapter for one provider API: builds its status request and turns its answer into a ``JobSnapshot``.
///
/// Every quirk of a provider lives in its adapter; the ``StatusClient`` handles what all share
/// (authentication header, retries, HTTP status classes).
public protocol Provider: Sendable {
    /// The API this adapter speaks.
    var api: ProviderAPI { get }

    /// The company whose API this is.
    var provider: ProviderName { get }

    /// The prefix of a job reference for this API, such as `heygen-v1`.
    var refPrefix: String { get }

    /// The status route as messages name it, such as `/v3/videos/{id}`.
    var statusRoute: String { get }

    /// The API to move to once this legacy one is retired (the same IDs name the same renders); nil for a current
    /// API.
    var successor: ProviderAPI? { get }

    /// The render times this API is assumed to take before anything is learned.
    var renderTimeModel: RenderTimeModel { get }

    /// The status request for the job `id` (without authentication headers).
    func statusRequest(id: String, baseURL: BaseURL) -> HTTPRequest

    /// Whether an answer that is not 2xx is a transient failure particular to this API (such as a rate limit
    /// sent as a 400); 429, 408 and 5xx are always transient.
    func isTransient(status: Int, body: JSONValue?) -> Bool

    /// Turns a 2xx answer into a snapshot, or throws the error the answer carries.
    func snapshot(from body: JSONValue, ref: JobRef, httpStatus: Int) throws(ReelWatchError) -> JobSnapshot

    /// Whether a job's outputs finish one by one while the job still runs (AI clips): each output's files are
    /// downloaded as soon as that output reports `succeeded`, not when the whole job is over.
    var outputsFinishOneByOne: Bool { get }

    /// What the name of `asset`'s file says about it after its kind (Hera: its aspect ratio and resolution), so
    /// that the files of one job's outputs are told apart; provider text, sanitized by ``FileNaming``.
    func nameParts(of asset: Asset) -> [String]

    /// Whether a download without `--assets` fetches every file a finished job offers (each is an output in its own
    /// right: a background removal's layers, a proofread's two captions) rather than the video alone.
    var downloadsEveryFileByDefault: Bool { get }

    /// The kinds of HeyGen webhook event that announce the end of this API's jobs (`avatar_video` for
    /// `avatar_video.success` and `avatar_video.fail`), the first the one a subscription must cover; empty for none.
    var webhookEventKinds: [String] { get }

    /// The `event_data` keys that name the job in this API's webhook events, the first present one read.
    var webhookIDKeys: [String] { get }

    /// The kinds of HeyGen webhook event that announce more files of a job that may have ended already
    /// (`avatar_video_gif` and `avatar_video_caption` for a v3 video): one makes a job that succeeded poll again, so
    /// the files it did not have yet are planned and fetched (those it has are not fetched twice).
    var webhookFileEventKinds: [String] { get }

    /// The keys that may name this API's job in the body of a per-render `callback_url` delivery, the first present
    /// one read (HeyGen documents no such body); empty when the API takes no `callback_url` reelwatch reads.
    var callbackIDKeys: [String] { get }
}

extension Provider {
    /// By default an API is current: it has no successor.
    public var successor: ProviderAPI? { nil }

    /// By default no 4xx answer is transient.
    public func isTransient(status: Int, body: JSONValue?) -> Bool { false }

    /// By default a job's files come when the whole job is over.
    public var outputsFinishOneByOne: Bool { false }

    /// By default a file's name says only its kind (and label).
    public func nameParts(of asset: Asset) -> [String] { [] }

    /// By default a download fetches the video alone.
    public var downloadsEveryFileByDefault: Bool { false }

    /// By default no webhook event announces a job's end.
    public var webhookEventKinds: [String] { [] }

    /// By default `video_id`.
    public var webhookIDKeys: [String] { ["video_id"] }

    /// By default no event announces files after a job's end.
    public var webhookFileEventKinds: [String] { [] }

    /// By default no per-render callback names this API's jobs.
    public var callbackIDKeys: [String] { [] }
}

/// The adapter for each API.
extension ProviderAPI {
    /// The adapter that speaks this API (every `ProviderAPI` that exists is registered).
    public var adapter: any Provider {
        guard let adapter = ProviderRegistry.adapters[rawValue] else {
            preconditionFailure("\(rawValue) is declared but not in ProviderRegistry.registered")
        }
        return adapter
    }
}
