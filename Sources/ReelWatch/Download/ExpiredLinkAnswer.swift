import Foundation

/// What a file server says when it refuses a link, read from the start of its body: the code and message of S3's
/// and CloudFront's error documents, in XML (`<Error><Code>…</Code><Message>…</Message>…</Error>`, declaration
/// first or not) or JSON (`{"Code": …, "Message": …}`, or both under `"error"`), fields in any order and position;
/// and whether the answer says the signed link has expired.
struct ExpiredLinkAnswer: Sendable, Hashable {
    /// The most bytes of a body read: error documents are short, and the code and message come early.
    static let readLimit = 8 * 1024

    /// The document's error code (`AccessDenied`, `ExpiredToken`), if it has one.
    var code: String?
    /// The document's message (`Request has expired`), if it has one.
    var message: String?
    /// Whether the answer says the link (its signature, policy or token) has expired: by its code or message, or,
    /// for a body that is no such document, by the word anywhere in what was read.
    var saysExpired: Bool

    /// Reads the first ``readLimit`` bytes of `body`.
    init(body: [UInt8]) {
        let bytes = body.prefix(Self.readLimit)
        let text = String(decoding: bytes, as: UTF8.self)
        if let json = try? JSONValue.parse(bytes), json.objectValue != nil {
            let error = Self.field(json, "error")
            code = Self.field(json, "code")?.text ?? error.flatMap { Self.field($0, "code")?.text }
            message = Self.field(json, "message")?.text ?? error.flatMap { Self.field($0, "message")?.text ?? $0.text }
        } else {
            code = Self.element("Code", in: text)
            message = Self.element("Message", in: text)
        }
        if code == nil && message == nil {
            saysExpired = text.lowercased().contains("expired")
        } else {
            let code = code?.lowercased() ?? ""
            saysExpired =
                code.contains("expired") || code == "tokenrefreshrequired"
                || (message?.lowercased().contains("expired") ?? false)
        }
    }

    /// `CODE: MESSAGE` (or the one of them there is), for an error message; nil for a body that is no error
    /// document.
    var summary: String? {
        let parts = [code, message].compactMap { $0 }.filter { !$0.isEmpty }
        guard !parts.isEmpty else { return nil }
        return ReelWatchError.printable(BodyExcerpt.stripQueries(parts.joined(separator: ": ")), limit: 120)
    }

    /// The member `name` of a JSON object, matched without regard to case (`Code`, `code`).
    private static func field(_ value: JSONValue, _ name: String) -> JSONValue? {
        guard let object = value.objectValue else { return nil }
        return object[name] ?? object.first { $0.key.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    /// The text of the first `<name>…</name>` element in `text` (tags matched without regard to case), trimmed;
    /// nil when there is none.
    private static func element(_ name: String, in text: String) -> String? {
        guard let open = text.range(of: "<\(name)>", options: .caseInsensitive),
            let close = text.range(of: "</\(name)>", options: .caseInsensitive, range: open.upperBound..<text.endIndex)
        else { return nil }
        let value = text[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespacesAndNewlines)
        return value.isEmpty ? nil : value
    }
}
