import Foundation
import ReelWatch

/// A fake HeyGen and Hera: jobs that move through their statuses on a schedule, with fault injection.
///
/// The simulator's time runs at `timeScale` times real time (0 freezes it) plus whatever
/// ``advance(by:)`` adds, so tests can put a job in any state exactly and demos can render in seconds.
/// ``SimulatorServer`` serves it over HTTP.
public actor Simulator {
    /// The API key requests must carry in `x-api-key`.
    public nonisolated let apiKey: String
    /// How many simulated seconds pass per real second.
    public nonisolated let timeScale: Double

    struct Entry {
        var job: SimulatedJob
        var addedAt: Duration
        /// Which addition this is, so a job replaced before it ended sends no event for the old one.
        var serial: Int = 0

        /// When the render ends, in simulated time.
        var endsAt: Duration { addedAt + job.queueTime + job.renderTime }
    }

    private(set) var jobs: [JobRef: Entry] = [:]
    private var globalFaults: [FaultRule] = []
    private var jobFaults: [JobRef: [FaultRule]] = [:]
    /// Faults for requests to an API's further routes (``SimulatedRoute``), by the request's path.
    var routeFaults: [String: [FaultRule]] = [:]
    private let time: TimeSource
    let epoch: Date
    private var offset: Duration = .zero
    private var log: [SimulatorRequest] = []
    private var batchStatusRequests = 0
    private let keepsLog: Bool
    /// How many requests of each kind arrived so far.
    public internal(set) var counts = SimulatorCounts()
    private var fileFaults: [JobRef: [SimulatorFileFault?]] = [:]
    private var expiredLinkAnswers: [JobRef: Int] = [:]
    private var linkExpiries: [JobRef: SimulatedLinkExpiry] = [:]
    private var deprecations: [ProviderAPI: SimulatedDeprecation] = [:]
    private var retirement: SimulatedRetirement?
    private var bytesPlanned: [String: Int] = [:]
    /// The webhook endpoints registered through the endpoint API.
    var webhookRegistry = WebhookEndpointRegistry()
    private var nextSerial = 0
    /// The ends of jobs whose webhook event is not made yet, earliest first.
    var pendingEnds = EndTimeQueue()
    /// Every webhook event made, oldest first; an event's index is its ``SimulatedWebhookEvent/sequence``.
    public internal(set) var webhookEvents: [SimulatedWebhookEvent] = []
    /// How many of ``webhookEvents`` ``takeEndedEvents(fileBase:)`` has handed out.
    var takenEventCount = 0
    /// Events a reorder fault held back to the next round of deliveries.
    var heldBackEvents: [SimulatedWebhookEvent] = []
    /// Where webhooks go, besides any the dispatcher is given.
    public internal(set) var webhookDestinations: [WebhookDestination] = []
    /// The faults webhook deliveries meet.
    public internal(set) var webhookFaults = WebhookFaults()
    /// What happened to each event at each destination, in the order deliveries finished.
    public internal(set) var webhookDeliveries: [WebhookDeliveryRecord] = []
    /// Mixed into event IDs, so that two runs of the simulator never send the same one.
    let eventIDSeed: UInt64

    /// Creates an empty simulator.
    ///
    /// - Parameters:
    ///   - apiKey: the key requests must carry.
    ///   - timeScale: simulated seconds per real second; 0 freezes time.
    ///   - epoch: the wall-clock time of simulated time zero, for `created_at` and link expiry.
    ///   - keepsLog: whether every request is kept for ``requests`` (benchmarks with millions of requests keep
    ///     only ``counts``).
    ///   - clock: the real time that simulated time runs `timeScale` times faster than.
    ///   - eventIDSeed: mixed into webhook event IDs (`evt_…`), so that another run's IDs differ.
    public init(
        apiKey: String = "sim-key",
        timeScale: Double = 1,
        epoch: Date = Date(),
        keepsLog: Bool = true,
        clock: some Clock<Duration> = ContinuousClock(),
        eventIDSeed: UInt64 = .random(in: .min ... .max)
    ) {
        self.eventIDSeed = eventIDSeed
        self.time = TimeSource(clock)
        self.apiKey = apiKey
        self.keepsLog = keepsLog
        self.timeScale = timeScale
        self.epoch = Date(timeIntervalSince1970: epoch.timeIntervalSince1970.rounded(.down))
    }

    /// Simulated time since the simulator was created.
    public var now: Duration {
        time.now() * timeScale + offset
    }

    /// Adds (or replaces) a job, and a batch's members (``SimulatedJob/members``, those that come to exist); their
    /// clocks start now.
    public func add(_ job: SimulatedJob) {
        for member in job.members where member.createdInBatch { add(member) }
        nextSerial += 1
        let entry = Entry(job: job, addedAt: now, serial: nextSerial)
        jobs[job.ref] = entry
        if Self.sendsWebhooks(job.ref.api) {
            pendingEnds.insert(EndTimeQueue.Item(end: entry.endsAt, serial: entry.serial, ref: job.ref))
        }
    }

    /// Adds several jobs.
    public func add(_ jobs: [SimulatedJob]) {
        for job in jobs { add(job) }
    }

    /// Moves simulated time forward.
    public func advance(by duration: Duration) {
        offset += duration
    }

    /// Makes the next `times` status requests (every one when nil) for `ref`, or for any job when `ref` is nil,
    /// meet `fault`.
    public func inject(_ fault: SimulatorFault, times: Int? = nil, for ref: JobRef? = nil) {
        let rule = FaultRule(fault: fault, remaining: times)
        if let ref {
            jobFaults[ref, default: []].append(rule)
        } else {
            globalFaults.append(rule)
        }
    }

    /// Makes the next `times` file requests for `ref`'s files meet `fault` (one fault per request, in order).
    public func inject(_ fault: SimulatorFileFault, times: Int = 1, forFilesOf ref: JobRef) {
        fileFaults[ref, default: []].append(contentsOf: Array(repeating: fault, count: max(times, 0)))
    }

    /// Makes the next `times` status answers for `ref` carry links that have already expired, refused the way
    /// `refusal` says (S3's answer unless told otherwise).
    public func expireLinks(times: Int = 1, for ref: JobRef, refusal: SimulatedLinkExpiry = .s3) {
        expiredLinkAnswers[ref, default: 0] += times
        linkExpiries[ref] = refusal
    }

    /// Makes every answer about `api` (status, bulk status and list; successful or not) carry `deprecation`'s
    /// header, as a provider phasing an endpoint out does; nil stops it.
    public func announce(_ deprecation: SimulatedDeprecation?, for api: ProviderAPI) {
        deprecations[api] = deprecation
    }

    /// Makes HeyGen's legacy status routes (v1 videos, v2 translations) answer as `retirement` says, as they do
    /// since 2026-11-01; nil serves them again. Their jobs are served on the successor routes either way.
    public func retireLegacyRoutes(_ retirement: SimulatedRetirement?) {
        self.retirement = retirement
    }

    /// `answer` with the header announced for `api`, if any.
    func announcing(_ answer: SimulatorResponse, for api: ProviderAPI) -> SimulatorResponse {
        guard let deprecation = deprecations[api] else { return answer }
        var answer = answer
        answer.headers.append((deprecation.header, deprecation.value))
        return answer
    }

    /// The bytes the simulator set out to send for the file at `path` (such as `/files/v3/ID/video.mp4`), over
    /// every request.
    public func bytesServed(path: String) -> Int { bytesPlanned[path] ?? 0 }

    /// The total bytes set out to be sent for every file.
    public var totalBytesServed: Int { bytesPlanned.values.reduce(0, +) }

    /// Removes every injected fault.
    public func clearFaults() {
        globalFaults.removeAll()
        jobFaults.removeAll()
        routeFaults.removeAll()
        fileFaults.removeAll()
        expiredLinkAnswers.removeAll()
        linkExpiries.removeAll()
    }

    /// Every request received so far, oldest first.
    public var requests: [SimulatorRequest] { log }

    func keep(_ request: SimulatorRequest) {
        if keepsLog {
            var request = request
            request.at = now
            log.append(request)
        }
    }

    /// The number of bulk status requests (`GET /v3/videos/statuses`, `GET /v3/video-translations/statuses`)
    /// received.
    public var bulkRequestCount: Int { log.count { $0.path.map(Self.bulkPaths.values.contains) ?? false } }

    /// The bulk status path of each API that has one.
    static let bulkPaths: [ProviderAPI: String] = Dictionary(
        SimulatedAPIs.all.compactMap { api in api.bulkRoute.map { (api.api, $0.path) } },
        uniquingKeysWith: { first, _ in first })

    /// The number of status requests received for `ref`.
    public func statusRequestCount(for ref: JobRef) -> Int {
        log.count { $0.ref == ref }
    }

    /// The state `ref` is in now, or nil for a job the simulator does not know.
    public func state(of ref: JobRef) -> JobState? {
        guard let entry = jobs[ref] else { return nil }
        return phase(of: entry).state(for: entry.job)
    }

    // MARK: Answering

    /// Answers HeyGen's bulk status request for `ids` of `api`: each one's status word (the API's
    /// ``SimulatedAPI/bulkStatusWord(for:phase:elapsed:)``), `not_found` for IDs it does not know; no links.
    func bulkStatus(api: ProviderAPI, ids: [String], apiKey: String?, userAgent: String?) -> SimulatorResponse {
        let authorized = apiKey == self.apiKey
        keep(SimulatorRequest(ref: nil, path: Self.bulkPaths[api], userAgent: userAgent, authorized: authorized))
        counts.bulkRequests += 1
        counts.bulkIDs += ids.count
        guard authorized else { return StatusBodies.heygenUnauthorized }
        guard ids.count <= 100 else {
            return .json(["error": ["code": "invalid_parameter", "message": "at most 100 IDs"]], status: 400)
        }
        if let failure = takeGlobalTransientFault() { return failure }
        let items: [JSONValue] = ids.enumerated().map { index, id in
            let ref = JobRef(api: api, id: id)
            var word = "not_found"
            var error = JSONValue.null
            if let entry = jobs[ref], let simulated = SimulatedAPIs.of(api) {
                word = simulated.bulkStatusWord(for: entry.job, phase: phase(of: entry), elapsed: now - entry.addedAt)
                if case .failure(let code, let message, _) = entry.job.outcome, phase(of: entry) == .done {
                    error = ["code": .string(code), "message": .string(message)]
                }
            }
            return [
                "video_id": .string(id), "status": .string(word), "error": error, "batch_id": nil,
                "item_index": .number(Double(index)),
            ]
        }
        return .json(["data": .array(items), "has_more": false, "next_token": nil])
    }

    /// Answers HeyGen's bulk status request in its batch form (`statuses?batch_ids=`): every member of those batches
    /// that has an ID yet, in item order, with `batch_id` and `item_index`, 100 a page from `token` on.
    func batchBulkStatus(
        api: ProviderAPI, batchIDs: [String], token: String?, apiKey: String?, userAgent: String?
    ) -> SimulatorResponse {
        let authorized = apiKey == self.apiKey
        keep(SimulatorRequest(ref: nil, path: Self.bulkPaths[api], userAgent: userAgent, authorized: authorized))
        counts.bulkRequests += 1
        batchStatusRequests += 1
        guard authorized else { return StatusBodies.heygenUnauthorized }
        if let failure = takeGlobalTransientFault() { return failure }
        var items: [JSONValue] = []
        for batchID in batchIDs {
            guard let batch = jobs.values.first(where: { $0.job.ref.id == batchID && !$0.job.members.isEmpty })
            else { continue }
            let elapsed = now - batch.addedAt
            for (index, member) in batch.job.members.enumerated()
            where member.ref.api == api && member.createdInBatch && elapsed >= member.queueTime / 2 {
                guard let entry = jobs[member.ref], let simulated = SimulatedAPIs.of(api) else { continue }
                let phase = phase(of: entry)
                var error = JSONValue.null
                if case .failure(let code, let message, _) = entry.job.outcome, phase == .done {
                    error = ["code": .string(code), "message": .string(message)]
                }
                items.append([
                    "video_id": .string(member.ref.id),
                    "status": .string(
                        simulated.bulkStatusWord(for: entry.job, phase: phase, elapsed: now - entry.addedAt)),
                    "error": error, "batch_id": .string(batchID), "item_index": .number(Double(index)),
                ])
            }
        }
        let start = min(max(token.flatMap { Int($0) } ?? 0, 0), items.count)
        let end = min(start + 100, items.count)
        let next: JSONValue = end < items.count ? .string(String(end)) : nil
        return .json([
            "data": .array(Array(items[start..<end])), "has_more": .bool(end < items.count), "next_token": next,
        ])
    }

    /// The number of bulk status requests in the batch form (`statuses?batch_ids=`) received.
    public var batchStatusRequestCount: Int { batchStatusRequests }

    /// The answer of an injected rate limit or server error meant for any job, if one is due (taken from the
    /// global faults: a bulk or list request meets it as a status request would).
    func takeGlobalTransientFault() -> SimulatorResponse? {
        guard let fault = take(from: &globalFaults) else { return nil }
        switch fault {
        case .rateLimited(let retryAfter):
            var response = SimulatorResponse.json(
                ["error": ["code": "rate_limit_exceeded", "message": "Too many requests"]], status: 429)
            if let retryAfter { response.headers.append(("Retry-After", String(retryAfter))) }
            return response
        case .serverError(let status):
            return .errorPage(status: status)
        default:
            return nil
        }
    }

    /// Answers a status request for `ref` (`query`: its query parameters, a batch's `limit` and `token`).
    func status(
        ref: JobRef, apiKey: String?, userAgent: String?, fileBase: String, query: [String: String] = [:]
    ) -> SimulatorResponse {
        let authorized = apiKey == self.apiKey
        keep(SimulatorRequest(ref: ref, path: nil, userAgent: userAgent, authorized: authorized))
        counts.statusRequests += 1
        if let retirement, ref.api.successor != nil { return retirement.answer(api: ref.api) }
        guard authorized else { return StatusBodies.unauthorized(api: ref.api) }
        var delay: Duration?
        var statusOverride: String?
        while let fault = takeFault(for: ref) {
            switch fault {
            case .slow(let duration):
                delay = (delay ?? .zero) + duration
                continue
            case .unknownStatus(let word):
                statusOverride = word
            case .rateLimited(let retryAfter):
                var response = SimulatorResponse.json(
                    .object(["error": .object(["code": "rate_limit_exceeded", "message": "Too many requests"])]),
                    status: 429
                )
                if let retryAfter { response.headers.append(("Retry-After", String(retryAfter))) }
                response.delay = delay
                return response
            case .serverError(let status):
                var response = SimulatorResponse.errorPage(status: status)
                response.delay = delay
                return response
            case .requestLimit:
                return .json(
                    .object([
                        "code": 400, "message": "Request exceeds the request limit",
                        "error": .object(["code": "request_limit", "message": "Request exceeds the request limit"]),
                    ]),
                    status: 400
                )
            case .htmlPage:
                return .maintenancePage
            case .errorObject:
                return .json(
                    .object([
                        "error": .object(["code": "internal_error", "message": "Something went wrong on our side"])
                    ])
                )
            case .truncatedBody:
                var response = answer(ref: ref, statusOverride: statusOverride, fileBase: fileBase, query: query)
                response.body = Array(response.body.prefix(response.body.count / 2))
                return response
            }
            break
        }
        var response = answer(ref: ref, statusOverride: statusOverride, fileBase: fileBase, query: query)
        response.delay = delay
        return response
    }

    /// Decides how to answer a request for a file of a job: which bytes to send, or an error.
    func file(ref: JobRef, name: String, url: String, range: String?, ifRange: String?) -> FilePlan {
        let path = "/files/\(ref.api.rawValue)/\(ref.id)/\(name)"
        keep(SimulatorRequest(ref: nil, path: path, userAgent: nil, authorized: true, range: range))
        counts.fileRequests += 1
        guard let entry = entry(for: ref),
            let file = StatusBodies.files(for: entry.job).first(where: { $0.name == name }),
            SimulatedAPIs.of(ref.api)?.canFetch(file, of: entry.job, in: phase(of: entry), after: now - entry.addedAt)
                ?? false
        else { return .error(.xmlError(status: 404, code: "NoSuchKey", message: "The specified key does not exist.")) }
        let current = epoch.addingTimeInterval(now.seconds)
        if let expiry = SignedURLExpiry.expiry(of: url), expiry < current {
            return .error((linkExpiries[ref] ?? .s3).refusal(expiredAt: expiry, now: current))
        }
        var dropAfter: Int?
        var chunkPause: Duration?
        var honourRange = true
        if var faults = fileFaults[ref], !faults.isEmpty {
            let fault = faults.removeFirst()
            fileFaults[ref] = faults
            switch fault {
            case .notReady:
                return .error(.xmlError(status: 404, code: "NoSuchKey", message: "The specified key does not exist."))
            case .forbidden: return .error(.xmlError(status: 403, code: "AccessDenied", message: "Access Denied"))
            case .serverError(let status): return .error(.errorPage(status: status))
            case .dropAfter(let bytes): dropAfter = bytes
            case .ignoreRange: honourRange = false
            case .slowBody(let pause): chunkPause = pause
            case .emptyRange: return .error(SimulatorResponse(status: 206, contentType: file.contentType, body: []))
            case nil: break
            }
        }
        let etag = "\"sim-\(file.size)-\(file.name.utf8.reduce(0) { $0 &+ $1 })\""
        var start = 0
        var end = file.size - 1
        var partial = false
        if honourRange, let range, ifRange == nil || ifRange == etag,
            let parsed = Self.parseRange(range, size: file.size)
        {
            guard parsed.lowerBound < file.size else {
                return .error(
                    SimulatorResponse(
                        status: 416,
                        contentType: "text/plain",
                        headers: [("Content-Range", "bytes */\(file.size)")],
                        body: []
                    )
                )
            }
            (start, end, partial) = (parsed.lowerBound, min(parsed.upperBound, file.size - 1), true)
        }
        bytesPlanned[path, default: 0] += min(end - start + 1, dropAfter ?? Int.max)
        return .bytes(
            FilePlan.Bytes(
                status: partial ? 206 : 200,
                contentType: file.contentType,
                etag: etag,
                size: file.size,
                range: start...max(start, end),
                empty: file.size == 0,
                seed: SimulatedFile.seed(forName: file.name),
                dropAfter: dropAfter,
                chunkPause: chunkPause
            )
        )
    }

    /// Whether the status answers for `ref` should carry expired links now (and counts one use).
    func takeExpiredLinks(for ref: JobRef) -> Bool {
        guard let left = expiredLinkAnswers[ref], left > 0 else { return false }
        expiredLinkAnswers[ref] = left - 1
        return true
    }

    /// Reads `bytes=START-` or `bytes=START-END`.
    static func parseRange(_ header: String, size: Int) -> ClosedRange<Int>? {
        guard header.hasPrefix("bytes="), !header.contains(",") else { return nil }
        let parts = header.dropFirst(6).split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let start = Int(parts[0]) else { return nil }
        // `bytes=SIZE-` (from the end on) is a range that cannot be satisfied: 416, as real servers answer.
        let end = parts[1].isEmpty ? max(start, size - 1) : Int(parts[1]) ?? -1
        guard end >= start else { return nil }
        return start...end
    }

    private func answer(
        ref: JobRef, statusOverride: String?, fileBase: String, query: [String: String] = [:]
    ) -> SimulatorResponse {
        guard let entry = entry(for: ref) else { return StatusBodies.notFound(api: ref.api) }
        let phase = phase(of: entry)
        let expired = phase == .done && takeExpiredLinks(for: ref)
        return .json(
            body(
                of: entry, phase: phase, statusOverride: statusOverride, expired: expired, fileBase: fileBase,
                query: query))
    }

    /// The status body of `entry` in `phase`, as its status endpoint sends it.
    func body(
        of entry: Entry, phase: SimulatedPhase, statusOverride: String? = nil, expired: Bool = false, fileBase: String,
        query: [String: String] = [:]
    ) -> JSONValue {
        let times = times(of: entry, expired: expired)
        return StatusBodies.body(
            for: entry.job,
            phase: phase,
            statusOverride: statusOverride,
            times: times,
            fileBase: fileBase,
            query: query
        )
    }

    /// The times of `entry` now, with links that have expired when `expired`.
    func times(of entry: Entry, expired: Bool = false) -> StatusBodies.Times {
        StatusBodies.Times(
            created: epoch.addingTimeInterval(entry.addedAt.seconds),
            completed: epoch.addingTimeInterval(entry.endsAt.seconds),
            now: epoch.addingTimeInterval(now.seconds),
            linkLifetime: expired ? -60 : StatusBodies.linkLifetime
        )
    }

    /// The job `ref` names: one added under `ref`, or one added under the legacy API whose successor `ref`'s API
    /// is (a v1 video is a v3 video with the same ID), seen as a job of `ref`'s API.
    func entry(for ref: JobRef) -> Entry? {
        if let entry = jobs[ref] { return entry }
        if let session = SimulatedAgent.session(generating: ref, in: jobs.values) {
            var entry = session
            entry.job = SimulatedAgent.video(of: session.job)
            return entry
        }
        guard let legacy = ProviderAPI.allCases.first(where: { $0.successor == ref.api }),
            var entry = jobs[JobRef(api: legacy, id: ref.id)]
        else { return nil }
        entry.job.ref = ref
        return entry
    }

    func phase(of entry: Entry) -> SimulatedPhase {
        let elapsed = now - entry.addedAt
        if elapsed < entry.job.queueTime / 2 { return .waiting }
        if elapsed < entry.job.queueTime { return .queued }
        if elapsed < entry.job.queueTime + entry.job.renderTime { return .processing }
        return .done
    }

    private func takeFault(for ref: JobRef) -> SimulatorFault? {
        if let fault = take(from: &jobFaults[ref, default: []]) { return fault }
        return take(from: &globalFaults)
    }

    func take(from rules: inout [FaultRule]) -> SimulatorFault? {
        guard let index = rules.indices.first else { return nil }
        let fault = rules[index].fault
        if let remaining = rules[index].remaining {
            if remaining <= 1 { rules.remove(at: index) } else { rules[index].remaining = remaining - 1 }
        }
        return fault
    }
}

/// One request the simulator received.
public struct SimulatorRequest: Sendable, Hashable {
    /// The job a status request asked about; nil for file requests.
    public var ref: JobRef?
    /// The path of a file request.
    public var path: String?
    /// The `User-Agent` the request carried.
    public var userAgent: String?
    /// Whether it carried the right API key.
    public var authorized: Bool
    /// The `Range` header of a file request.
    public var range: String? = nil
    /// When it came, in simulated time since the simulator was created.
    public var at: Duration = .zero
}

/// Where a simulated job is in its life.
enum SimulatedPhase: Sendable, Hashable {
    case waiting, queued, processing, done

    func state(for job: SimulatedJob) -> JobState {
        switch self {
        case .waiting, .queued: .queued
        case .processing: .processing
        case .done: job.outcome == .success ? .succeeded : .failed
        }
    }
}

extension Duration {
    /// The duration in seconds, as a floating-point number.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
