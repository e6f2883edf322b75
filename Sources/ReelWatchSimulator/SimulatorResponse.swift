import ReelWatch

/// An answer the simulator decided on, before it is written to the wire.
struct SimulatorResponse: Sendable {
    var status: Int
    var contentType: String = "application/json"
    var headers: [(String, String)] = []
    var body: [UInt8]
    /// How long to wait before answering.
    var delay: Duration? = nil

    static func json(_ value: JSONValue, status: Int = 200) -> SimulatorResponse {
        SimulatorResponse(status: status, body: value.serialized())
    }

    static func html(_ page: String, status: Int) -> SimulatorResponse {
        SimulatorResponse(status: status, contentType: "text/html; charset=utf-8", body: Array(page.utf8))
    }

    static func errorPage(status: Int) -> SimulatorResponse {
        html(
            "<html><head><title>\(status) Bad Gateway</title></head><body><center><h1>\(status) Bad Gateway</h1>"
                + "</center><hr><center>nginx</center></body></html>\n",
            status: status
        )
    }

    static func xmlError(status: Int, code: String, message: String) -> SimulatorResponse {
        SimulatorResponse(
            status: status,
            contentType: "application/xml",
            body: Array("<Error><Code>\(code)</Code><Message>\(message)</Message></Error>".utf8)
        )
    }

    static let maintenancePage = html(
        "<!DOCTYPE html><html><head><title>Scheduled maintenance</title></head>"
            + "<body><h1>We'll be back soon</h1></body></html>\n",
        status: 200
    )
}

/// How the simulator answers a file request: bytes of the file, or an error.
enum FilePlan: Sendable {
    /// Which bytes to send.
    struct Bytes: Sendable {
        var status: Int
        var contentType: String
        var etag: String
        var size: Int
        var range: ClosedRange<Int>
        var empty: Bool
        var seed: UInt8
        /// Drop the connection after sending this many bytes.
        var dropAfter: Int?
        /// How long to pause after each chunk, if at all.
        var chunkPause: Duration?
    }

    case bytes(Bytes)
    case error(SimulatorResponse)
}
