import Foundation
import ReelWatch

/// How the simulator plays one provider API: its status route, its status words, the bodies and files it answers
/// with, and the bulk and list routes it has. One file per API, listed once in ``SimulatedAPIs/all``.
///
/// Every simulated API is one: nothing outside `APIs/` asks which API a job belongs to. What differs between APIs
/// is a requirement here, with a default for HeyGen v3's shape where most APIs share it.
protocol SimulatedAPI: Sendable {
    /// The API played.
    var api: ProviderAPI { get }

    /// The status route, in the router's form under the simulator's root: `/heygen/v3/lipsyncs/:id`.
    var statusRoute: String { get }

    /// The query parameter the status route takes the job's ID from (v1's `video_id`), nil when the route's `:id`
    /// says it.
    var statusIDParameter: String? { get }

    /// The provider's status word for a job in `phase` that ends in `outcome`.
    func statusWord(phase: SimulatedPhase, outcome: SimulatedJob.Outcome) -> String

    /// The status answer's body for the job `status` describes.
    func body(_ status: SimulatedStatus) -> JSONValue

    /// The files a job offers (all of them, whether or not they can be fetched yet).
    func files(for job: SimulatedJob) -> [StatusBodies.File]

    /// Whether `file` of `job` can be fetched in `phase` (by default: once the job succeeded).
    func canFetch(_ file: StatusBodies.File, of job: SimulatedJob, in phase: SimulatedPhase) -> Bool

    /// Whether `file` of `job` can be fetched `elapsed` after the job was added, in `phase` (by default as
    /// ``canFetch(_:of:in:)`` says: an API whose outputs finish one by one decides by the time).
    func canFetch(
        _ file: StatusBodies.File, of job: SimulatedJob, in phase: SimulatedPhase, after elapsed: Duration
    ) -> Bool

    /// How the API's file links are signed (CloudFront by default).
    var linkSigning: SimulatedLinkSigning { get }

    /// The answer to a request without the right API key.
    var unauthorized: SimulatorResponse { get }

    /// The answer for a job the API does not know.
    var notFound: SimulatorResponse { get }

    /// The failure the provider's documents show for this API.
    var documentedFailure: SimulatedJob.Outcome { get }

    /// The bulk status route and its ID parameter (`/v3/lipsyncs/statuses`, `lipsync_ids`), nil without one.
    var bulkRoute: (path: String, idParameter: String)? { get }

    /// The bulk route's word for `job` in `phase`, `elapsed` after it was added (by default the status route's).
    func bulkStatusWord(for job: SimulatedJob, phase: SimulatedPhase, elapsed: Duration) -> String

    /// The account listing's path (`/v3/lipsyncs`), nil without one.
    var listPath: String? { get }

    /// Whether the listing holds `job` when asked for `folderID` and `title` (by default it filters on neither).
    func listIncludes(_ job: SimulatedJob, folderID: String?, title: String?) -> Bool

    /// Fills in the listing's own fields of `job` that its status answer's `fields` lack (beside `id` and
    /// `created_at`, which every listing has); by default none.
    func completeListEntry(_ fields: inout [String: JSONValue], of job: SimulatedJob)

    /// Whether renders of this API announce themselves through webhooks.
    var sendsWebhooks: Bool { get }

    /// The word for a job waiting for a person (a Video Agent's `waiting_for_input`), said while the job is in its
    /// ``SimulatedJob/needsInputDuring``; nil for an API without one.
    var needsInputWord: String? { get }

    /// The kind of webhook event that announces a render's end (`proofread_creation` for `proofread_creation.success`
    /// and `.fail`) and the `event_data` key naming the job; nil for HeyGen's video events (`avatar_video.*`).
    var webhookEvent: (kind: String, idKey: String)? { get }

    /// The `event_data` key of a failure event's reason: `msg` by default (HeyGen's video events).
    var webhookFailureKey: String { get }

    /// Further `event_data` every event of the API carries (a translation's `output_language`); none by default.
    var webhookExtraData: [String: JSONValue] { get }

    /// Further routes of the API, each answered from the job it names (a proofread's `/srt`).
    var extraRoutes: [SimulatedRoute] { get }
}

extension SimulatedAPI {
    /// By default a file can be fetched once its job succeeded.
    func canFetch(_ file: StatusBodies.File, of job: SimulatedJob, in phase: SimulatedPhase) -> Bool {
        phase == .done && job.outcome == .success
    }

    /// By default the time makes no difference.
    func canFetch(
        _ file: StatusBodies.File, of job: SimulatedJob, in phase: SimulatedPhase, after elapsed: Duration
    ) -> Bool {
        canFetch(file, of: job, in: phase)
    }

    /// HeyGen v3's answer to a wrong key.
    var unauthorized: SimulatorResponse { StatusBodies.heygenUnauthorized }

    /// By default the route's `:id` names the job.
    var statusIDParameter: String? { nil }

    /// By default HeyGen's CloudFront signing.
    var linkSigning: SimulatedLinkSigning { .cloudFront }

    /// By default no bulk route.
    var bulkRoute: (path: String, idParameter: String)? { nil }

    /// By default the status route's word.
    func bulkStatusWord(for job: SimulatedJob, phase: SimulatedPhase, elapsed: Duration) -> String {
        statusWord(for: job, phase: phase, elapsed: elapsed)
    }

    /// By default no listing.
    var listPath: String? { nil }

    /// By default no filters.
    func listIncludes(_ job: SimulatedJob, folderID: String?, title: String?) -> Bool { true }

    /// By default nothing to add.
    func completeListEntry(_ fields: inout [String: JSONValue], of job: SimulatedJob) {}

    /// By default no webhooks (HeyGen's per-render `callback_url` APIs say otherwise).
    var sendsWebhooks: Bool { false }

    /// By default no job waits for a person.
    var needsInputWord: String? { nil }

    /// The status word for `job` in `phase`, `elapsed` after it was added: ``needsInputWord`` while it has not
    /// ended and `elapsed` is in its ``SimulatedJob/needsInputDuring``, else the API's word for the phase.
    func statusWord(for job: SimulatedJob, phase: SimulatedPhase, elapsed: Duration) -> String {
        if phase != .done, let word = needsInputWord, job.needsInputDuring?.contains(elapsed) == true { return word }
        return statusWord(phase: phase, outcome: job.outcome)
    }

    /// By default HeyGen's video events.
    var webhookEvent: (kind: String, idKey: String)? { nil }

    /// By default `msg`, as HeyGen's video events say it.
    var webhookFailureKey: String { "msg" }

    /// By default none.
    var webhookExtraData: [String: JSONValue] { [:] }

    /// By default none.
    var extraRoutes: [SimulatedRoute] { [] }
}

/// A route of a simulated API besides its status route, answered from the job it names.
struct SimulatedRoute: Sendable {
    /// The route in the router's form under the simulator's root, with `:id` for the job's ID:
    /// `/heygen/v3/video-translations/proofreads/:id/srt`.
    var route: String
    /// The answer for the job in the state `status` describes.
    var answer: @Sendable (SimulatedStatus) -> SimulatorResponse

    /// The path a request for job `id` has, as the request log keeps it (without the provider's root):
    /// `/v3/video-translations/proofreads/ID/srt`.
    func path(id: String) -> String {
        let path = route.replacingOccurrences(of: ":id", with: BaseURL.encode(id))
        return path.hasPrefix("/heygen/") ? String(path.dropFirst("/heygen".count)) : path
    }
}

/// Every API the simulator plays through a ``SimulatedAPI``: one line each.
enum SimulatedAPIs {
    /// The simulated APIs.
    static let all: [any SimulatedAPI] = [
        SimulatedHeyGenV3(),
        SimulatedHeyGenV1(),
        SimulatedTranslation(),
        SimulatedTranslationV2(),
        SimulatedHera(),
        SimulatedLipsync(),
        SimulatedAgent(),
        SimulatedClip(),
        SimulatedBackgroundRemoval(),
        SimulatedProofread(),
        SimulatedBatch(api: .batch, collection: "videos"),
        SimulatedBatch(api: .lipsyncBatch, collection: "lipsyncs"),
        SimulatedBatch(api: .translateBatch, collection: "video-translations"),
    ]

    /// The simulated API of `api`, if it is played through one.
    static func of(_ api: ProviderAPI) -> (any SimulatedAPI)? {
        all.first { $0.api == api }
    }
}

/// One status answer in the making: the job, where it is, and its links.
struct SimulatedStatus: Sendable {
    /// The job answered about.
    var job: SimulatedJob
    /// Where it is in its life.
    var phase: SimulatedPhase
    /// The status word to send (the API's word for `phase`, or an injected one).
    var word: String
    /// Its times.
    var times: StatusBodies.Times
    /// The base URL file links start with.
    var fileBase: String
    /// The request's query parameters (a batch's `limit` and `token`).
    var query: [String: String] = [:]

    /// Whether the job is over.
    var done: Bool { phase == .done }

    /// Whether the job is over and succeeded.
    var succeeded: Bool { done && job.outcome == .success }

    /// The job's failure once it is over and failed.
    var failure: (code: String, message: String, detail: String?)? {
        if done, case .failure(let code, let message, let detail) = job.outcome { (code, message, detail) } else { nil }
    }

    /// When the job was created, in Unix seconds.
    var createdAt: JSONValue { .number(times.created.timeIntervalSince1970.rounded(.down)) }

    /// When the job completed, in Unix seconds, once it succeeded.
    var completedAt: JSONValue { succeeded ? .number(times.completed.timeIntervalSince1970.rounded(.down)) : nil }

    /// A signed link to `file`.
    func link(to file: StatusBodies.File) -> JSONValue {
        .string(StatusBodies.url(of: file, job: job, base: fileBase, times: times))
    }

    /// A link to the job's first file of `kind` once the job succeeded, else null.
    func link(_ kind: AssetKind, files: [StatusBodies.File]) -> JSONValue {
        guard succeeded, let file = files.first(where: { $0.kind == kind }) else { return nil }
        return link(to: file)
    }
}
