/// Reads a HeyGen video (`data` of `/v3/videos/{id}` or `/v1/video_status.get`) into a snapshot.
///
/// Both APIs and both editions of the v1 guide name the same things differently (`id` or `video_id`,
/// `video_url_caption` or `captioned_video_url`, `caption_url` or `subtitle_url`, `error` as an object or a
/// string, `failure_code`/`failure_message`); every spelling is read.
enum HeyGenVideoFields {
    /// The asset kinds and the field names that carry their links, in output order.
    static let assetFields: [(AssetKind, [String])] = [
        (.video, ["video_url"]),
        (.captionedVideo, ["captioned_video_url", "video_url_caption"]),
        (.thumbnail, ["thumbnail_url"]),
        (.gif, ["gif_url"]),
        (.captions, ["caption_url", "subtitle_url", "captions_url"]),
    ]

    static func snapshot(_ body: JSONValue, ref: JobRef, httpStatus: Int) throws(ReelWatchError) -> JobSnapshot {
        let envelope = try HeyGenEnvelope(body, ref: ref, httpStatus: httpStatus)
        try envelope.checkIdentity(["id", "video_id"], ref: ref, httpStatus: httpStatus)
        let status = try envelope.status(ref: ref, httpStatus: httpStatus)
        return envelope.snapshot(ref: ref, status: status, assets: assets(in: envelope.data))
    }

    /// The links present in `data`, one asset each.
    static func assets(in data: JSONValue) -> [Asset] {
        assetFields.compactMap { kind, keys in
            for key in keys {
                if let url = data[key]?.text {
                    return Asset(linkTo: url, kind: kind)
                }
            }
            return nil
        }
    }
}

extension Asset {
    /// An available file at `url`: its format from the URL's path, its expiry from the URL's signature.
    init(linkTo url: String, kind: AssetKind) {
        self.init(
            kind: kind,
            url: url,
            expiresAt: SignedURLExpiry.expiry(of: url),
            format: Self.pathExtension(of: url),
            state: .succeeded
        )
    }

    /// The file extension of the URL's path (never its query), lowercased; nil when there is none.
    static func pathExtension(of url: String) -> String? {
        // An ASCII URL (any link a provider sends: it is percent-encoded) is read byte by byte, with the same rules:
        // on Characters it cost ~50,000 instructions a link.
        url.isAllASCII ? asciiPathExtension(of: url) : characterPathExtension(of: url)
    }

    /// ``pathExtension(of:)`` read Character by Character.
    static func characterPathExtension(of url: String) -> String? {
        var path = Substring(url)
        if let end = path.firstIndex(where: { $0 == "?" || $0 == "#" }) { path = path[..<end] }
        let name = path.split(separator: "/").last ?? ""
        guard let dot = name.lastIndex(of: ".") else { return nil }
        let ext = name[name.index(after: dot)...].lowercased()
        guard (1...5).contains(ext.count), ext.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
            return nil
        }
        return ext
    }

    /// ``pathExtension(of:)`` for an ASCII `url`, read byte by byte.
    static func asciiPathExtension(of url: String) -> String? {
        let slash = UInt8(ascii: "/")
        var path = url.utf8[...]
        if let end = path.firstIndex(where: { $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") }) {
            path = path[..<end]
        }
        // The last part between slashes that is not empty.
        while let last = path.last, last == slash { path = path.dropLast() }
        let name = path.lastIndex(of: slash).map { path[path.index(after: $0)...] } ?? path
        guard let dot = name.lastIndex(of: UInt8(ascii: ".")) else { return nil }
        let ext = name[name.index(after: dot)...]
        guard (1...5).contains(ext.count),
            ext.allSatisfy({ (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) })
        else { return nil }
        return String(decoding: ext, as: UTF8.self).lowercased()
    }
}
