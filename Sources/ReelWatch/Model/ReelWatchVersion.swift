/// The version of reelwatch, sent in every request's `User-Agent` as `reelwatch/VERSION`.
public enum ReelWatchVersion {
    /// The semantic version of this build.
    public static let current = "0.1.0"

    /// The `User-Agent` header value every provider request carries.
    public static var userAgent: String { "reelwatch/\(current)" }
}
