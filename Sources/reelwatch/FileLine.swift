import AsyncHTTPClient
import Foundation
import NIOCore
import ReelWatch

/// How the CLI announces a file that landed, and the HTTP client its downloads use.
enum FileLine {
    /// `saved PATH (N bytes)`, `already complete: …`, or one JSON line with `--json`.
    static func text(for file: DownloadResult, json: Bool) -> String {
        if json {
            return String(decoding: file.jsonObject.serialized(), as: UTF8.self)
        }
        if file.alreadyComplete { return "already complete: \(file.path) (\(file.bytes) bytes)" }
        let resumed = file.resumedFrom > 0 ? ", resumed from byte \(file.resumedFrom)" : ""
        return "saved \(file.path) (\(file.bytes) bytes\(resumed))"
    }

    /// The client downloads go through: ``AsyncHTTPClientTransport/downloadConfiguration``.
    static func makeHTTPClient() -> HTTPClient {
        HTTPClient(eventLoopGroupProvider: .singleton, configuration: AsyncHTTPClientTransport.downloadConfiguration)
    }
}
