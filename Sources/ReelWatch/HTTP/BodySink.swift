import HTTPTypes
import NIOCore

/// Where a transport hands a response body it streams with ``HTTPTransport/receive(_:into:)``: the head first,
/// to decide whether the body is wanted, then each chunk as it arrives.
///
/// The transport calls these one at a time, in order, possibly on its own I/O thread; a chunk is handed over
/// only after the previous call returned. Nothing else may touch the sink until `receive` has returned.
public protocol BodySink: AnyObject, Sendable {
    /// Whether to stream the body of `head` into ``consume(_:)``; when false, the body is collected (up to
    /// 64 KiB) and returned by `receive` instead.
    func accept(_ head: HTTPResponse) -> Bool

    /// Takes the next chunk of an accepted body; throwing ends the request with that error.
    func consume(_ chunk: ByteBuffer) throws
}

extension HTTPTransport {
    /// Streams the body through ``send(_:timeout:)``, one task hop per chunk. Transports that can hand chunks
    /// over without a hop implement `receive` themselves.
    public func receive(_ request: HTTPRequest, into sink: some BodySink) async throws -> (HTTPResponse, [UInt8]) {
        let (head, body) = try await send(request, timeout: .seconds(7 * 24 * 3600))
        guard sink.accept(head) else {
            let bytes = (try? await body.collect(upTo: 64 * 1024)) ?? ByteBuffer()
            return (head, Array(buffer: bytes))
        }
        for try await chunk in body { try sink.consume(chunk) }
        return (head, [])
    }
}
