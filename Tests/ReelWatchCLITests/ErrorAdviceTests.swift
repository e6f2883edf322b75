import ReelWatch
import Testing

@testable import reelwatch

/// The advice the CLI adds to library errors, which say only what went wrong.
@Suite("Error advice")
struct ErrorAdviceTests {
    static let ref = JobRef(api: .translate, id: "slow")

    @Test("a render not ready yet: wait for it with --download into the directory asked for")
    func notReady() {
        let error = ReelWatchError(code: .notReady, message: "still processing, nothing to download yet", ref: Self.ref)
        #expect(
            ErrorAdvice.hint(for: error, downloadDirectory: "out")
                == "use: reelwatch wait heygen-translate:slow --download out")
        #expect(ErrorAdvice.hint(for: error) == nil)
    }

    @Test("a store that cannot be used, or is busy: REELWATCH_HOME names another")
    func store() {
        let unavailable = ReelWatchError(code: .storeUnavailable, message: "the job store x: the disk is full")
        #expect(ErrorAdvice.hint(for: unavailable) == "set REELWATCH_HOME to use another store")
        let busy = ReelWatchError(code: .storeBusy, message: "another process is working the jobs in x")
        #expect(
            ErrorAdvice.hint(for: busy)
                == "one worker per store: stop it first, or set REELWATCH_HOME to use another store")
    }

    @Test("the library's own hint is kept; a not-found that was JSON gets none")
    func libraryHint() {
        var own = ReelWatchError(code: .authenticationFailed, message: "rejected", ref: Self.ref)
        own.hint = "the library's"
        #expect(ErrorAdvice.hint(for: own, downloadDirectory: "out") == "the library's")
        let notFound = ReelWatchError(code: .jobNotFound, message: "no such job", ref: Self.ref)
        #expect(ErrorAdvice.hint(for: notFound, downloadDirectory: "out") == nil)
    }

    @Test("a missing or rejected key, a 404 that was not JSON: the environment variable to look at")
    func keysAndBaseURL() {
        let missing = ReelWatchError.missingKey(ref: JobRef(api: .hera, id: "h"))
        #expect(missing.hint == nil)
        #expect(ErrorAdvice.hint(for: missing) == "export HERA_API_KEY=<your key>")
        let rejected = ReelWatchError.rejectedKey(ref: Self.ref, httpStatus: 401)
        #expect(rejected.hint == nil)
        #expect(ErrorAdvice.hint(for: rejected) == "check HEYGEN_API_KEY")
        let notJSON = ReelWatchError(
            code: .jobNotFound, message: "HeyGen has no job 'x' (HTTP 404)" + StatusClient.notJSON, ref: Self.ref)
        #expect(ErrorAdvice.hint(for: notJSON) == "check REELWATCH_HEYGEN_URL")
        #expect(ErrorAdvice.hint(for: ReelWatchError(code: .missingAPIKey, message: "no key")) == nil)
    }

    @Test("the printed line carries the advice, as text and in the --json envelope")
    func line() {
        let error = ReelWatchError(code: .notReady, message: "still processing, nothing to download yet", ref: Self.ref)
        let hint = ErrorAdvice.hint(for: error, downloadDirectory: "out")
        #expect(
            JobReport.line(for: error, hint: hint, json: false)
                == "reelwatch: heygen-translate:slow: still processing, nothing to download yet "
                + "(use: reelwatch wait heygen-translate:slow --download out)")
        #expect(JobReport.line(for: error, hint: hint, json: true).contains(#""hint":"use: reelwatch wait"#))
    }
}
