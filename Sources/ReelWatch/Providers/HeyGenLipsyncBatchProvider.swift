/// HeyGen's batches of lipsyncs: `GET {heygen}/v3/lipsyncs/batches/{batch_id}?limit=&token=`, paged; each item
/// that became a job is followed as a `heygen-lipsync:` job of its own.
public struct HeyGenLipsyncBatchProvider: HeyGenBatchListing {
    /// Creates the adapter.
    public init() {}

    /// Always `.lipsyncBatch`.
    public var api: ProviderAPI { .lipsyncBatch }
    /// `heygen-lipsync-batch` (refs `heygen-lipsync-batch:BATCH_ID`).
    public var refPrefix: String { "heygen-lipsync-batch" }
    /// `lipsyncs`.
    public var collection: String { "lipsyncs" }
    /// `heygen-lipsync:` jobs.
    public var memberAPI: ProviderAPI { .lipsync }
}

extension ProviderAPI {
    /// HeyGen's batches of lipsyncs, `GET /v3/lipsyncs/batches/{batch_id}`.
    public static let lipsyncBatch = ProviderAPI(declaring: "lipsync-batch")
}
