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
                "kind", "url", "expires_at", "format", "aspect_ratio", "fps", "resolution", "state", "error",
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
}
