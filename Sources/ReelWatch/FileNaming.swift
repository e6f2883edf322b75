import Foundation

/// How downloaded files are named: `{provider}-{id}-{kind}.{ext}` (Hera outputs add `{aspect}-{resolution}`),
/// or from the video's title. Every name derived from provider data is sanitized so it can never leave the
/// target directory.
public struct FileNaming: Sendable, Hashable {
    /// Whether to start names with the video's title instead of `{provider}-{id}`.
    public var fromTitle: Bool

    /// The longest name produced, in UTF-8 bytes (file systems allow 255).
    public static let maximumLength = 200

    /// Creates a naming scheme.
    public init(fromTitle: Bool = false) { self.fromTitle = fromTitle }

    /// The file name (without directory) for `asset` of `snapshot`, with the extension when one is known
    /// from the URL's path or the asset's format.
    public func name(for asset: Asset, of snapshot: JobSnapshot) -> String {
        var parts: [String] = []
        if fromTitle, let title = snapshot.title, !Self.sanitize(title).isEmpty {
            parts.append(title)
        } else {
            parts += [snapshot.provider.rawValue, snapshot.id]
        }
        parts.append(asset.kind.rawValue)
        if snapshot.provider == .hera {
            parts += [asset.aspectRatio?.replacingOccurrences(of: ":", with: "x"), asset.resolution].compactMap { $0 }
        }
        let base = Self.sanitize(parts.joined(separator: "-"))
        guard let ext = Self.fileExtension(for: asset) else { return Self.truncate(base, reserving: 0) }
        return Self.truncate(base, reserving: ext.utf8.count + 1) + "." + ext
    }

    /// The extension for `asset`: from its URL's path (never its query), else from its format.
    public static func fileExtension(for asset: Asset) -> String? {
        if let url = asset.url, let ext = Asset.pathExtension(of: url) { return ext }
        switch asset.format?.lowercased() {
        case "prores": return "mov"
        case let format?: return format.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) ? format : nil
        case nil: return nil
        }
    }

    /// The extension a `Content-Type` implies, for files whose URL and format say nothing.
    public static func fileExtension(forContentType type: String) -> String {
        let essence =
            type.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        return contentTypes[essence] ?? unknownTypeExtension
    }

    /// Every extension ``fileExtension(forContentType:)`` gives, so that a file named from its `Content-Type`
    /// can be found again without asking the server.
    public static let contentTypeExtensions: Set<String> = Set(contentTypes.values).union([unknownTypeExtension])

    /// The media types reelwatch knows, with the extension each gives a file.
    private static let contentTypes: [String: String] = [
        "video/mp4": "mp4", "video/webm": "webm", "video/quicktime": "mov", "image/jpeg": "jpg", "image/png": "png",
        "image/gif": "gif", "text/x-ass": "ass", "text/x-ssa": "ass", "application/x-subrip": "srt",
        "text/srt": "srt", "text/vtt": "vtt",
    ]

    /// The extension of a file whose type is unknown.
    private static let unknownTypeExtension = "bin"

    /// `text` made safe as one file name: no path separators, no `..`, no control or reserved characters, no
    /// leading dot or dash, spaces collapsed.
    public static func sanitize(_ text: String) -> String {
        var out = ""
        var lastWasSeparator = false
        for scalar in text.unicodeScalars {
            let safe: Bool
            switch scalar {
            case "/", "\\", ":", "*", "?", "\"", "<", ">", "|", "\0": safe = false
            default: safe = scalar.properties.generalCategory != .control && !scalar.properties.isWhitespace
            }
            if safe {
                out.unicodeScalars.append(scalar)
                lastWasSeparator = false
            } else if !lastWasSeparator {
                out += "_"
                lastWasSeparator = true
            }
        }
        while out.contains("..") { out = out.replacingOccurrences(of: "..", with: ".") }
        while let first = out.first, first == "." || first == "-" || first == "_" { out.removeFirst() }
        while let last = out.last, last == "." || last == "_" { out.removeLast() }
        return out
    }

    private static func truncate(_ base: String, reserving: Int) -> String {
        var result = base.isEmpty ? "file" : base
        while result.utf8.count + reserving > maximumLength { result.removeLast() }
        return result
    }
}
