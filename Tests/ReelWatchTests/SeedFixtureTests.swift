import Foundation
import ReelWatch
import Testing

/// Every example response in the provider documents (`shared/seeds`) decodes to the right snapshot.
@Suite("Seed examples")
struct SeedFixtureTests {
    static let v1ID = "fcbba36d9d0b45c08135da6840a1c739"

    @Test("v1 reference: completed")
    func v1Completed() throws {
        let snapshot = try Fixture.snapshot("seed-v1-completed.json", ref: "heygen-v1:\(Self.v1ID)")
        #expect(snapshot.state == .succeeded)
        #expect(snapshot.providerStatus?.rawValue == "completed")
        #expect(snapshot.provider == .heygen)
        #expect(snapshot.api == .v1)
        #expect(snapshot.callbackID == "ava124")
        #expect(snapshot.durationSeconds == 6.42612)
        #expect(snapshot.createdAt == Fixture.date(1_759_307_076))
        #expect(snapshot.failure == nil)
        #expect(snapshot.assets.map(\.kind) == [.video, .captionedVideo, .thumbnail, .gif, .captions])
        let video = try #require(snapshot.assets.first { $0.kind == .video })
        #expect(
            video.url?.hasPrefix("https://files2.heygen.ai/aws_pacific/avatar_tmp/05rutfd83a8541f0b8d23a14c8a4ce72/")
                == true)
        #expect(video.expiresAt == Fixture.date(1_752_218_068))
        #expect(video.format == "mp4")
        #expect(video.state == .succeeded)
        let thumbnail = try #require(snapshot.assets.first { $0.kind == .thumbnail })
        #expect(thumbnail.expiresAt == Fixture.date(1_759_918_068))
        #expect(thumbnail.format == "jpeg")
        let captions = try #require(snapshot.assets.first { $0.kind == .captions })
        #expect(captions.format == "ass")
        #expect(captions.expiresAt == nil)
        #expect(snapshot.assets.first { $0.kind == .gif }?.format == "gif")
    }

    @Test(
        "v1 reference: still running",
        arguments: [
            ("seed-v1-processing.json", "processing", JobState.processing),
            ("seed-v1-waiting.json", "waiting", .queued),
            ("seed-v1-pending.json", "pending", .queued),
        ]
    )
    func v1Running(file: String, status: String, state: JobState) throws {
        let snapshot = try Fixture.snapshot(file, ref: "heygen-v1:\(Self.v1ID)")
        #expect(snapshot.state == state)
        #expect(snapshot.providerStatus?.rawValue == status)
        #expect(snapshot.assets.isEmpty)
        #expect(snapshot.failure == nil)
        #expect(snapshot.durationSeconds == nil)
        #expect(snapshot.callbackID == nil)
    }

    @Test("v1 reference: failed with an error object")
    func v1Failed() throws {
        let snapshot = try Fixture.snapshot("seed-v1-failed.json", ref: "heygen-v1:2dbba36d9i0b45c08135d26840a1c739")
        #expect(snapshot.state == .failed)
        #expect(
            snapshot.failure
                == JobFailure(
                    code: "40119",
                    message: "Video is too long",
                    detail: "Video is too long (> 3600.0s). Please upgrade your plan to generate longer videos"
                )
        )
        #expect(snapshot.assets.isEmpty)
    }

    @Test("v1 older guide: data.video_id, error null at the top")
    func v1LegacyCompleted() throws {
        let snapshot = try Fixture.snapshot("seed-v1-legacy-completed.json", ref: "heygen-v1:abc123")
        #expect(snapshot.state == .succeeded)
        #expect(snapshot.durationSeconds == 45.2)
        #expect(snapshot.assets.map(\.kind) == [.video, .thumbnail])
        #expect(snapshot.assets[0].url == "https://files.heygen.ai/video/abc123.mp4")
        #expect(snapshot.assets[0].expiresAt == nil)
    }

    @Test("v1 older guide: error as a string")
    func v1LegacyFailed() throws {
        let snapshot = try Fixture.snapshot("seed-v1-legacy-failed.json", ref: "heygen-v1:abc123")
        #expect(snapshot.state == .failed)
        #expect(snapshot.failure == JobFailure(code: nil, message: "Script too long for selected avatar"))
    }

    @Test("v3: completed with every field")
    func v3Completed() throws {
        let snapshot = try Fixture.snapshot("seed-v3-completed.json", ref: "heygen:abc123")
        #expect(snapshot.state == .succeeded)
        #expect(snapshot.api == .v3)
        #expect(snapshot.title == "My Video")
        #expect(snapshot.durationSeconds == 45.2)
        #expect(snapshot.createdAt == Fixture.date(1_705_311_000))
        #expect(snapshot.completedAt == Fixture.date(1_705_311_480))
        #expect(snapshot.outputLanguage == "en")
        #expect(snapshot.pageURL == "https://app.heygen.com/videos/abc123")
        #expect(snapshot.assets.map(\.kind) == [.video, .thumbnail, .gif])
        #expect(
            snapshot.assets.map(\.url) == [
                "https://files.heygen.ai/video/abc123.mp4", "https://files.heygen.ai/thumbnail/abc123.jpg",
                "https://files.heygen.ai/gif/abc123.gif",
            ])
    }

    @Test("v3: failed with failure_code and failure_message")
    func v3Failed() throws {
        let snapshot = try Fixture.snapshot("seed-v3-failed.json", ref: "heygen:abc123")
        #expect(snapshot.state == .failed)
        #expect(snapshot.failure == JobFailure(code: "script_too_long", message: "Script too long for selected avatar"))
    }

    @Test("v3: an error response is a not-found error, not a snapshot")
    func v3Error() throws {
        let error = try #require(throws: ReelWatchError.self) {
            try Fixture.snapshot("seed-v3-error.json", ref: "heygen:abc123")
        }
        #expect(error.code == .jobNotFound)
        #expect(error.message.contains("Video not found"))
    }

    static let translateID = "7544c0b52ada44fda693a15b1181b5b4-ur_ur-PK"

    @Test("translate v2: success")
    func translateSuccess() throws {
        let snapshot = try Fixture.snapshot(
            "seed-translate-success.json", ref: "heygen-translate-v2:\(Self.translateID)")
        #expect(snapshot.state == .succeeded)
        #expect(snapshot.api == .translateV2)
        #expect(snapshot.title == "My Translated Video")
        #expect(snapshot.outputLanguage == "Urdu (Pakistan)")
        #expect(snapshot.assets.count == 1)
        #expect(snapshot.assets[0].kind == .video)
        #expect(snapshot.assets[0].format == "mp4")
        #expect(snapshot.assets[0].expiresAt == nil)
    }

    @Test(
        "translate v2: still running",
        arguments: [("seed-translate-running.json", JobState.processing), ("seed-translate-pending.json", .queued)]
    )
    func translateRunning(file: String, state: JobState) throws {
        let snapshot = try Fixture.snapshot(file, ref: "heygen-translate-v2:\(Self.translateID)")
        #expect(snapshot.state == state)
        #expect(snapshot.assets.isEmpty)
    }

    @Test("translate v2: failed, reason in data.message")
    func translateFailed() throws {
        let snapshot = try Fixture.snapshot(
            "seed-translate-failed.json", ref: "heygen-translate-v2:\(Self.translateID)")
        #expect(snapshot.state == .failed)
        #expect(snapshot.failure == JobFailure(code: nil, message: "<message>"))
    }

    @Test("translate v2: the reference's failed example, missing comma and all, is reported as malformed JSON")
    func translateFailedVerbatim() async throws {
        // The document's own example lacks a comma after "message"; a server sending that sends invalid
        // JSON, which must be a clear error (exit 6), never a guessed snapshot.
        #expect(throws: (any Error).self) {
            try JSONValue.parse(try Fixture.bytes("seed-translate-failed-verbatim.txt"))
        }
    }

    @Test("hera: in progress")
    func heraInProgress() throws {
        let snapshot = try Fixture.snapshot("seed-hera-in-progress.json", ref: "hera:vid_abcde12345")
        #expect(snapshot.state == .processing)
        #expect(snapshot.provider == .hera)
        #expect(snapshot.providerStatus?.rawValue == "in-progress")
        #expect(snapshot.pageURL == "https://app.hera.video/projects/vid_abcde12345")
        #expect(snapshot.assets.count == 1)
        #expect(snapshot.assets[0].state == .processing)
        #expect(snapshot.assets[0].url == nil)
    }

    @Test("hera: success with two outputs, S3-signed link expiry")
    func heraSuccess() throws {
        let snapshot = try Fixture.snapshot("seed-hera-success.json", ref: "hera:vid_abcde12345")
        #expect(snapshot.state == .succeeded)
        #expect(snapshot.assets.map(\.kind) == [.video, .gif])
        let video = snapshot.assets[0]
        #expect(video.format == "mp4")
        #expect(video.aspectRatio == "16:9")
        #expect(video.fps == "30")
        #expect(video.resolution == "1080p")
        #expect(video.state == .succeeded)
        // X-Amz-Date 2025-10-01T08:24:36Z + 604800 s
        #expect(video.expiresAt == Fixture.date(1_759_307_076 + 604_800))
        #expect(snapshot.assets[1].expiresAt == nil)
    }

    @Test("hera: failed, reason from the failed output")
    func heraFailed() throws {
        let snapshot = try Fixture.snapshot("seed-hera-failed.json", ref: "hera:vid_abcde12345")
        #expect(snapshot.state == .failed)
        #expect(snapshot.assets[0].state == .failed)
        #expect(snapshot.assets[0].error == "Render timed out")
        #expect(snapshot.failure?.message == "1 of 1 outputs failed")
        #expect(snapshot.failure?.detail == "webm 9:16 4k: Render timed out")
    }

    @Test("hera: outputs succeed and fail separately")
    func heraPartial() throws {
        let snapshot = try Fixture.snapshot("seed-hera-partial.json", ref: "hera:vid_abcde12345")
        #expect(snapshot.state == .succeeded)
        #expect(snapshot.failure == nil)
        #expect(snapshot.assets.map(\.state) == [.succeeded, .failed])
        #expect(snapshot.assets[1].error == "ProRes export failed")
        #expect(snapshot.assets[1].url == nil)
        #expect(snapshot.assets[1].format == "prores")
    }

    @Test("hera: the 404 body is a not-found error")
    func hera404Body() throws {
        let error = try #require(throws: ReelWatchError.self) {
            try Fixture.snapshot("seed-hera-404.json", ref: "hera:vid_abcde12345", httpStatus: 200)
        }
        #expect(error.code == .jobNotFound)
    }
}
