import Foundation
import HTTPTypes

/// An adapter for one of HeyGen's v3 APIs: the company is HeyGen, the status request is `GET {heygen}` and the
/// ``Provider/statusRoute`` with the ID percent-encoded in place of `{id}`, a 400 "request limit" is a rate limit,
/// and a status answer is `{"data": {...}}` naming its job under one of ``identityKeys``.
public protocol HeyGenProvider: Provider {
    /// The `data` keys that name the job in a status answer; an answer naming another job is refused.
    var identityKeys: [String] { get }
}

extension HeyGenProvider {
    /// HeyGen.
    public var provider: ProviderName { .heygen }

    /// By default the job is named by `id`.
    public var identityKeys: [String] { ["id"] }

    /// `GET` the status route with `id` percent-encoded in place of `{id}`.
    public func statusRequest(id: String, baseURL: BaseURL) -> HTTPRequest {
        baseURL.request(path: statusRoute.replacingOccurrences(of: "{id}", with: BaseURL.encode(id)))
    }

    /// HeyGen's 400 "request limit" is a rate limit.
    public func isTransient(status: Int, body: JSONValue?) -> Bool {
        HeyGenEnvelope.isRequestLimit(status: status, body: body)
    }

    /// The answer's envelope and status word, once it is known to be about `ref` (or the error it carries).
    func statusAnswer(
        _ body: JSONValue, ref: JobRef, httpStatus: Int
    ) throws(ReelWatchError) -> (envelope: HeyGenEnvelope, status: ProviderStatus) {
        let envelope = try HeyGenEnvelope(body, ref: ref, httpStatus: httpStatus)
        try envelope.checkIdentity(identityKeys, ref: ref, httpStatus: httpStatus)
        return (envelope, try envelope.status(ref: ref, httpStatus: httpStatus))
    }
}
