import Logging
import Synchronization

/// Keeps every log line written through its ``handler``, for tests that check what was logged.
public final class RecordedLog: Sendable {
    /// One logged line.
    public struct Entry: Sendable, Hashable {
        /// Its level.
        public var level: Logger.Level
        /// Its message.
        public var message: String
        /// Its metadata, values as text.
        public var metadata: [String: String]
    }

    private let lines = Mutex<[Entry]>([])

    /// Creates an empty log.
    public init() {}

    /// Every line so far, oldest first.
    public var entries: [Entry] { lines.withLock { $0 } }

    /// A handler that records into this log, every level.
    public var handler: some LogHandler { Handler(log: self) }

    fileprivate func append(_ entry: Entry) { lines.withLock { $0.append(entry) } }

    private struct Handler: LogHandler {
        let log: RecordedLog
        var logLevel: Logger.Level = .trace
        var metadata: Logger.Metadata = [:]

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            var all = metadata
            all.merge(event.metadata ?? [:]) { _, new in new }
            log.append(
                Entry(
                    level: event.level, message: "\(event.message)",
                    metadata: all.mapValues { "\($0)" }))
        }
    }
}
