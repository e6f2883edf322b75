/// HeyGen's batches of translations: `GET {heygen}/v3/video-translations/batches/{batch_id}?limit=&token=`, paged; each item
/// that became a job is followed as a `heygen-translate:` job of its own.
public struct HeyGenTranslateBatchProvider: HeyGenBatchListing {
    /// Creates the adapter.
    public init() {}

    /// Always `.translateBatch`.
    public var api: ProviderAPI { .translateBatch }
    /// `heygen-translate-batch` (refs `heygen-translate-batch:BATCH_ID`).
    public var refPrefix: String { "heygen-translate-batch" }
    /// `video-translations`.
    public var collection: String { "video-translations" }
    /// `heygen-translate:` jobs.
    public var memberAPI: ProviderAPI { .translate }
}

extension ProviderAPI {
    /// HeyGen's batches of translations, `GET /v3/video-translations/batches/{batch_id}`.
    public static let translateBatch = ProviderAPI(declaring: "translate-batch")
}
