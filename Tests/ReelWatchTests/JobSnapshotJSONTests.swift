import Foundation
import ReelWatch
import Testing

@Suite("Snapshot JSON")
struct JobSnapshotJSONTests {
    @Test("exactly the documented keys, snake_case, absent values as null")
    func keys() throws {
        let snapshot = JobSnapshot(ref: JobRef(api: .hera, id: "h"), state: .queued)
        let object = try #require(try JSONValue.parse(Array(snapshot.jsonLine().utf8)).objectValue)
        #expect(Set(object.keys) == Set(JobSnapshot.jsonKeys))
        #expect(object["ref"] == "hera:h")
        #expect(object["provider"] == "hera")
        #expect(object["api"] == "hera")
        #expect(object["id"] == "h")
        #expect(object["state"] == "queued")
        for key in [
            "provider_status", "title", "duration_seconds", "created_at", "completed_at", "callback_id",
            "output_language", "page_url", "failure",
        ] {
            #expect(object[key] == .null, "\(key)")
        }
        #expect(object["assets"] == .array([]))
        #expect(!snapshot.jsonLine().contains("\n"))
    }

    @Test("a full snapshot: ISO 8601 UTC times, asset keys, failure keys; and it round-trips")
    func full() throws {
        let snapshot = try Fixture.snapshot("seed-v1-completed.json", ref: "heygen-v1:fcbba36d9d0b45c08135da6840a1c739")
        let line = snapshot.jsonLine()
        let object = try JSONValue.parse(Array(line.utf8))
        #expect(object["created_at"] == "2025-10-01T08:24:36Z")
        #expect(object["duration_seconds"] == .number(6.42612))
        #expect(object["provider"] == "heygen")
        #expect(object["api"] == "v1")
        let asset = try #require(object["assets"]?.arrayValue?.first?.objectValue)
        #expect(
            Set(asset.keys) == [
                "kind", "url", "expires_at", "format", "aspect_ratio", "fps", "resolution", "state", "error", "label",
                "output_id",
            ])
        #expect(asset["expires_at"] == "2025-07-11T07:14:28Z")
        #expect(asset["kind"] == "video")
        let decoded = try JSONDecoder().decode(JobSnapshot.self, from: Data(line.utf8))
        #expect(decoded == snapshot)

        let failed = try Fixture.snapshot("seed-v1-failed.json", ref: "heygen-v1:2dbba36d9i0b45c08135d26840a1c739")
        let failure = try JSONValue.parse(Array(failed.jsonLine().utf8))["failure"]
        #expect(
            failure == ["code": "40119", "message": "Video is too long", "detail": .string(failed.failure!.detail!)])
    }

    /// Snapshots of every shape: the seeds' answers, and one with fractional times, escapes and every field.
    static func variety() throws -> [JobSnapshot] {
        var odd = JobSnapshot(
            ref: JobRef(api: .translate, id: "a/b\"c"), state: .failed,
            providerStatus: ProviderStatus(rawValue: "failed"), title: "Ünïcödé \"quoted\" \\ tab\t nl\n \u{1}")
        odd.durationSeconds = 0.1
        odd.createdAt = Date(timeIntervalSince1970: 1_764_000_000.25)
        odd.completedAt = Date(timeIntervalSince1970: 1_764_000_123)
        odd.failure = JobFailure(code: "x", message: nil, detail: "d")
        odd.assets = [
            Asset(
                kind: .audio, url: "https://h/a.mp3?x=1&y=%2F", expiresAt: Date(timeIntervalSince1970: 4_102_444_800),
                format: "mp3", aspectRatio: "9:16", fps: "30", resolution: "4k", state: .failed, error: "e")
        ]
        return [
            try Fixture.snapshot("seed-v1-completed.json", ref: "heygen-v1:fcbba36d9d0b45c08135da6840a1c739"),
            try Fixture.snapshot("seed-v1-failed.json", ref: "heygen-v1:2dbba36d9i0b45c08135d26840a1c739"),
            try Fixture.snapshot("seed-v3-completed.json", ref: "heygen:abc123"),
            try Fixture.snapshot("seed-hera-partial.json", ref: "hera:vid_abcde12345"),
            JobSnapshot(ref: JobRef(api: .hera, id: "h"), state: .queued),
            odd,
        ]
    }

    @Test("the hand-written JSON form is the Codable one, and decodes back to the same snapshot")
    func jsonValueMatchesCodable() throws {
        for snapshot in try Self.variety() {
            let encoded = try JSONValue.parse(Array(try JSONEncoder().encode(snapshot)))
            #expect(encoded == snapshot.jsonValue, "\(snapshot.ref)")
            let decoded = try JSONDecoder().decode(JobSnapshot.self, from: Data(snapshot.jsonValue.serialized()))
            #expect(decoded == snapshot, "\(snapshot.ref)")
        }
    }

    @Test("ISO 8601 times written by hand are Foundation's, whole seconds or not, from 1970 to 9999")
    func timestampsMatchFoundation() {
        var generator = SystemRandomNumberGenerator()
        var seconds: [Double] = [0, 951_782_400, 1_709_164_800, 4_102_444_800, 253_402_300_799, -1, 0.5, 1e-7]
        for _ in 0..<2000 { seconds.append(Double(Int64.random(in: 0...253_402_300_799, using: &generator))) }
        for _ in 0..<200 { seconds.append(Double.random(in: 0...4e9, using: &generator)) }
        for value in seconds {
            let date = Date(timeIntervalSince1970: value)
            let whole = value.rounded(.down) == value
            let foundation = date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: !whole))
            #expect(ISO8601Timestamp(date).description == foundation, "\(value)")
        }
    }
}
