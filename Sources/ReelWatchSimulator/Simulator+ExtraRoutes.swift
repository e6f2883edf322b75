import ReelWatch

extension Simulator {
    /// Makes the next `times` requests (every one when nil) to the further route at `path` (as
    /// ``SimulatorRequest/path`` names it: `/v3/video-translations/proofreads/ID/srt`) meet `fault`. A rate limit,
    /// a server error (any status: `serverError(status: 404)` sends a 404 page) and an HTML page apply; other faults
    /// are ignored there.
    public func inject(_ fault: SimulatorFault, times: Int? = nil, forPath path: String) {
        routeFaults[path, default: []].append(FaultRule(fault: fault, remaining: times))
    }

    /// The number of requests received for the further route at `path`.
    public func requestCount(forPath path: String) -> Int {
        requests.count { $0.path == path }
    }

    /// Answers a request to `route` of `ref`'s API: the key checked, an injected fault, the job's answer.
    func answer(
        _ route: SimulatedRoute, ref: JobRef, apiKey: String?, userAgent: String?, fileBase: String
    ) -> SimulatorResponse {
        let authorized = apiKey == self.apiKey
        let path = route.path(id: ref.id)
        keep(SimulatorRequest(ref: nil, path: path, userAgent: userAgent, authorized: authorized))
        guard authorized else { return StatusBodies.unauthorized(api: ref.api) }
        if var rules = routeFaults[path], let fault = take(from: &rules) {
            routeFaults[path] = rules
            switch fault {
            case .rateLimited(let retryAfter):
                var response = SimulatorResponse.json(
                    ["error": ["code": "rate_limit_exceeded", "message": "Too many requests"]], status: 429)
                if let retryAfter { response.headers.append(("Retry-After", String(retryAfter))) }
                return response
            case .serverError(let status):
                return .errorPage(status: status)
            case .htmlPage:
                return .maintenancePage
            default:
                break
            }
        }
        guard let entry = entry(for: ref), let simulated = SimulatedAPIs.of(ref.api) else {
            return StatusBodies.notFound(api: ref.api)
        }
        let phase = phase(of: entry)
        let status = SimulatedStatus(
            job: entry.job, phase: phase, word: simulated.statusWord(phase: phase, outcome: entry.job.outcome),
            times: times(of: entry), fileBase: fileBase)
        return route.answer(status)
    }
}
