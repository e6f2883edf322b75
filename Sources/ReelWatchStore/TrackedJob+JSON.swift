import ReelWatch

extension TrackedJob {
    /// The job as the JSON object `track list --json` prints: the snapshot's keys (state null before the first
    /// answer) plus `label`, `meta`, `download_dir`, `added_at`, `polls` and `files`.
    public var jsonObject: JSONValue {
        let snapshot = self.snapshot ?? JobSnapshot(ref: ref, state: .queued)
        guard var object = (try? JSONValue.parse(Array(snapshot.jsonLine().utf8)))?.objectValue else { return [:] }
        if self.snapshot == nil { object["state"] = .null }
        object["label"] = .optional(label)
        object["meta"] = .object(meta.mapValues { .string($0) })
        object["download_dir"] = .optional(downloadDirectory)
        object["added_at"] = .string(ISO8601Timestamp(addedAt).description)
        object["polls"] = .number(Double(polls))
        object["files"] = .array(
            files.map { file in
                [
                    "name": .string(file.name), "kind": .string(file.kind.rawValue), "path": .string(file.path),
                    "status": .string(file.status.rawValue), "bytes": file.bytes.map { .number(Double($0)) } ?? .null,
                    "sha256": .optional(file.sha256),
                ]
            }
        )
        return .object(object)
    }
}
