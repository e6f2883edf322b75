import Foundation

/// One page of a batch's answer (``MemberListingProvider``): the batch's own fields and some of its items.
public struct MemberPage: Sendable, Hashable {
    /// One item of a batch: a job asked for in it.
    public struct Item: Sendable, Hashable {
        /// Its place in the batch (`item_index`), when given.
        public var index: Int?
        /// The batch's status word for it, verbatim.
        public var providerStatus: ProviderStatus
        /// That word as a state.
        public var state: JobState
        /// The job it became, once it exists (nil while HeyGen has not made it, or never will).
        public var member: JobRef?
        /// Why it failed, as the batch says.
        public var error: String?

        /// Creates an item.
        public init(index: Int?, providerStatus: ProviderStatus, member: JobRef?, error: String? = nil) {
            self.index = index
            self.providerStatus = providerStatus
            self.state = JobState(providerStatus: providerStatus)
            self.member = member
            self.error = error
        }
    }

    /// The batch's own status word (`processing`, `completed`, `failed`).
    public var providerStatus: ProviderStatus
    /// How many items the batch has, as it says.
    public var totalItems: Int?
    /// The batch's title.
    public var title: String?
    /// When the batch was created.
    public var createdAt: Date?
    /// The items on this page.
    public var items: [Item]
    /// The token of the next page, when there is one.
    public var nextToken: String?

    /// Creates a page.
    public init(
        providerStatus: ProviderStatus, totalItems: Int? = nil, title: String? = nil, createdAt: Date? = nil,
        items: [Item], nextToken: String? = nil
    ) {
        self.providerStatus = providerStatus
        self.totalItems = totalItems
        self.title = title
        self.createdAt = createdAt
        self.items = items
        self.nextToken = nextToken
    }
}

extension MemberPage {
    /// Reads HeyGen's batch answer `{"data": {batch_id, status, total_items, counts_by_status, created_at, title,
    /// items: [{item_index, status, video_id, error}], has_more, next_token}}`. An item's `video_id` that would not
    /// make a valid ``JobRef`` of `memberAPI` (empty, a path step, control characters, too long) is an item without
    /// a job; an item without a status word is left out.
    init(heygenBatch body: JSONValue, memberAPI: ProviderAPI, ref: JobRef, httpStatus: Int) throws(ReelWatchError) {
        let envelope = try HeyGenEnvelope(body, ref: ref, httpStatus: httpStatus)
        try envelope.checkIdentity(["batch_id", "id"], ref: ref, httpStatus: httpStatus)
        let data = envelope.data
        var items: [Item] = []
        for item in data["items"]?.arrayValue ?? [] {
            guard let word = item["status"]?.text else { continue }
            let member = item["video_id"]?.text.flatMap { try? JobRef(parsing: "\(memberAPI.refPrefix):\($0)") }
            let index = item["item_index"]?.number.flatMap(CheckedConversion.int64).flatMap { Int(exactly: $0) }
            items.append(
                Item(
                    index: index, providerStatus: ProviderStatus(rawValue: word), member: member,
                    error: ProviderErrorBody(errorValue: item["error"])?.summary))
        }
        let more = data["has_more"]?.bool ?? body["has_more"]?.bool ?? false
        let total = data["total_items"]?.number.flatMap(CheckedConversion.int64).flatMap { Int(exactly: $0) }
        self.init(
            providerStatus: try envelope.status(ref: ref, httpStatus: httpStatus),
            totalItems: total.map { max(0, $0) },
            title: data["title"]?.text,
            createdAt: data["created_at"]?.date,
            items: items,
            nextToken: more ? (data["next_token"] ?? body["next_token"])?.text : nil
        )
    }

    /// The snapshot of the batch `ref` its pages describe (the first page's fields, every page's items; an item
    /// index seen twice counted once): its ``JobSnapshot/members`` are the jobs its items became, in item order.
    ///
    /// The batch is over when it says so, every item it counts was read and each is over; it then succeeded when
    /// every item completed, else it failed, naming the failed items (those that never became a job with the
    /// batch's `error`). Until then it is `processing` (`unknown` for a word never seen), its progress the share of
    /// items over.
    public static func snapshot(of ref: JobRef, pages: [MemberPage]) -> JobSnapshot {
        guard let first = pages.first else { return JobSnapshot(ref: ref, state: .unknown) }
        var indexes = Set<Int>()
        var items: [Item] = []
        for item in pages.flatMap(\.items) where item.index.map({ indexes.insert($0).inserted }) ?? true {
            items.append(item)
        }
        var seen = Set<JobRef>()
        let members = items.compactMap(\.member).filter { seen.insert($0).inserted }
        let own = JobState(providerStatus: first.providerStatus)
        let total = max(first.totalItems ?? 0, items.count)
        let itemsOver = items.count >= total && items.allSatisfy(\.state.isTerminal)
        let failed = items.filter { $0.state != .succeeded || $0.member == nil }
        var state: JobState
        switch own {
        case .succeeded, .failed, .cancelled:
            state = itemsOver ? (failed.isEmpty && own == .succeeded ? .succeeded : .failed) : .processing
        case .queued, .processing, .needsInput, .unknown:
            state = own
        }
        var failure: JobFailure?
        if state == .failed {
            let named = failed.prefix(5).map { item in
                let which = item.index.map { "item \($0)" } ?? "an item"
                let job = item.member.map { " (\($0.printable))" } ?? " (no job)"
                let reason = item.error ?? item.providerStatus.rawValue
                return which + job + ": " + ReelWatchError.printable(reason, limit: 120)
            }
            let more = failed.count > named.count ? "; and \(failed.count - named.count) more" : ""
            let message =
                failed.isEmpty
                ? "the batch says \(ReelWatchError.printable(first.providerStatus.rawValue, limit: 40))"
                : "\(failed.count) of \(total) items failed: " + named.joined(separator: "; ") + more
            failure = JobFailure(code: "batch_items_failed", message: message)
        }
        let over = items.count { $0.state.isTerminal }
        return JobSnapshot(
            ref: ref, state: state, providerStatus: first.providerStatus, title: first.title,
            createdAt: first.createdAt, failure: failure,
            progress: state.isTerminal || total == 0 ? nil : over * 100 / total, members: members)
    }
}
