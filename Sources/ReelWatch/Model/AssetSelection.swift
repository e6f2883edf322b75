import Foundation

/// Which files of a finished render to download.
public enum AssetSelection: Sendable, Hashable {
    /// The video (HeyGen; the audio of an audio-only translation), or every file where the adapter says each is an
    /// output (``Provider/downloadsEveryFileByDefault``: Hera, background removals, proofreads).
    case defaults
    /// Every file the snapshot lists.
    case all
    /// Files of these kinds.
    case kinds(Set<AssetKind>)

    /// Every word ``init(parsing:)`` accepts: each ``AssetKind``'s name, then `all`.
    public static let words = AssetKind.allCases.map(\.rawValue) + ["all"]

    /// The accepted words for a message: `video, captioned_video, …, audio, or all`.
    public static var wordList: String {
        words.dropLast().joined(separator: ", ") + ", or " + (words.last ?? "all")
    }

    /// Parses `video,thumbnail` or `all`; nil for an unknown kind.
    public init?(parsing text: String) {
        let words = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        if words == ["all"] {
            self = .all
            return
        }
        var kinds = Set<AssetKind>()
        for word in words {
            guard let kind = AssetKind(rawValue: word) else { return nil }
            kinds.insert(kind)
        }
        guard !kinds.isEmpty else { return nil }
        self = .kinds(kinds)
    }

    /// The assets of `snapshot` this selects that can be downloaded (they have a link and did not fail).
    public func assets(of snapshot: JobSnapshot) -> [Asset] {
        let available = snapshot.assets.filter { $0.url != nil && $0.state != .failed }
        switch self {
        case .all:
            return available
        case .kinds(let kinds):
            return available.filter { kinds.contains($0.kind) }
        case .defaults:
            if snapshot.api.adapter.downloadsEveryFileByDefault { return available }
            let videos = available.filter { $0.kind == .video }
            // An audio-only translation has no video: its audio is what was rendered.
            return videos.isEmpty ? available.filter { $0.kind == .audio } : videos
        }
    }
}
