import Foundation

/// How the simulator's file server refuses a link that has expired, as the storage behind the providers does.
public enum SimulatedLinkExpiry: Sendable, Hashable {
    /// S3's answer to a presigned URL past its time: `403`, an XML declaration, then `AccessDenied` with "Request
    /// has expired", the link's expiry and the server's time.
    case s3
    /// CloudFront's answer to a signed URL past its policy: `403` with `AccessDenied` and "Access denied", no word
    /// of expiry.
    case cloudFront

    /// The answer to a link that expired at `expiredAt`, given at `now`.
    func refusal(expiredAt: Date, now: Date) -> SimulatorResponse {
        let body: String
        switch self {
        case .s3:
            body =
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AccessDenied</Code>"
                + "<Message>Request has expired</Message><X-Amz-Expires>3600</X-Amz-Expires>"
                + "<Expires>\(expiredAt.formatted(.iso8601))</Expires>"
                + "<ServerTime>\(now.formatted(.iso8601))</ServerTime>"
                + "<RequestId>5SIMULATED0EXPIRY</RequestId><HostId>c2ltdWxhdGVkIGhvc3Q=</HostId></Error>"
        case .cloudFront:
            body =
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>AccessDenied</Code>"
                + "<Message>Access denied</Message></Error>"
        }
        return SimulatorResponse(status: 403, contentType: "application/xml", body: Array(body.utf8))
    }
}
