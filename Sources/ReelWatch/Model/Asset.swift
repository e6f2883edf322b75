import Foundation

/// One file a render produced (or, for Hera, one requested output), with its time-limited link.
public struct Asset: Sendable, Hashable, Codable {
    /// What the file is.
    public var kind: AssetKind
    /// The link to the file; nil while a Hera output is still rendering or when it failed.
    public var url: String?
    /// When the link stops working, read from the signed URL itself; nil when the URL does not say.
    public var expiresAt: Date?
    /// The file format, such as `mp4`, `jpeg`, `gif`, `ass`, `prores` or `webm`.
    public var format: String?
    /// The aspect ratio, such as `16:9` (Hera outputs).
    public var aspectRatio: String?
    /// Frames per second (Hera outputs).
    public var fps: String?
    /// The resolution, such as `1080p` (Hera outputs).
    public var resolution: String?
    /// The state of this file when the provider reports it per file (Hera); `succeeded` for a HeyGen link.
    public var state: JobState?
    /// Why this file failed, when it did.
    public var error: String?
    /// The provider's name for this output where it gives one (a background removal's layer, an AI clip's title):
    /// provider text, sanitized before it becomes part of a file name or reaches a terminal.
    public var label: String?
    /// The provider's ID of this output where it gives each output one (an AI clip's `id`): it keeps the files of
    /// outputs with equal labels apart, and finds an output again in a later answer.
    public var outputID: String?

    /// Creates an asset.
    public init(
        kind: AssetKind,
        url: String?,
        expiresAt: Date? = nil,
        format: String? = nil,
        aspectRatio: String? = nil,
        fps: String? = nil,
        resolution: String? = nil,
        state: JobState? = nil,
        error: String? = nil,
        label: String? = nil,
        outputID: String? = nil
    ) {
        self.kind = kind
        self.url = url
        self.expiresAt = expiresAt
        self.format = format
        self.aspectRatio = aspectRatio
        self.fps = fps
        self.resolution = resolution
        self.state = state
        self.error = error
        self.label = label
        self.outputID = outputID
    }

    private enum CodingKeys: String, CodingKey {
        case kind, url, format, fps, resolution, state, error, label
        case expiresAt = "expires_at"
        case aspectRatio = "aspect_ratio"
        case outputID = "output_id"
    }

    /// Decodes an asset from its snake_case JSON form.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        kind = try c.decode(AssetKind.self, forKey: .kind)
        url = try c.decodeIfPresent(String.self, forKey: .url)
        expiresAt = try c.decodeIfPresent(ISO8601Timestamp.self, forKey: .expiresAt)?.date
        format = try c.decodeIfPresent(String.self, forKey: .format)
        aspectRatio = try c.decodeIfPresent(String.self, forKey: .aspectRatio)
        fps = try c.decodeIfPresent(String.self, forKey: .fps)
        resolution = try c.decodeIfPresent(String.self, forKey: .resolution)
        state = try c.decodeIfPresent(JobState.self, forKey: .state)
        error = try c.decodeIfPresent(String.self, forKey: .error)
        label = try c.decodeIfPresent(String.self, forKey: .label)
        outputID = try c.decodeIfPresent(String.self, forKey: .outputID)
    }

    /// Encodes every key, absent values as `null`.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind, forKey: .kind)
        try c.encode(url, forKey: .url)
        try c.encode(expiresAt.map(ISO8601Timestamp.init), forKey: .expiresAt)
        try c.encode(format, forKey: .format)
        try c.encode(aspectRatio, forKey: .aspectRatio)
        try c.encode(fps, forKey: .fps)
        try c.encode(resolution, forKey: .resolution)
        try c.encode(state, forKey: .state)
        try c.encode(error, forKey: .error)
        try c.encode(label, forKey: .label)
        try c.encode(outputID, forKey: .outputID)
    }
}
