import ReelWatch

/// The ends of simulated renders still to come, as a binary min-heap: the simulator takes the ones that have
/// passed without looking at every job.
struct EndTimeQueue: Sendable {
    /// One render's end.
    struct Item: Sendable, Hashable {
        /// When the render ends, in simulated time.
        var end: Duration
        /// The job's addition; a later one of the same ref replaces it.
        var serial: Int
        /// The job.
        var ref: JobRef

        /// Earlier ends first; among equal ends, the job added first.
        func precedes(_ other: Item) -> Bool { (end, serial) < (other.end, other.serial) }
    }

    private var items: [Item] = []

    /// How many ends are waiting.
    var count: Int { items.count }

    /// The earliest end, if any.
    var first: Item? { items.first }

    /// Adds an end.
    mutating func insert(_ item: Item) {
        items.append(item)
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard items[child].precedes(items[parent]) else { break }
            items.swapAt(child, parent)
            child = parent
        }
    }

    /// Removes and returns the earliest end.
    mutating func removeFirst() -> Item? {
        guard !items.isEmpty else { return nil }
        items.swapAt(0, items.count - 1)
        let first = items.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < items.count, items[left].precedes(items[smallest]) { smallest = left }
            if right < items.count, items[right].precedes(items[smallest]) { smallest = right }
            guard smallest != parent else { break }
            items.swapAt(parent, smallest)
            parent = smallest
        }
        return first
    }

    /// Removes and returns, earliest first, every end at or before `time`.
    mutating func removeAll(through time: Duration) -> [Item] {
        var passed: [Item] = []
        while let first, first.end <= time, let item = removeFirst() {
            passed.append(item)
        }
        return passed
    }
}
