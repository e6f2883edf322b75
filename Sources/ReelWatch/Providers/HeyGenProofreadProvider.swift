import HTTPTypes

/// HeyGen's translation proofreads: `GET {heygen}/v3/video-translations/proofreads/{id}` for the status, and once it
/// completed `GET …/proofreads/{id}/srt` for its two captions files (``LinkFetchingProvider``).
public struct HeyGenProofreadProvider: HeyGenProvider, LinkFetchingProvider {
    /// Creates the adapter.
    public init() {}

    /// Always `.proofread`.
    public var api: ProviderAPI { .proofread }
    /// `heygen-proofread` (refs `heygen-proofread:ID`).
    public var refPrefix: String { "heygen-proofread" }
    /// `/v3/video-translations/proofreads/{id}`.
    public var statusRoute: String { "/v3/video-translations/proofreads/{id}" }
    /// The keys that name the job in a status answer.
    public var identityKeys: [String] { ["id", "proofread_id"] }
    /// `/v3/video-translations/proofreads/{id}/srt`.
    public var linksRoute: String { "/v3/video-translations/proofreads/{id}/srt" }
    /// The render times assumed for a proofread.
    public var renderTimeModel: RenderTimeModel { .heygenProofread }
    /// Both captions files (the translated and the original) are outputs.
    public var downloadsEveryFileByDefault: Bool { true }
    /// `proofread_creation.*` events.
    public var webhookEventKinds: [String] { ["proofread_creation"] }
    /// HeyGen does not document the key: `proofread_id`, else `id`.
    public var webhookIDKeys: [String] { ["proofread_id", "id"] }

    /// The captions files of the links answer: the field, and the label that tells the two apart in file names.
    static let linkFields: [(key: String, label: String)] = [
        ("srt_url", "translated"),
        ("original_srt_url", "original"),
    ]

    /// `GET /v3/video-translations/proofreads/{id}/srt`.
    public func linksRequest(id: String, baseURL: BaseURL) -> HTTPRequest {
        baseURL.request(path: "/v3/video-translations/proofreads/\(BaseURL.encode(id))/srt")
    }

    /// Reads `{"data": {"id", "status", "failure_message", "input_language", "output_language", "title",
    /// "created_at", "submitted_for_review"}}` or throws the `{"error": {...}}` sent instead. The files come from
    /// the links request.
    public func snapshot(from body: JSONValue, ref: JobRef, httpStatus: Int) throws(ReelWatchError) -> JobSnapshot {
        let (envelope, status) = try statusAnswer(body, ref: ref, httpStatus: httpStatus)
        return envelope.snapshot(ref: ref, status: status, assets: [])
    }

    /// Reads `{"data": {"srt_url", "original_srt_url"}}` into two captions assets, labelled `translated` and
    /// `original`; an answer with neither link is an error.
    public func addingLinks(
        from body: JSONValue, to snapshot: JobSnapshot, httpStatus: Int
    ) throws(ReelWatchError) -> JobSnapshot {
        let ref = snapshot.ref
        let envelope = try HeyGenEnvelope(body, ref: ref, httpStatus: httpStatus)
        try envelope.checkIdentity(identityKeys, ref: ref, httpStatus: httpStatus)
        var snapshot = snapshot
        snapshot.assets = Self.linkFields.compactMap { field in
            guard let url = envelope.data[field.key]?.text else { return nil }
            var asset = Asset(linkTo: url, kind: .captions)
            if asset.format == nil { asset.format = "srt" }
            asset.label = field.label
            return asset
        }
        guard !snapshot.assets.isEmpty else {
            throw ReelWatchError(
                code: .invalidResponse,
                message: "\(ref.provider.displayName) says the proofread is completed, but its links answer "
                    + "(\(linksRoute)) gives neither srt_url nor original_srt_url",
                ref: ref,
                httpStatus: httpStatus
            )
        }
        return snapshot
    }
}

extension RenderTimeModel {
    /// HeyGen translation proofreads: HeyGen publishes no figures; assumed a few minutes (median 2 min, wide).
    public static let heygenProofread = RenderTimeModel(
        components: [Component(weight: 1, median: .seconds(120), sigma: 0.6)],
        lagTarget: .seconds(10)
    )
}

extension ProviderAPI {
    /// HeyGen's translation proofreads, `GET /v3/video-translations/proofreads/{id}`.
    public static let proofread = ProviderAPI(declaring: "proofread")
}
