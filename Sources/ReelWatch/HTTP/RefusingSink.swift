import HTTPTypes
import NIOCore

/// A ``BodySink`` that wants no body: ``HTTPTransport/receive(_:into:)`` returns the head and an excerpt.
final class RefusingSink: BodySink {
    func accept(_ head: HTTPResponse) -> Bool { false }

    func consume(_ chunk: ByteBuffer) throws {}
}
