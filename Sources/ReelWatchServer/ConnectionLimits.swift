/// How long `serve` waits on a connection and how many connections it serves at once, so that idle or half-sent
/// connections can neither pile up nor fill the descriptor table.
public struct ConnectionLimits: Sendable, Hashable {
    /// How long a connection may go without a complete request head (from its connecting, or from its previous
    /// answer) or, while a body is read, without a byte of it, before it is closed.
    public var idleTimeout: Duration
    /// The most connections served at once: one accepted beyond it is closed at once.
    public var maximumConnections: Int

    /// Limits closing a connection idle for `idleTimeout` and serving at most `maximumConnections` at once.
    public init(idleTimeout: Duration = .seconds(10), maximumConnections: Int = 512) {
        self.idleTimeout = idleTimeout
        self.maximumConnections = maximumConnections
    }

    /// The connection cap of a process allowed `descriptorLimit` open descriptors: half of them (the other half
    /// stays for the store, the engine's requests and downloads), at least 1 and at most 1,024.
    public static func maximumConnections(descriptorLimit: Int) -> Int {
        min(1024, max(1, descriptorLimit / 2))
    }
}
