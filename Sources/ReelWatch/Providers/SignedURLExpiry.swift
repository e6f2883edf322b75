import Foundation

/// Reads when a signed download link stops working from the link itself.
///
/// Understands CloudFront (`Expires=` or a base64 `Policy=` with `DateLessThan`), S3 SigV2
/// (`Expires=`), S3 SigV4 (`X-Amz-Date` + `X-Amz-Expires`) and Google Cloud Storage
/// (`X-Goog-Date` + `X-Goog-Expires`). Anything else has no known expiry.
public enum SignedURLExpiry {
    /// The expiry of `url`, or nil when the URL does not say.
    public static func expiry(of url: String) -> Date? {
        guard let components = URLComponents(string: url), let items = components.percentEncodedQueryItems else {
            return nil
        }
        var query: [String: String] = [:]
        for item in items {
            // Without a `%` there is nothing to decode (and Foundation's decoding costs ~14,000 instructions a call).
            query[item.name.lowercased()] = item.value.map {
                $0.utf8.contains(UInt8(ascii: "%")) ? ($0.removingPercentEncoding ?? $0) : $0
            }
        }
        if let expires = query["expires"], let seconds = Double(expires) {
            return CheckedConversion.date(unixSeconds: seconds)
        }
        for prefix in ["x-amz-", "x-goog-"] {
            if let start = query[prefix + "date"].flatMap(parseCompactDate),
                let lifetime = query[prefix + "expires"].flatMap(Double.init).flatMap(CheckedConversion.seconds)
            {
                return CheckedConversion.date(start.addingTimeInterval(lifetime))
            }
        }
        if let policy = query["policy"] {
            return cloudFrontPolicyExpiry(policy)
        }
        return nil
    }

    /// Parses `20251001T082436Z`, the compact ISO 8601 form signed URLs use.
    static func parseCompactDate(_ text: String) -> Date? {
        let digits = Array(text.utf8)
        guard digits.count == 16, digits[8] == UInt8(ascii: "T"), digits[15] == UInt8(ascii: "Z") else { return nil }
        func number(_ range: Range<Int>) -> Int? { Int(String(decoding: digits[range], as: UTF8.self)) }
        guard let year = number(0..<4), let month = number(4..<6), let day = number(6..<8),
            let hour = number(9..<11), let minute = number(11..<13), let second = number(13..<15)
        else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        guard parts.isValidDate(in: calendar) else { return nil }
        return calendar.date(from: parts)
    }

    /// Reads `Statement[0].Condition.DateLessThan["AWS:EpochTime"]` from a CloudFront custom policy.
    static func cloudFrontPolicyExpiry(_ policy: String) -> Date? {
        var base64 = policy.replacingOccurrences(of: "-", with: "+")
            .replacingOccurrences(of: "_", with: "=")
            .replacingOccurrences(of: "~", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64), let json = try? JSONValue.parse(data) else { return nil }
        let statement = json["Statement"]?.arrayValue?.first
        return statement?["Condition"]?["DateLessThan"]?["AWS:EpochTime"]?.date
    }
}
