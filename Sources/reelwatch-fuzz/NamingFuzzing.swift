import ReelWatch

/// File names from hostile fields: the input is split at `0xFF` bytes (never part of UTF-8) into a flags byte,
/// then title, ID, format, aspect ratio, resolution, link and label (a layer's name).
enum NamingFuzzing {
    static func run(_ bytes: [UInt8]) {
        let fields = bytes.split(separator: 0xFF, omittingEmptySubsequences: false)
        let flags = fields.first?.first ?? 0
        func field(_ index: Int) -> String? {
            guard index < fields.count, !(index > 2 && fields[index].isEmpty) else { return nil }
            return String(decoding: fields[index], as: UTF8.self)
        }
        let api = ProviderAPI.allCases[Int(flags >> 1) % ProviderAPI.allCases.count]
        let kind = AssetKind.allCases[Int(flags >> 3) % AssetKind.allCases.count]
        let snapshot = JobSnapshot(
            ref: JobRef(api: api, id: field(2) ?? ""),
            state: .succeeded,
            title: field(1),
            assets: [
                Asset(
                    kind: kind,
                    url: field(6),
                    format: field(3),
                    aspectRatio: field(4),
                    resolution: field(5),
                    label: field(7)
                )
            ]
        )
        let naming = FileNaming(fromTitle: flags & 1 == 1)
        let name = naming.name(for: snapshot.assets[0], of: snapshot)
        check(name, limit: FileNaming.maximumLength)
        let sanitized = FileNaming.sanitize(field(1) ?? "")
        require(!sanitized.contains("/") && !sanitized.contains(".."), "sanitize left a path: \(Escaped(sanitized))")
        if let ext = FileNaming.fileExtension(for: snapshot.assets[0]) {
            require(!ext.isEmpty && !ext.contains("/"), "bad extension \(Escaped(ext))")
        }
        _ = FileNaming.fileExtension(forContentType: field(3) ?? "")
    }

    /// Requires `name` to be one safe file name: not empty, at most `limit` bytes of UTF-8, no `/`, NUL or
    /// control character, not `.` or `..`, and not starting with `.` or `-` (a hidden file, an option).
    static func check(_ name: String, limit: Int) {
        let shown = Escaped(name)
        require(!name.isEmpty, "empty file name")
        require(name.utf8.count <= limit, "a file name of \(name.utf8.count) bytes (limit \(limit)): \(shown)")
        require(!name.utf8.contains(UInt8(ascii: "/")), "a file name with '/': \(shown)")
        require(!name.utf8.contains(0), "a file name with NUL: \(shown)")
        require(
            !name.unicodeScalars.contains { $0.properties.generalCategory == .control },
            "a file name with a control character: \(shown)"
        )
        require(name != "." && name != "..", "a file name that is a directory: \(shown)")
        require(!name.hasPrefix(".") && !name.hasPrefix("-"), "a file name starting with '.' or '-': \(shown)")
    }
}
