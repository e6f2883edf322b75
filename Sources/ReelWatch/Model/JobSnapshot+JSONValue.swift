/// Snapshots as ``JSONValue``: the keys and values their `Codable` form has, written by
/// ``JSONValue/serialized()`` instead of `JSONEncoder` (which costs ~180,000 instructions a snapshot on Linux,
/// and the store writes one on every answer). `JobSnapshotJSONTests` checks both forms are the same.
extension JobSnapshot {
    /// The snapshot's JSON form, every documented key present (absent values `null`).
    public var jsonValue: JSONValue {
        .object([
            "ref": .string(ref.description), "provider": .string(provider.rawValue), "api": .string(api.rawValue),
            "id": .string(id), "state": .string(state.rawValue), "provider_status": .optional(providerStatus?.rawValue),
            "title": .optional(title), "duration_seconds": .optional(durationSeconds),
            "created_at": .optional(createdAt.map { ISO8601Timestamp($0).description }),
            "completed_at": .optional(completedAt.map { ISO8601Timestamp($0).description }),
            "callback_id": .optional(callbackID), "output_language": .optional(outputLanguage),
            "page_url": .optional(pageURL), "failure": failure?.jsonValue ?? .null,
            "assets": .array(assets.map(\.jsonValue)), "progress": progress.map { .number(Double($0)) } ?? .null,
            "agent_message": .optional(agentMessage), "handover": .optional(handover?.description),
            "members": .array(members.map { .string($0.description) }),
        ])
    }
}

extension Asset {
    /// The asset's JSON form, every key present.
    public var jsonValue: JSONValue {
        .object([
            "kind": .string(kind.rawValue), "url": .optional(url),
            "expires_at": .optional(expiresAt.map { ISO8601Timestamp($0).description }),
            "format": .optional(format), "aspect_ratio": .optional(aspectRatio), "fps": .optional(fps),
            "resolution": .optional(resolution), "state": .optional(state?.rawValue), "error": .optional(error),
            "label": .optional(label), "output_id": .optional(outputID),
        ])
    }
}

extension JobFailure {
    /// The failure's JSON form, every key present.
    public var jsonValue: JSONValue {
        .object(["code": .optional(code), "message": .optional(message), "detail": .optional(detail)])
    }
}
