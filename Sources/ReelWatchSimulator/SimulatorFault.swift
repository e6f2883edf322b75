/// Something the simulator does instead of (or before) answering normally.
public enum SimulatorFault: Sendable, Hashable {
    /// HTTP 429 with an optional `Retry-After` in seconds.
    case rateLimited(retryAfter: Int?)
    /// An HTTP 5xx answer with an HTML error page, as proxies send.
    case serverError(status: Int)
    /// HeyGen's rate limit sent as HTTP 400 "request limit".
    case requestLimit
    /// Waits this long before answering normally.
    case slow(Duration)
    /// HTTP 200 with an HTML page instead of JSON.
    case htmlPage
    /// HTTP 200 with the normal JSON cut off halfway.
    case truncatedBody
    /// HTTP 200 with `{"error": {"code", "message"}}` and no data.
    case errorObject
    /// The normal answer, with this never-seen status word in place of the real one.
    case unknownStatus(String)
}

/// A fault and how many more requests it applies to.
struct FaultRule: Sendable {
    var fault: SimulatorFault
    /// Requests left; nil for every request.
    var remaining: Int?
}

/// Something the simulator does instead of (or while) serving a file.
public enum SimulatorFileFault: Sendable, Hashable {
    /// HTTP 404: the link is not live yet (as right after a render completes).
    case notReady
    /// HTTP 403 without expiry: access denied for now.
    case forbidden
    /// An HTTP 5xx answer.
    case serverError(status: Int)
    /// Sends the headers and this many bytes of the body, then drops the connection.
    case dropAfter(bytes: Int)
    /// Ignores `Range` and sends the whole file with 200.
    case ignoreRange
    /// Sends the file normally but pauses this long after each 256 KiB chunk, as a slow link does.
    case slowBody(pause: Duration)
    /// HTTP 206 with an empty body and no `Content-Range`, whatever range was asked: a server that does not refuse
    /// a range past the end of the file.
    case emptyRange
}
