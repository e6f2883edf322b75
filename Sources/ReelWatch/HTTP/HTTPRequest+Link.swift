import Foundation
import HTTPTypes

extension HTTPRequest {
    /// A GET request for an absolute `http`/`https` URL that can be connected to (a link or a redirect's
    /// target); nil for any other scheme, no host, or a port outside 1–65535.
    init?(linkTo url: String) {
        guard let components = URLComponents(string: url), let (scheme, authority) = BaseURL.origin(of: components)
        else { return nil }
        var path = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
        if let query = components.percentEncodedQuery { path += "?" + query }
        self.init(method: .get, scheme: scheme, authority: authority, path: path)
    }

    /// Why ``init(linkTo:)`` refuses `url`, as words that follow "a link that".
    static func unusable(_ url: String) -> String {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https"
        else { return "is not http or https" }
        if let port = components.port, CheckedConversion.port(port) == nil { return "names port \(port)" }
        return "has no usable host"
    }

    /// A redirect's `Location` made absolute against the URL it answered.
    static func resolve(_ location: String, against base: String) -> String? {
        URL(string: location, relativeTo: URL(string: base))?.absoluteString
    }

    /// The absolute URL of this request.
    var urlText: String { "\(scheme ?? "https")://\(authority ?? "")\(path ?? "/")" }
}
