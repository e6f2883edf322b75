extension DownloadResult {
    /// The file as the JSON object every front-end reports it in: `ref`, `kind`, `path`, `bytes`, `sha256`.
    public var jsonObject: JSONValue {
        [
            "ref": .string(ref.description), "kind": .string(kind.rawValue), "path": .string(path),
            "bytes": .number(Double(bytes)), "sha256": .string(sha256),
        ]
    }
}
