import Foundation
import ReelWatch
import ReelWatchStore

/// Finds the renders of the account behind the API key through the providers' list endpoints and tracks the new
/// ones in a ``JobStore``, so that every render is followed without its ID being given.
///
/// It only lists and adds: the engine (``Tracker``) polls the jobs it added like any other. Each list is read
/// newest first and its paging stops at the first page with no render created within ``AccountSyncOptions/since``
/// (lists are not trusted to be sorted: older entries on a page are skipped one by one). Renders not finished are
/// tracked, and with a download directory those that succeeded too; failed ones never. Jobs already tracked are
/// left as they are, so a second sync adds nothing.
public struct AccountSync: Sendable {
    /// Lists the renders (its request and retry path, rate limit and clock).
    public let client: StatusClient
    /// Where the jobs are tracked.
    public let store: any JobStore
    /// What to look for.
    public let options: AccountSyncOptions
    /// The current date, which ``AccountSyncOptions/since`` counts back from (the client's
    /// ``StatusClient/wallClock`` unless given).
    public let wallClock: @Sendable () -> Date

    /// Creates a sync.
    public init(
        client: StatusClient, store: any JobStore, options: AccountSyncOptions,
        wallClock: (@Sendable () -> Date)? = nil
    ) {
        self.client = client
        self.store = store
        self.options = options
        self.wallClock = wallClock ?? client.wallClock
    }

    /// Reads the lists and tracks what is new. A list that fails (after the client's retries) is reported in
    /// ``AccountSyncSummary/failures`` and the others are still read; only a store that fails throws.
    ///
    /// Cancelled, it reads no further page (each one checks first) and tracks what the pages it read found, then
    /// returns with ``AccountSyncSummary/cancelled`` set.
    public func run() async throws(ReelWatchError) -> AccountSyncSummary {
        let now = wallClock()
        let cutoff = now.addingTimeInterval(-options.since.secondsValue)
        var summary = AccountSyncSummary()
        var found: [ListedRender] = []
        var refs = Set<JobRef>()
        for api in options.apis {
            guard let adapter = api.listAdapter, options.folderID == nil || adapter.listsByFolder else { continue }
            do throws(ReelWatchError) {
                try await read(api, since: cutoff, into: &summary) { render in
                    if wanted(render), refs.insert(render.ref).inserted { found.append(render) }
                }
            } catch  where error.code == .cancelled {
                summary.cancelled = true
                break
            } catch {
                summary.failures.append(error)
            }
        }
        var requests: [TrackRequest] = []
        for render in found {
            guard try await store.job(render.ref) == nil else { continue }
            requests.append(
                TrackRequest(ref: render.ref, label: options.label, downloadDirectory: options.downloadDirectory))
        }
        guard !requests.isEmpty else { return summary }
        let new = try await store.track(all: requests, at: now)
        summary.added = requests.map(\.ref).filter(new.contains)
        return summary
    }

    /// Pages through `api`'s list until a page holds nothing created since `cutoff` or there is no next page,
    /// handing every usable entry created since then to `take`.
    private func read(
        _ api: ProviderAPI, since cutoff: Date, into summary: inout AccountSyncSummary,
        take: (ListedRender) -> Void
    ) async throws(ReelWatchError) {
        var token: String?
        var tokens = Set<String>()
        var pages = 0
        while true {
            if Task.isCancelled { throw ReelWatchError(code: .cancelled, message: "cancelled", provider: api.provider) }
            let page = try await client.renderListPage(
                of: api, token: token, limit: options.pageLimit, folderID: options.folderID)
            pages += 1
            summary.pages += 1
            summary.seen += page.renders.count + page.skipped
            summary.skipped += page.skipped
            var recent = false
            for render in page.renders {
                guard let created = render.createdAt else {
                    summary.skipped += 1
                    continue
                }
                guard created >= cutoff else { continue }
                recent = true
                take(render)
            }
            guard recent, let next = page.nextToken else { return }
            guard tokens.insert(next).inserted else {
                throw listError(api, "it sent the same next_token twice; stopped after \(pages) pages")
            }
            guard pages < options.maximumPages else {
                throw listError(api, "it still had more after \(pages) pages; stopped there")
            }
            token = next
        }
    }

    /// Whether a render listed within the window is to be tracked.
    private func wanted(_ render: ListedRender) -> Bool {
        if let folder = options.folderID, render.folderID != folder { return false }
        switch render.state {
        case .failed, .cancelled: return false
        case .succeeded: return options.downloadDirectory != nil
        case .queued, .processing, .needsInput, .unknown: return true
        }
    }

    private func listError(_ api: ProviderAPI, _ what: String) -> ReelWatchError {
        ReelWatchError(
            code: .invalidResponse,
            message: "\(api.provider.displayName)'s list of \(api.refPrefix) renders was cut short: \(what)",
            provider: api.provider)
    }
}
