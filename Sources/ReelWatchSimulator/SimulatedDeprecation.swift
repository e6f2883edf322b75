/// A header by which a provider announces that an endpoint is going away (`Deprecation`, `Sunset`): the simulator
/// sends it on every answer of an API it was told to announce it for (``Simulator/announce(_:for:)``).
public struct SimulatedDeprecation: Sendable, Hashable {
    /// The header's name.
    public var header: String
    /// The header's value.
    public var value: String

    /// Creates a notice sent as `header: value`.
    public init(header: String, value: String) {
        self.header = header
        self.value = value
    }

    /// `Deprecation: @SECONDS` (RFC 9745): deprecated since that Unix time.
    public static func deprecation(since seconds: Int) -> SimulatedDeprecation {
        SimulatedDeprecation(header: "Deprecation", value: "@\(seconds)")
    }

    /// `Sunset: DATE` (RFC 8594): the endpoint goes away at that HTTP date.
    public static func sunset(_ date: String) -> SimulatedDeprecation {
        SimulatedDeprecation(header: "Sunset", value: date)
    }
}
