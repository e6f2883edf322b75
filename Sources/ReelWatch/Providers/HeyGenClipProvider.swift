import HTTPTypes

/// HeyGen's AI clipping API: `GET {heygen}/v3/ai-clipping/{id}`, a job that cuts a long video into clips that
/// finish one by one while it runs.
///
/// Each clip is an output (as Hera's are): a `video` asset and, once it has one, a `thumbnail` asset, labelled with
/// the clip's title and carrying the clip's ID (``Asset/outputID``), with the clip's own state. A clip's files are
/// downloaded as soon as it completes (``outputsFinishOneByOne``); a failed clip is skipped, and a completed job
/// whose clips partly failed has succeeded. HeyGen gives no reason for a failed clip, nor a bulk status or list
/// route for clipping jobs.
public struct HeyGenClipProvider: HeyGenProvider {
    /// Creates the adapter.
    public init() {}

    /// Always `.clip`.
    public var api: ProviderAPI { .clip }
    /// `heygen-clip` (refs `heygen-clip:ID`).
    public var refPrefix: String { "heygen-clip" }
    /// `/v3/ai-clipping/{id}`.
    public var statusRoute: String { "/v3/ai-clipping/{id}" }
    /// Clipping a long video takes minutes, as a translation does (HeyGen publishes no figures).
    public var renderTimeModel: RenderTimeModel { .heygenTranslation }
    /// No webhook event type: a clip takes a per-request `callback_url`, whose body HeyGen does not document; the
    /// job is read from `clip_id`, else `id`, else `video_id`.
    public var callbackIDKeys: [String] { ["clip_id", "id", "video_id"] }
    /// Clips finish one by one while the job runs.
    public var outputsFinishOneByOne: Bool { true }

    /// What a failed clip says, HeyGen giving no reason per clip.
    static let clipFailure = "the clip failed (HeyGen gives no reason per clip)"

    /// Reads `{"data": {"id", "status", "progress", "clips": [{"id", "status", "video_url", "thumbnail_url",
    /// "title", "duration_seconds", "aspect_ratio", "virality_score"}], "failure_message", "created_at", "title",
    /// "callback_id", …}}` or throws the `{"error": {...}}` sent instead.
    public func snapshot(from body: JSONValue, ref: JobRef, httpStatus: Int) throws(ReelWatchError) -> JobSnapshot {
        let (envelope, status) = try statusAnswer(body, ref: ref, httpStatus: httpStatus)
        let clips = envelope.data["clips"]?.arrayValue ?? []
        let assets = clips.flatMap(Self.assets(ofClip:))
        var snapshot = envelope.snapshot(ref: ref, status: status, assets: assets)
        snapshot.progress = Self.percent(envelope.data["progress"])
        if snapshot.state == .failed, snapshot.failure == nil {
            // No reason for the job: the clips that failed say what went wrong.
            let failed = assets.filter { $0.kind == .video && $0.state == .failed }
            if !failed.isEmpty {
                let videos = assets.count { $0.kind == .video }
                snapshot.failure = JobFailure(
                    code: nil, message: "\(failed.count) of \(videos) clips failed",
                    detail: failed.map(Self.name(of:)).joined(separator: ", "))
            }
        }
        return snapshot
    }

    /// One clip's files: its video (a link once it completed) and its thumbnail once it has one, labelled with its
    /// title and carrying its ID and state; none for an entry that is not an object.
    static func assets(ofClip clip: JSONValue) -> [Asset] {
        guard clip.objectValue != nil else { return [] }
        let state = clip["status"]?.text.map { JobState(providerStatus: ProviderStatus(rawValue: $0)) }
        let failed = state == .failed
        func asset(_ kind: AssetKind, _ key: String) -> Asset {
            let url = failed ? nil : clip[key]?.text
            return Asset(
                kind: kind, url: url, expiresAt: url.flatMap(SignedURLExpiry.expiry),
                format: url.flatMap(Asset.pathExtension), aspectRatio: clip["aspect_ratio"]?.text, state: state,
                error: failed ? clipFailure : nil, label: clip["title"]?.text, outputID: clip["id"]?.text)
        }
        var assets = [asset(.video, "video_url")]
        if !failed, clip["thumbnail_url"]?.text != nil { assets.append(asset(.thumbnail, "thumbnail_url")) }
        return assets
    }

    /// A clip as a message names it: its title (or ID), printable.
    static func name(of asset: Asset) -> String {
        ReelWatchError.printable(asset.label ?? asset.outputID ?? "untitled", limit: 60)
    }

    /// `progress` as a whole percentage, 0–100: a fraction rounded down, a number out of range clamped; nil when it
    /// is not a finite number.
    static func percent(_ value: JSONValue?) -> Int? {
        guard let number = value?.number, number.isFinite else { return nil }
        return CheckedConversion.int64(min(max(number, 0), 100).rounded(.down)).map { Int($0) }
    }
}

extension ProviderAPI {
    /// HeyGen's AI clipping API, `GET /v3/ai-clipping/{id}`.
    public static let clip = ProviderAPI(declaring: "clip")
}
