import Crypto
import Foundation

/// How downloaded files are named: `{provider}-{id}-{kind}.{ext}` (Hera outputs add `{aspect}-{resolution}`),
/// or from the video's title. Every name derived from provider data is sanitized so it can never leave the
/// target directory; an ID that sanitizing changes (or that is too long to keep whole) is followed by the first
/// 8 hex digits of its SHA-256, so two IDs never share a name.
public struct FileNaming: Sendable, Hashable {
    /// Whether to start names with the video's title instead of `{provider}-{id}`.
    public var fromTitle: Bool

    /// The longest name produced, in UTF-8 bytes (file systems allow 255).
    public static let maximumLength = 200

    /// The longest extension taken from a provider's format; a longer one is left off.
    public static let maximumExtensionLength = 10

    /// The most bytes of an asset's label (a layer name, a clip title) a name keeps.
    public static let maximumLabelLength = 60

    /// Creates a naming scheme.
    public init(fromTitle: Bool = false) { self.fromTitle = fromTitle }

    /// The file name (without directory) for `asset` of `snapshot`, with the extension when one is known
    /// from the URL's path or the asset's format.
    public func name(for asset: Asset, of snapshot: JobSnapshot) -> String {
        var tail = [asset.kind.rawValue] + snapshot.api.adapter.nameParts(of: asset)
        if let label = asset.label {
            let kept = Self.labelPart(label)
            if !kept.isEmpty { tail.append(kept) }
        }
        if let output = asset.outputID { tail.append(Self.outputPart(output)) }
        let ext = Self.fileExtension(for: asset)
        let reserved = ext.map { $0.utf8.count + 1 } ?? 0
        let base: String
        if fromTitle, let title = snapshot.title, !Self.sanitize(title).isEmpty {
            let whole = Self.sanitize(([title] + tail).joined(separator: "-"))
            if whole.utf8.count <= Self.maximumLength - reserved {
                base = whole
            } else {
                // A long title gives way, not the tail: the tail tells one output's file from another's.
                let suffix = Self.sanitize(tail.joined(separator: "-"))
                let room = Self.maximumLength - reserved - suffix.utf8.count - 1
                base = Self.sanitize([Self.cut(Self.sanitize(title), toBytes: room), suffix].joined(separator: "-"))
            }
        } else {
            let provider = snapshot.provider.rawValue
            let plain = Self.sanitize(([provider, snapshot.id] + tail).joined(separator: "-"))
            if Self.keepsVerbatim(snapshot.id), plain.utf8.count <= Self.maximumLength - reserved {
                base = plain
            } else {
                // The ID lost characters to sanitizing (or would be cut): a digest of the original ID keeps it
                // apart from every other ID that comes out the same (`a/b` and `a_b`).
                let digest = Self.digest(of: snapshot.id)
                let suffix = Self.sanitize(tail.joined(separator: "-"))
                let room =
                    Self.maximumLength - reserved - provider.utf8.count - digest.utf8.count - suffix.utf8.count - 3
                let id = Self.cut(Self.sanitize(snapshot.id), toBytes: room)
                base = Self.sanitize(([provider] + (id.isEmpty ? [] : [id]) + [digest, suffix]).joined(separator: "-"))
            }
        }
        guard let ext else { return Self.truncate(base, reserving: 0) }
        return Self.truncate(base, reserving: reserved) + "." + ext
    }

    /// The longest output ID (an AI clip's) a name keeps verbatim; a longer one is named by its digest.
    public static let maximumOutputIDLength = 40

    /// How a name says which output its file is of: the output's ID when it is plain and short, else the first 8
    /// hex digits of its SHA-256 (so two outputs whose IDs sanitize alike never share a name).
    static func outputPart(_ id: String) -> String {
        keepsVerbatim(id) && !id.isEmpty && id.utf8.count <= maximumOutputIDLength ? id : digest(of: id)
    }

    /// `label` as part of a name: sanitized and at most ``maximumLabelLength`` bytes; a label that sanitizing
    /// changes or that is cut ends in the first 8 hex digits of its SHA-256, so two labels (`a/b` and `a_b`, two
    /// long names alike at first) never share a name.
    static func labelPart(_ label: String) -> String {
        let clean = sanitize(label)
        if clean == label, clean.utf8.count <= maximumLabelLength { return clean }
        let digest = digest(of: label)
        let kept = cut(clean, toBytes: maximumLabelLength - digest.utf8.count - 1)
        return kept.isEmpty ? digest : kept + "-" + digest
    }

    /// Whether `id` comes through ``sanitize(_:)`` unchanged inside a name (the normal case: letters, digits,
    /// `_`, `-`, single dots).
    static func keepsVerbatim(_ id: String) -> Bool {
        sanitize("x" + id + "x") == "x" + id + "x"
    }

    /// The first 8 hex digits of the SHA-256 of `id`: short, stable, and different for IDs that sanitize alike.
    static func digest(of id: String) -> String {
        String(SHA256.hash(data: Data(id.utf8)).hex.prefix(8))
    }

    /// `text` cut to at most `bytes` UTF-8 bytes, never inside a character.
    private static func cut(_ text: String, toBytes bytes: Int) -> String {
        var result = text
        while result.utf8.count > max(0, bytes), !result.isEmpty { result.removeLast() }
        return result
    }

    /// The extension for `asset`: from its URL's path (never its query), else from its format.
    public static func fileExtension(for asset: Asset) -> String? {
        if let url = asset.url, let ext = Asset.pathExtension(of: url) { return ext }
        switch asset.format?.lowercased() {
        case "prores": return "mov"
        case let format?:
            let plain = format.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) })
            return plain && (1...maximumExtensionLength).contains(format.utf8.count) ? format : nil
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
        "text/srt": "srt", "text/vtt": "vtt", "audio/mpeg": "mp3", "audio/mp4": "m4a", "audio/wav": "wav",
        "audio/x-wav": "wav", "audio/aac": "aac",
    ]

    /// The extension of a file whose type is unknown.
    private static let unknownTypeExtension = "bin"

    /// `text` made safe as one file name: no path separators, no `..`, no control, format (bidirectional
    /// overrides, zero-width) or reserved characters, no leading dot, dash or combining mark, spaces collapsed.
    public static func sanitize(_ text: String) -> String {
        var scalars: [Unicode.Scalar] = []
        var lastWasSeparator = false
        for scalar in text.unicodeScalars {
            switch scalar.properties.generalCategory {
            case .format, .surrogate, .unassigned, .privateUse:
                // Invisible or meaningless in a name: dropped, not replaced.
                continue
            default:
                break
            }
            let safe: Bool
            switch scalar {
            case "/", "\\", ":", "*", "?", "\"", "<", ">", "|": safe = false
            default: safe = !scalar.properties.isWhitespace && scalar.properties.generalCategory != .control
            }
            if safe {
                // Two dots in a row never survive, so no `..` can be formed.
                if scalar == ".", scalars.last == "." { continue }
                scalars.append(scalar)
                lastWasSeparator = false
            } else if !lastWasSeparator {
                scalars.append("_")
                lastWasSeparator = true
            }
        }
        // A name starts with a letter, digit or symbol: not `.`, `-`, `_`, or a mark with nothing to combine with.
        while let first = scalars.first, first == "." || first == "-" || first == "_" || isMark(first) {
            scalars.removeFirst()
        }
        while let last = scalars.last, last == "." || last == "_" { scalars.removeLast() }
        var out = ""
        out.unicodeScalars.append(contentsOf: scalars)
        return out
    }

    private static func isMark(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark: true
        default: false
        }
    }

    /// `base` cut to fit ``maximumLength`` with `reserving` bytes left for the extension; never empty, never
    /// cut inside a character.
    private static func truncate(_ base: String, reserving: Int) -> String {
        var result = base.isEmpty ? "file" : base
        let budget = max(1, maximumLength - reserving)
        while result.utf8.count > budget, !result.isEmpty { result.removeLast() }
        while let last = result.last, last == "." || last == "_" { result.removeLast() }
        return result.isEmpty ? "file" : result
    }
}
