import Foundation

/// A short, printable, secret-free excerpt of a response body, for error messages.
enum BodyExcerpt {
    /// Describes `bytes`: what they look like and their first characters, with secrets and URL queries removed.
    static func describe(_ bytes: [UInt8], secrets: [String], limit: Int = 100) -> String {
        if bytes.isEmpty { return "an empty body" }
        var text = String(decoding: bytes.prefix(4096), as: UTF8.self)
        for secret in secrets where !secret.isEmpty {
            text = text.replacingOccurrences(of: secret, with: "<redacted>")
        }
        text = stripQueries(text)
        let collapsed = text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        let kind: String
        let first = collapsed.first
        if first == "<" {
            kind = "an HTML page, not JSON"
        } else if first == "{" || first == "[" {
            kind = "malformed or truncated JSON"
        } else {
            kind = "text, not JSON"
        }
        return "\(kind): \"\(ReelWatchError.printable(collapsed, limit: limit))\""
    }

    /// Removes the query of every `http(s)://` URL in `text`, where signatures live.
    static func stripQueries(_ text: String) -> String {
        var out = ""
        var inURL = false
        var dropping = false
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            if !inURL, text[index...].hasPrefix("http://") || text[index...].hasPrefix("https://") {
                inURL = true
            }
            if inURL {
                if character.isWhitespace || character == "\"" || character == "'" || character == "<" {
                    if dropping { out += "?…" }
                    inURL = false
                    dropping = false
                } else if character == "?" {
                    dropping = true
                }
            }
            if !dropping { out.append(character) }
            index = text.index(after: index)
        }
        if dropping { out += "?…" }
        return out
    }
}
