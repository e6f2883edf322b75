/// A provider's status word exactly as it was sent, such as `"in-progress"` or `"waiting"`.
///
/// An open set: any string is a valid status; ``JobState/init(providerStatus:)`` normalizes it.
public struct ProviderStatus: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
    /// The status verbatim.
    public var rawValue: String

    /// Wraps a status word.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// The status verbatim.
    public var description: String { rawValue }
}
