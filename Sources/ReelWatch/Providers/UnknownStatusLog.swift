import Logging
import Synchronization

/// Remembers which never-seen provider statuses were already reported, so each is logged once per process.
final class UnknownStatusLog: Sendable {
    private let seen = Mutex<Set<String>>([])

    /// Logs a warning the first time `status` of `api` is met.
    func report(_ status: ProviderStatus, api: ProviderAPI, logger: Logger) {
        let key = "\(api.rawValue):\(status.rawValue)"
        let isNew = seen.withLock { $0.insert(key).inserted }
        guard isNew else { return }
        logger.warning(
            "unknown provider status; treating the job as still running",
            metadata: ["provider.api": "\(api.rawValue)", "provider.status": "\(status.rawValue)"]
        )
    }
}
