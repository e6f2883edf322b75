import Foundation
import HTTPTypes

/// A provider's base URL, such as `https://api.hera.video/v1`: scheme, host and an optional path prefix.
public struct BaseURL: Sendable, Hashable, CustomStringConvertible {
    /// `http` or `https`.
    public var scheme: String
    /// `host` or `host:port`.
    public var authority: String
    /// The path prefix without a trailing slash, such as `/v1`; empty for none.
    public var pathPrefix: String

    /// Parses an absolute `http` or `https` URL; nil for anything else, including a port outside 1–65535.
    public init?(_ text: String) {
        guard let components = URLComponents(string: text.trimmingCharacters(in: .whitespaces)),
            let (scheme, authority) = Self.origin(of: components),
            components.user == nil, components.password == nil,
            components.percentEncodedQuery == nil, components.fragment == nil
        else { return nil }
        self.scheme = scheme
        self.authority = authority
        var path = components.percentEncodedPath
        while path.hasSuffix("/") { path.removeLast() }
        self.pathPrefix = path
    }

    /// The lowercased scheme and the `host[:port]` of an `http`/`https` URL that can be connected to: a host, and
    /// a port (when given) in 1–65535; nil otherwise.
    public static func origin(of components: URLComponents) -> (scheme: String, authority: String)? {
        guard let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = components.percentEncodedHost, !host.isEmpty,
            !host.unicodeScalars.contains(where: { $0.value < 0x21 || $0.value == 0x7F })
        else { return nil }
        guard let port = components.port else { return (scheme, host) }
        guard let valid = CheckedConversion.port(port) else { return nil }
        return (scheme, "\(host):\(valid)")
    }

    /// The URL as text.
    public var description: String { "\(scheme)://\(authority)\(pathPrefix)" }

    /// A GET request for `path` (already percent-encoded, starting with `/`) below this base.
    public func request(path: String) -> HTTPRequest {
        HTTPRequest(method: .get, scheme: scheme, authority: authority, path: pathPrefix + path)
    }

    /// Percent-encodes `text` for use as one path segment or query value: only unreserved characters stay, and a
    /// segment of dots alone (`.`, `..`) is encoded too, so that no server reads it as a path step.
    public static func encode(_ text: String) -> String {
        if !text.isEmpty, text.utf8.allSatisfy({ $0 == UInt8(ascii: ".") }) {
            return String(repeating: "%2E", count: text.utf8.count)
        }
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }
}
