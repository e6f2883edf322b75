/// Runs `work` on every item that `next` hands out, at most `limit` at once, and gives each output to `handle` as
/// it comes; returns once `next` has said there is no more (nil) and every started item is done.
///
/// The one bounded-concurrency loop of the package: status calls, the engine's polls and downloads all go through
/// it. `next` may wait (for an item to arrive, or a job to come due) while fewer than `limit` items run; it is not
/// asked again until a slot is free. `next` and `handle` run in the caller's task, one at a time; `work` runs in
/// child tasks. Cancelling the caller cancels the children; `next` should then return nil.
public func withBoundedConcurrency<Item: Sendable, Output: Sendable>(
    limit: Int,
    next: () async -> Item?,
    work: @escaping @Sendable (Item) async -> Output,
    handle: (Output) async -> Void = { _ in }
) async {
    await withTaskGroup(of: Output.self) { group in
        var running = 0
        var exhausted = false
        while true {
            while !exhausted, running < max(1, limit) {
                guard let item = await next() else {
                    exhausted = true
                    break
                }
                running += 1
                group.addTask { await work(item) }
            }
            guard running > 0, let output = await group.next() else { break }
            running -= 1
            await handle(output)
        }
    }
}

/// ``withBoundedConcurrency(limit:next:work:handle:)`` over the items of a sequence.
public func withBoundedConcurrency<Items: Sequence, Output: Sendable>(
    limit: Int,
    over items: Items,
    work: @escaping @Sendable (Items.Element) async -> Output,
    handle: (Output) async -> Void = { _ in }
) async where Items.Element: Sendable {
    var iterator = items.makeIterator()
    await withBoundedConcurrency(limit: limit, next: { iterator.next() }, work: work, handle: handle)
}
