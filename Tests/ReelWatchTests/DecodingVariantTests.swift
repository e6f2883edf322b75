import Foundation
import ReelWatch
import Testing

/// The variants real servers send beyond the documents' examples; one test each.
@Suite("Decoding variants")
struct DecodingVariantTests {
    @Test("code as a number or a string")
    func codeNumberOrString() throws {
        for code in ["100", "\"100\""] {
            let snapshot = try Fixture.decode(
                #"{"code": \#(code), "message": "Success", "data": {"id": "v1", "status": "processing"}}"#,
                ref: "heygen-v1:v1"
            )
            #expect(snapshot.state == .processing)
        }
        let error = try #require(throws: ReelWatchError.self) {
            try Fixture.decode(#"{"code": "40001", "message": "Video not found", "data": null}"#, ref: "heygen-v1:v1")
        }
        #expect(error.code == .jobNotFound)
    }

    @Test("error as null, a string or an object")
    func errorShapes() throws {
        let null = try Fixture.decode(
            #"{"error": null, "data": {"id": "v", "status": "failed", "error": null}}"#, ref: "heygen:v")
        #expect(null.state == .failed)
        #expect(null.failure == nil)
        let string = try Fixture.decode(
            #"{"data": {"id": "v", "status": "failed", "error": "Avatar not found"}}"#, ref: "heygen:v")
        #expect(string.failure == JobFailure(code: nil, message: "Avatar not found"))
        let object = try Fixture.decode(
            #"{"data": {"id": "v", "status": "failed", "error": {"code": 400140, "message": "Voice missing", "detail": "voice_id x"}}}"#,
            ref: "heygen:v"
        )
        #expect(object.failure == JobFailure(code: "400140", message: "Voice missing", detail: "voice_id x"))
        let topLevel = try Fixture.decode(
            #"{"error": "quota exceeded", "data": {"id": "v", "status": "failed"}}"#, ref: "heygen:v")
        #expect(topLevel.failure == JobFailure(code: nil, message: "quota exceeded"))
    }

    @Test("data.id or data.video_id, and a different job is refused")
    func identity() throws {
        #expect(try Fixture.decode(#"{"data": {"id": "a", "status": "pending"}}"#, ref: "heygen:a").id == "a")
        #expect(try Fixture.decode(#"{"data": {"video_id": "a", "status": "pending"}}"#, ref: "heygen:a").id == "a")
        #expect(try Fixture.decode(#"{"data": {"status": "pending"}}"#, ref: "heygen:a").id == "a")
        let error = try #require(throws: ReelWatchError.self) {
            try Fixture.decode(#"{"data": {"id": "b", "status": "pending"}}"#, ref: "heygen:a")
        }
        #expect(error.code == .invalidResponse)
    }

    @Test("numbers sent as strings")
    func numbersAsStrings() throws {
        let snapshot = try Fixture.decode(
            #"{"data": {"id": "v", "status": "completed", "duration": "6.42612", "created_at": "1759307076", "completed_at": "2025-10-01T08:32:36Z", "video_url": "https://x.test/v.mp4?Expires=1759918068"}}"#,
            ref: "heygen:v"
        )
        #expect(snapshot.durationSeconds == 6.42612)
        #expect(snapshot.createdAt == Fixture.date(1_759_307_076))
        #expect(snapshot.completedAt == Fixture.date(1_759_307_556))
        #expect(snapshot.assets[0].expiresAt == Fixture.date(1_759_918_068))
    }

    @Test("unknown fields are ignored")
    func unknownFields() throws {
        let snapshot = try Fixture.decode(
            #"{"data": {"id": "v", "status": "completed", "brand_new": {"deep": [1, 2]}, "video_url": "https://x.test/v.mp4"}, "meta": {"trace": "t"}}"#,
            ref: "heygen:v"
        )
        #expect(snapshot.state == .succeeded)
        #expect(snapshot.assets.count == 1)
    }

    @Test("null everywhere")
    func nullEverywhere() throws {
        let v3 = try Fixture.decode(
            #"{"data": {"id": null, "status": "processing", "title": null, "duration": null, "created_at": null, "video_url": null, "failure_code": null, "output_language": null}}"#,
            ref: "heygen:v"
        )
        #expect(
            v3 == JobSnapshot(ref: v3.ref, state: .processing, providerStatus: ProviderStatus(rawValue: "processing")))
        let hera = try Fixture.decode(
            #"{"video_id": null, "project_url": null, "status": "in-progress", "outputs": null}"#,
            ref: "hera:h"
        )
        #expect(hera.assets.isEmpty)
        let heraOutput = try Fixture.decode(
            #"{"status": "success", "outputs": [{"status": null, "file_url": null, "config": null, "error": null}]}"#,
            ref: "hera:h"
        )
        #expect(heraOutput.assets == [Asset(kind: .video, url: nil)])
    }

    @Test("a status never seen before is unknown, kept verbatim, not an error")
    func unknownStatus() throws {
        let snapshot = try Fixture.decode(#"{"data": {"id": "v", "status": "thinking_hard"}}"#, ref: "heygen:v")
        #expect(snapshot.state == .unknown)
        #expect(snapshot.providerStatus?.rawValue == "thinking_hard")
        #expect(!snapshot.state.isTerminal)
        let queued = try Fixture.decode(#"{"data": {"id": "v", "status": "queued"}}"#, ref: "heygen:v")
        #expect(queued.state == .queued)
        let completed = try Fixture.decode(
            #"{"error": null, "data": {"status": "completed"}}"#, ref: "heygen-translate:t")
        #expect(completed.state == .succeeded)
    }

    @Test("a top-level error object on a 200 is the error it names")
    func errorObjectOn200() throws {
        let notFound = try #require(throws: ReelWatchError.self) {
            try Fixture.decode(#"{"error": {"code": "not_found", "message": "Video not found"}}"#, ref: "heygen:v")
        }
        #expect(notFound.code == .jobNotFound)
        let auth = try #require(throws: ReelWatchError.self) {
            try Fixture.decode(
                #"{"error": {"code": "unauthorized", "message": "Invalid API key"}}"#, ref: "heygen-translate:v")
        }
        #expect(auth.code == .authenticationFailed)
        #expect(auth.provider == .heygen)
        let other = try #require(throws: ReelWatchError.self) {
            try Fixture.decode(
                #"{"error": {"code": "internal_error", "message": "Something went wrong"}}"#, ref: "heygen:v")
        }
        #expect(other.code == .invalidResponse)
        #expect(other.message.contains("internal_error: Something went wrong"))
        #expect(other.httpStatus == 200)
    }

    @Test("a body without a status, or not an object, is invalid")
    func missingStatus() throws {
        for (json, ref) in [
            (#"{"data": {"id": "v"}}"#, "heygen:v"), (#"[1, 2]"#, "heygen:v"), (#"{"data": "x"}"#, "heygen:v"),
            (#"{"video_id": "h"}"#, "hera:h"), (#""text""#, "hera:h"),
        ] {
            let error = try #require(throws: ReelWatchError.self) { try Fixture.decode(json, ref: ref) }
            #expect(error.code == .invalidResponse, "\(json)")
        }
    }

    @Test("hera: outputs that succeed and fail separately keep their own state and error")
    func heraOutputsSeparately() throws {
        let snapshot = try Fixture.decode(
            #"{"video_id": "h", "status": "success", "outputs": [{"status": "failed", "config": {"format": "gif", "aspect_ratio": "1:1", "fps": 24, "resolution": "480p"}, "error": {"message": "GIF too large"}}, {"status": "success", "file_url": "https://cdn.test/h.webm", "config": {"format": "webm", "aspect_ratio": "9:16", "fps": "60", "resolution": "720p"}}]}"#,
            ref: "hera:h"
        )
        #expect(snapshot.state == .succeeded)
        #expect(snapshot.assets.map(\.kind) == [.gif, .video])
        #expect(snapshot.assets.map(\.state) == [.failed, .succeeded])
        #expect(snapshot.assets[0].error == "GIF too large")
        #expect(snapshot.assets[0].fps == "24")
        #expect(snapshot.assets[1].format == "webm")
    }

    @Test("JSON Booleans, numbers and strings are told apart")
    func jsonValueKinds() throws {
        #expect(try JSONValue.parse(Array("true".utf8)) == .bool(true))
        #expect(try JSONValue.parse(Array("1".utf8)) == .number(1))
        #expect(try JSONValue.parse(Array("\"1\"".utf8)) == .string("1"))
        #expect(JSONValue.number(40119).text == "40119")
        #expect(JSONValue.number(6.5).text == "6.5")
        #expect(JSONValue.string("  ").text == nil)
        #expect(JSONValue.number(1_759_307_076_000).date == Fixture.date(1_759_307_076))
    }
}
