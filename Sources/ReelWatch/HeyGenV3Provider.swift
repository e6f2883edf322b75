import HTTPTypes

/// HeyGen's v3 video API: `GET {heygen}/v3/videos/{id}`.
public struct HeyGenV3Provider: Provider {
    /// Creates the adapter.
    public init() {}

    /// Always `.v3`.
    public var api: ProviderAPI { .v3 }

    /// `GET /v3/videos/{id}`.
    public func statusRequest(id: String, baseURL: BaseURL) -> HTTPRequest {
        baseURL.request(path: "/v3/videos/\(BaseURL.encode(id))")
    }

    /// HeyGen's 400 "request limit" is a rate limit.
    public func isTransient(status: Int, body: JSONValue?) -> Bool {
        HeyGenEnvelope.isRequestLimit(status: status, body: body)
    }

    /// Reads `{"data": {...}}` or throws the `{"error": {...}}` sent instead.
    public func snapshot(from body: JSONValue, ref: JobRef, httpStatus: Int) throws(ReelWatchError) -> JobSnapshot {
        try HeyGenVideoFields.snapshot(body, ref: ref, httpStatus: httpStatus)
    }
}
