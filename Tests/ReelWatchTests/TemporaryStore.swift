import Foundation

/// Where this target's tests put a store: a new temporary directory each time. (The store's own tests are in
/// `ReelWatchStoreTests`; the tracker's tests still ask for a path by this name.)
enum JobStoreTests {
    static func path() -> String {
        NSTemporaryDirectory() + "reelwatch-store-" + UUID().uuidString + "/reelwatch.sqlite"
    }
}
