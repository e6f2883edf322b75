import Foundation
import ReelWatch

/// The simulator's answers, shaped exactly as the providers' documents show them.
enum StatusBodies {
    /// Wall-clock times of a job.
    struct Times {
        var created: Date
        var completed: Date
        var now: Date
        /// How long links stay valid from now, in seconds; negative for links that have expired.
        var linkLifetime: Double
    }

    /// A file a finished job offers.
    struct File {
        var name: String
        var kind: AssetKind
        var contentType: String
        var size: Int
        /// For Hera: the output it belongs to.
        var output: Int?
    }

    /// The answer to a status request for `job` in `phase`.
    static func body(
        for job: SimulatedJob,
        phase: SimulatedPhase,
        statusOverride: String?,
        times: Times,
        fileBase: String,
        query: [String: String] = [:]
    ) -> JSONValue {
        guard let simulated = SimulatedAPIs.of(job.ref.api) else { return nil }
        let elapsed = Duration.milliseconds(
            CheckedConversion.int64((times.now.timeIntervalSince(times.created) * 1000).rounded()) ?? 0)
        let word = statusOverride ?? simulated.statusWord(for: job, phase: phase, elapsed: elapsed)
        return simulated.body(
            SimulatedStatus(job: job, phase: phase, word: word, times: times, fileBase: fileBase, query: query))
    }

    /// The provider's word for `phase`.
    static func statusWord(api: ProviderAPI, phase: SimulatedPhase, outcome: SimulatedJob.Outcome) -> String {
        SimulatedAPIs.of(api)?.statusWord(phase: phase, outcome: outcome) ?? "processing"
    }

    /// The files a finished `job` offers.
    static func files(for job: SimulatedJob) -> [File] {
        guard job.bareLinks else { return namedFiles(for: job) }
        return namedFiles(for: job).map { file in
            var bare = file
            bare.name = String(file.name.prefix { $0 != "." })
            return bare
        }
    }

    /// The files a finished `job` offers, under names with extensions.
    private static func namedFiles(for job: SimulatedJob) -> [File] {
        SimulatedAPIs.of(job.ref.api)?.files(for: job) ?? []
    }

    /// A link to `file`, signed the way the job's API signs (``SimulatedAPI/linkSigning``).
    static func url(of file: File, job: SimulatedJob, base: String, times: Times) -> String {
        let path = "\(base)/files/\(job.ref.api.rawValue)/\(BaseURL.encode(job.ref.id))/\(file.name)"
        let signing = SimulatedAPIs.of(job.ref.api)?.linkSigning ?? .cloudFront
        return signing.url(path: path, file: file, times: times)
    }

    /// The language every simulated translation is into.
    static let outputLanguage = "Urdu (Pakistan)"

    /// How long a fresh file link stays valid, in seconds: a week.
    static let linkLifetime = 7 * 24 * 3600.0

    /// What HeyGen now says on its v2 translation route.
    static let legacyMessage = "This v2 endpoint is Legacy and will be removed"

    /// The answer for a request without the right API key.
    static func unauthorized(api: ProviderAPI) -> SimulatorResponse {
        SimulatedAPIs.of(api)?.unauthorized ?? heygenUnauthorized
    }

    /// HeyGen v3's answer to a wrong key, which its bulk, list, event and endpoint routes give too.
    static let heygenUnauthorized = SimulatorResponse.json(
        ["error": ["code": "unauthorized", "message": "Invalid API key"]], status: 401)

    /// The answer for a job the provider does not know.
    static func notFound(api: ProviderAPI) -> SimulatorResponse {
        SimulatedAPIs.of(api)?.notFound
            ?? .json(["error": ["code": "not_found", "message": "Not found"]], status: 404)
    }
}
