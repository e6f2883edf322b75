/// HeyGen's batches of videos: `GET {heygen}/v3/videos/batches/{batch_id}?limit=&token=`, paged; each item
/// that became a job is followed as a `heygen:` job of its own.
public struct HeyGenBatchProvider: HeyGenBatchListing {
    /// Creates the adapter.
    public init() {}

    /// Always `.batch`.
    public var api: ProviderAPI { .batch }
    /// `heygen-batch` (refs `heygen-batch:BATCH_ID`).
    public var refPrefix: String { "heygen-batch" }
    /// `videos`.
    public var collection: String { "videos" }
    /// `heygen:` jobs.
    public var memberAPI: ProviderAPI { .v3 }
}

extension ProviderAPI {
    /// HeyGen's batches of videos, `GET /v3/videos/batches/{batch_id}`.
    public static let batch = ProviderAPI(declaring: "batch")
}
