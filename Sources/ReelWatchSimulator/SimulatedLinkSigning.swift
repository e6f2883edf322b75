import Foundation
import ReelWatch

/// How a simulated API signs the file links it hands out, as the storage behind it does.
enum SimulatedLinkSigning: Sendable, Hashable {
    /// CloudFront's signed URL (`Expires`, `Signature`, `Key-Pair-Id`): HeyGen's videos and every API added since.
    case cloudFront
    /// An S3 presigned URL (SigV4, a week's `X-Amz-Expires`): Hera's.
    case s3
    /// No signature, only `response-content-disposition` naming the file: HeyGen's translations.
    case attachment

    /// The link to `file` at `path`, signed now (`times.now`) to stay valid for `times.linkLifetime` seconds.
    func url(path: String, file: StatusBodies.File, times: StatusBodies.Times) -> String {
        let week = 7 * 24 * 3600.0
        let now = times.now
        switch self {
        case .s3:
            let signed = now.addingTimeInterval(times.linkLifetime - week)
            let stamp = signed.formatted(
                Date.ISO8601FormatStyle(dateSeparator: .omitted, dateTimeSeparator: .standard, timeSeparator: .omitted)
            )
            return
                "\(path)?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=SIMULATOR%2F20261123%2Fus-east-1%2Fs3%2Faws4_request"
                + "&X-Amz-Date=\(stamp)&X-Amz-Expires=\(Int(week))&X-Amz-SignedHeaders=host&X-Amz-Signature=5151"
        case .attachment:
            return
                "\(path)?response-content-disposition=attachment%3B+filename%2A%3DUTF-8%27%27\(BaseURL.encode(file.name))%3B"
        case .cloudFront:
            let expires = Int(now.timeIntervalSince1970 + times.linkLifetime)
            return "\(path)?Expires=\(expires)&Signature=c2ltdWxhdGVk~c2lnbmF0dXJl&Key-Pair-Id=KSIMULATOR"
        }
    }
}
