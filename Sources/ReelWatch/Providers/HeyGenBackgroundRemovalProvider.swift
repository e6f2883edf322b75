import HTTPTypes

/// HeyGen's background removals: `GET {heygen}/v3/background-removals/{id}`, one file per layer once completed.
///
/// `layers` maps each layer's name to its link; the name is provider text, kept as the asset's ``Asset/label``
/// (sanitized, with a digest when sanitizing changes it, before it becomes part of a file name). `deleted` is a
/// failure with the reason "deleted": mapped here, since the word means something else to other APIs.
public struct HeyGenBackgroundRemovalProvider: HeyGenProvider {
    /// Creates the adapter.
    public init() {}

    /// Always `.backgroundRemoval`.
    public var api: ProviderAPI { .backgroundRemoval }
    /// `heygen-bgremoval` (refs `heygen-bgremoval:ID`).
    public var refPrefix: String { "heygen-bgremoval" }
    /// `/v3/background-removals/{id}`.
    public var statusRoute: String { "/v3/background-removals/{id}" }
    /// The render times assumed for a background removal.
    public var renderTimeModel: RenderTimeModel { .heygenBackgroundRemoval }
    /// Every layer is an output.
    public var downloadsEveryFileByDefault: Bool { true }

    /// The status word of a removal whose result was deleted.
    static let deletedWord = "deleted"

    /// Reads `{"data": {"id", "status", "layers": {NAME: URL, …}, "error", "duration", "created_at",
    /// "completed_at"}}` or throws the `{"error": {...}}` sent instead.
    public func snapshot(from body: JSONValue, ref: JobRef, httpStatus: Int) throws(ReelWatchError) -> JobSnapshot {
        let (envelope, status) = try statusAnswer(body, ref: ref, httpStatus: httpStatus)
        let deleted = status.rawValue.trimmingWhitespace().lowercased() == Self.deletedWord
        var snapshot = envelope.snapshot(
            ref: ref, status: status, assets: deleted ? [] : Self.layers(in: envelope.data))
        if deleted {
            snapshot.state = .failed
            // The reason is "deleted"; an `error` sent with it is the detail ("… (deleted)").
            snapshot.failure = JobFailure(
                code: Self.deletedWord, message: Self.deletedWord, detail: envelope.failure()?.summary)
        }
        return snapshot
    }

    /// One asset per layer with a link, in the order of the layers' names (a JSON object has none of its own, and
    /// a fresh status must list the layers in the same order).
    static func layers(in data: JSONValue) -> [Asset] {
        guard case .object(let layers)? = data["layers"] else { return [] }
        return layers.keys.sorted().compactMap { name in
            guard let url = layers[name]?.text else { return nil }
            var asset = Asset(linkTo: url, kind: .layer)
            asset.label = name
            return asset
        }
    }
}

extension RenderTimeModel {
    /// HeyGen background removals: HeyGen publishes no figures; assumed a few minutes (median 3 min, wide).
    public static let heygenBackgroundRemoval = RenderTimeModel(
        components: [Component(weight: 1, median: .seconds(180), sigma: 0.6)],
        lagTarget: .seconds(15)
    )
}

extension ProviderAPI {
    /// HeyGen's background removals, `GET /v3/background-removals/{id}`.
    public static let backgroundRemoval = ProviderAPI(declaring: "bgremoval")
}
