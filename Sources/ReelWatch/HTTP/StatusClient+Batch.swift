extension StatusClient {
    /// The status of `ref` as a `Result`, for task groups.
    ///
    /// Task-group children call this rather than catching inline: Swift 6.3 miscompiled a typed `do`/`catch`
    /// that returned a tuple from a task-group child in release builds (the children returned garbage indices).
    public func result(
        of ref: JobRef, previous: JobSnapshot? = nil, before deadline: Duration? = nil
    ) async -> Result<JobSnapshot, ReelWatchError> {
        do {
            return .success(try await snapshot(of: ref, previous: previous, before: deadline))
        } catch {
            return .failure(error)
        }
    }

    /// Fetches the status of every ref concurrently (at most `concurrency` at once) and hands each result to
    /// `deliver` in the order the refs were given, as soon as it and all before it are in.
    ///
    /// A ref listed twice is fetched once.
    public func snapshots(
        of refs: [JobRef],
        concurrency: Int = 8,
        deliver: (Int, Result<JobSnapshot, ReelWatchError>) async -> Void
    ) async {
        var firstIndex: [JobRef: Int] = [:]
        var unique: [JobRef] = []
        for ref in refs where firstIndex[ref] == nil {
            firstIndex[ref] = unique.count
            unique.append(ref)
        }
        var results: [Int: Result<JobSnapshot, ReelWatchError>] = [:]
        var nextToDeliver = 0
        await withBoundedConcurrency(
            limit: concurrency,
            over: unique.enumerated().map { ($0.offset, $0.element) },
            work: { index, ref in await (index, self.result(of: ref)) },
            handle: { index, result in
                results[index] = result
                while nextToDeliver < refs.count, let uniqueIndex = firstIndex[refs[nextToDeliver]],
                    let ready = results[uniqueIndex]
                {
                    await deliver(nextToDeliver, ready)
                    nextToDeliver += 1
                }
            }
        )
    }
}
