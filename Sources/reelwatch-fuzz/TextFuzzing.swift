import Foundation
import ReelWatch
import ReelWatchTerminal

/// The short texts reelwatch reads from people and servers: the input, as UTF-8, as a job reference, a base URL,
/// a `Retry-After` value, a duration flag, a download link, an asset selection and a JSON field.
enum TextFuzzing {
    /// The moment `Retry-After` dates are measured from.
    static let now = Date(timeIntervalSince1970: 1_760_000_000)

    static func run(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)

        if let ref = try? JobRef(parsing: text) {
            require(ref.description.hasSuffix(ref.id), "a reference that does not print its ID: \(Escaped(text))")
            let base = BaseURL("https://api.example.test/v1")!
            _ = ref.api.adapter.statusRequest(id: ref.id, baseURL: base)
            _ = HeyGenV3Provider().bulkStatusRequest(ids: [ref.id, ref.id], token: ref.id, baseURL: base)
        } else {
            _ = (try? JobRef(parsing: "heygen:" + text))?.description
        }

        if let base = BaseURL(text) {
            _ = base.request(path: "/videos/" + BaseURL.encode(text))
            _ = base.description
        }
        let encoded = BaseURL.encode(text)
        require(
            encoded.utf8.allSatisfy { $0 < 0x80 && $0 != UInt8(ascii: "/") && $0 != UInt8(ascii: "?") },
            "BaseURL.encode left a reserved byte: \(Escaped(encoded))"
        )

        if let delay = RetryPolicy.parseRetryAfter(text, now: now) {
            _ = RetryPolicy().delay(beforeRetry: 1, retryAfter: delay, unitRandom: 0.5)
        }
        if let duration = Duration(parsing: text) {
            _ = duration.shortDescription
        }

        if let expiry = SignedURLExpiry.expiry(of: text) {
            _ = SnapshotText(colour: false, now: { now }).render(
                JobSnapshot(
                    ref: JobRef(api: .v3, id: "fuzz"),
                    state: .succeeded,
                    assets: [Asset(kind: .video, url: text, expiresAt: expiry)]
                )
            )
        }
        _ = AssetSelection(parsing: text)
        _ = FileNaming.fileExtension(forContentType: text)
        _ = ReelWatchError.printable(text)

        let field = JSONValue.string(text)
        _ = field.number
        _ = field.bool
        _ = field.date
        _ = field.text
    }
}
