import Foundation
import ReelWatch
import ReelWatchTerminal
import Synchronization
import Testing

/// What the CLI prints of a snapshot for a person: the block, its colours, link lifetimes, lengths of time.
@Suite("Snapshot text")
struct SnapshotTextTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func text(colour: Bool = false) -> SnapshotText {
        SnapshotText(colour: colour, now: { now })
    }

    @Test("provider text in a file's fields (Hera's config strings) is escaped before it reaches a terminal")
    func hostileAssetFields() {
        var snapshot = JobSnapshot(ref: JobRef(api: .hera, id: "v\u{202E}1"), state: .succeeded)
        snapshot.assets = [
            Asset(
                kind: .video, url: "https://h/v.mp4", format: "mp4\u{202E}exe", aspectRatio: "16:9\u{1B}[2J",
                fps: "30\u{2066}", resolution: "1080p\n")
        ]
        let block = Self.text().render(snapshot)
        for raw in ["\u{202E}", "\u{1B}", "\u{2066}"] { #expect(!block.contains(raw), "\(block)") }
        #expect(block.hasPrefix("hera:v\\u{202E}1  succeeded"), "\(block)")
        #expect(block.contains("mp4\\u{202E}exe 16:9\\u{1B}[2J 1080p\\n 30\\u{2066}fps"), "\(block)")
    }

    @Test("an AI clip's title is shown with its file, escaped; a failed clip says so and why")
    func clipLabels() {
        var snapshot = JobSnapshot(ref: JobRef(api: .clip, id: "c"), state: .succeeded)
        snapshot.assets = [
            Asset(kind: .video, url: "https://h/1.mp4", format: "mp4", state: .succeeded, label: "Best\u{202E}bit"),
            Asset(kind: .video, url: nil, state: .failed, error: "no reason given", label: "Q&A", outputID: "c2"),
        ]
        let lines = Self.text().render(snapshot).split(separator: "\n").map(String.init)
        #expect(lines[1].hasPrefix("  video           Best\\u{202E}bit  mp4  "), "\(lines)")
        #expect(lines[2] == "  video           Q&A  failed  no reason given", "\(lines)")
    }

    @Test("a finished render: one line per field, files with format, link lifetime and URL, in order")
    func fullBlock() {
        var snapshot = JobSnapshot(
            ref: JobRef(api: .translate, id: "tr-1"), state: .succeeded,
            providerStatus: ProviderStatus(rawValue: "completed"), title: "Launch (Urdu)")
        snapshot.durationSeconds = 42.5
        snapshot.createdAt = Self.now.addingTimeInterval(-3600)
        snapshot.completedAt = Self.now.addingTimeInterval(-3000)
        snapshot.outputLanguage = "Urdu (Pakistan)"
        snapshot.assets = [
            Asset(
                kind: .video, url: "https://c/v.mp4", expiresAt: Self.now.addingTimeInterval(6 * 86_400 + 82_800),
                format: "mp4"),
            Asset(kind: .captions, url: "https://c/c.srt", format: "srt"),
            Asset(kind: .audio, url: "https://c/a.mp3", expiresAt: Self.now.addingTimeInterval(-7200), format: "mp3"),
        ]
        snapshot.pageURL = "https://app.heygen.com/videos/tr-1"
        #expect(
            Self.text().render(snapshot) == """
                heygen-translate:tr-1  succeeded (completed)
                  title           Launch (Urdu)
                  duration        42.5s
                  created         2027-01-15 07:00:00 UTC, done after 10m 0s
                  language        Urdu (Pakistan)
                  video           mp4  valid 6d 23h  https://c/v.mp4
                  captions        srt  no expiry given  https://c/c.srt
                  audio           mp3  expired 2h 0m ago  https://c/a.mp3
                  page            https://app.heygen.com/videos/tr-1
                """)
    }

    @Test("a failed render shows its reason; the provider's word is left out when it is the state's own")
    func failedBlock() {
        var snapshot = JobSnapshot(ref: JobRef(api: .v3, id: "v"), state: .failed)
        snapshot.providerStatus = ProviderStatus(rawValue: "failed")
        snapshot.failure = JobFailure(code: "script_too_long", message: "Script too long for selected avatar")
        #expect(
            Self.text().render(snapshot) == """
                heygen:v  failed
                  failure         Script too long for selected avatar (script_too_long)
                """)
    }

    @Test("colour: the state and an expired link are painted; without colour there is no escape at all")
    func colours() {
        var snapshot = JobSnapshot(ref: JobRef(api: .hera, id: "h"), state: .processing)
        snapshot.assets = [Asset(kind: .video, url: "https://c/v.mp4", expiresAt: Self.now.addingTimeInterval(-60))]
        let painted = Self.text(colour: true).render(snapshot)
        #expect(painted.hasPrefix("hera:h  \u{1B}[33mprocessing\u{1B}[0m"))
        #expect(painted.contains("\u{1B}[31mexpired 1m 0s ago\u{1B}[0m"))
        #expect(!Self.text().render(snapshot).contains("\u{1B}"))
    }

    @Test("link lifetimes are measured from the date the renderer reads when it renders, not when it was made")
    func nowIsReadAtRender() {
        let clock = LockedDate(Self.now)
        let text = SnapshotText(colour: false, now: { clock.value })
        var snapshot = JobSnapshot(ref: JobRef(api: .v3, id: "v"), state: .succeeded)
        snapshot.assets = [Asset(kind: .video, url: "https://c/v.mp4", expiresAt: Self.now.addingTimeInterval(3600))]
        #expect(text.render(snapshot).contains("valid 1h 0m"))
        clock.value = Self.now.addingTimeInterval(7200)
        #expect(text.render(snapshot).contains("expired 1h 0m ago"))
    }

    @Test(
        "lengths of time as people say them",
        arguments: [(Double, String)]([
            (0.0, "0s"), (42.5, "42.5s"), (59.0, "59s"), (60.0, "1m 0s"), (480.0, "8m 0s"), (7500.0, "2h 5m"),
            (Double(6 * 86_400 + 82_800), "6d 23h"), (-5.0, "0s"), (1e300, "a very long time"),
            (Double.infinity, "a very long time"), (Double.nan, "a very long time"),
        ]))
    func durations(seconds: Double, text: String) {
        #expect(SnapshotText.format(seconds: seconds) == text)
    }

    @Test("dates in UTC to the second")
    func dates() {
        #expect(SnapshotText.format(date: Date(timeIntervalSince1970: 1_795_430_412.75)) == "2026-11-23 10:40:12 UTC")
    }
}

/// A date tests change while a renderer reads it.
final class LockedDate: Sendable {
    private let stored: Mutex<Date>

    init(_ date: Date) { stored = Mutex(date) }

    var value: Date {
        get { stored.withLock { $0 } }
        set { stored.withLock { $0 = newValue } }
    }
}
