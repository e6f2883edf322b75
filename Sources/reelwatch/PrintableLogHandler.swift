import Logging
import ReelWatch

/// The `--verbose` log: another handler's lines, with control and bidirectional characters escaped in every message
/// and metadata value first, so that a provider's text (an ID, a status word, an error body) shows as what it is and
/// cannot break a line, reorder it or drive the terminal.
struct PrintableLogHandler: LogHandler {
    private var inner: StreamLogHandler
    var metadata: Logger.Metadata = [:]

    /// Wraps `inner`, which then writes only escaped text.
    init(_ inner: StreamLogHandler) {
        self.inner = inner
    }

    var logLevel: Logger.Level {
        get { inner.logLevel }
        set { inner.logLevel = newValue }
    }

    var metadataProvider: Logger.MetadataProvider? {
        get { inner.metadataProvider }
        set { inner.metadataProvider = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var event = event
        var all = metadata
        all.merge(event.metadata ?? [:]) { _, new in new }
        event.message = "\(Self.escaped("\(event.message)"))"
        event.metadata = all.isEmpty ? nil : all.mapValues { .string(Self.escaped("\($0)")) }
        inner.log(event: event)
    }

    /// `text` with control and bidirectional characters escaped.
    static func escaped(_ text: String) -> String {
        ReelWatchError.printable(text, limit: Int.max)
    }
}
