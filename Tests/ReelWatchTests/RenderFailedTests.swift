import Testing

@testable import ReelWatch

/// The one text for a failed render, whichever part of reelwatch reports it.
@Suite("Render failed")
struct RenderFailedTests {
    static let ref = JobRef(api: .v1, id: "f")

    @Test("the failure's summary, or 'no reason given' when the provider gave none or no snapshot came")
    func message() throws {
        let failure = JobFailure(code: "40119", message: "Video is too long")
        let failed = JobSnapshot(ref: Self.ref, state: .failed, failure: failure)
        #expect(
            ReelWatchError.renderFailed(failed, ref: Self.ref).message == "render failed: Video is too long (40119)")
        let silent = JobSnapshot(ref: Self.ref, state: .failed)
        #expect(ReelWatchError.renderFailed(silent, ref: Self.ref).message == "render failed: no reason given")
        let none = ReelWatchError.renderFailed(nil, ref: Self.ref)
        #expect(none.description == "heygen-v1:f: render failed: no reason given")
        #expect(none.code == .renderFailed)
        let codeOnly = try #require(JobFailure(code: "E1", message: nil))
        #expect(codeOnly.summary == "no reason given (E1)")
    }

    @Test("a wait that ended in failure says the same")
    func waitError() {
        let snapshot = JobSnapshot(ref: Self.ref, state: .failed, failure: JobFailure(code: nil, message: "boom"))
        let error = WaitError(ref: Self.ref, reason: .failed, lastSnapshot: snapshot, polls: 3)
        #expect(error.description == "heygen-v1:f: render failed: boom")
    }
}
