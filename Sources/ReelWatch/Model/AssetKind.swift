/// What a file of a render is.
public enum AssetKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// The rendered video.
    case video
    /// The video with burned-in captions.
    case captionedVideo = "captioned_video"
    /// A still image.
    case thumbnail
    /// An animated GIF preview (or a Hera GIF output).
    case gif
    /// A captions file (`.ass`, `.srt`, `.vtt`).
    case captions
    /// The audio track alone (a translation's dubbed audio).
    case audio
    /// One layer of a background removal (the foreground, a matte, …), named by the asset's label.
    case layer
}
