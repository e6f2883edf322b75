import ArgumentParser
import Foundation
import ReelWatch
import ReelWatchWebhooks

/// `wrk` posting HeyGen-style deliveries to a running `reelwatch serve`: signed ones with a fresh event ID each
/// (every one must be accepted and recorded), or forged ones (every one must be refused, nothing recorded).
///
/// wrk's Lua has no HMAC, so the requests are made here beforehand — signed bodies, one event ID each — and the
/// script sends them in turn, each wrk thread its own share, so no ID goes out twice.
struct WebhookLoad {
    /// What one wrk run measured.
    struct Figures {
        var requests: Int
        var seconds: Double
        /// Answers other than 2xx.
        var refused: Int
        /// Socket errors (connect, read, write, timeout).
        var socketErrors: Int
        var p50Milliseconds: Double
        var p99Milliseconds: Double

        var accepted: Int { requests - refused }
        var acceptedPerSecond: Double { Double(accepted) / max(seconds, 0.001) }
    }

    /// The port `serve` listens on (127.0.0.1).
    var port: Int
    /// The secret `serve` checks signatures against.
    var secret: String
    /// Where the request file and the script go.
    var directory: String
    var threads = 2
    var connections = 32
    var duration: Duration = .seconds(10)

    /// Runs wrk with `count` prepared requests, signed or forged; their event IDs start with `prefix`.
    func run(count: Int, forged: Bool, prefix: String) throws -> Figures {
        let requests = "\(directory)/\(prefix)requests.tsv"
        try prepare(count: count, forged: forged, prefix: prefix, to: requests)
        let script = "\(directory)/deliveries.lua"
        try Self.script.write(toFile: script, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.wrk)
        process.arguments = [
            "-t\(threads)", "-c\(connections)", "-d\(duration.components.seconds)s", "--latency", "-s", script,
            "http://127.0.0.1:\(port)/webhooks/heygen", "--", requests, "\(threads)",
        ]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0, let figures = Self.parse(text) else {
            throw ValidationError("wrk failed (exit \(process.terminationStatus)): \(text.suffix(600))")
        }
        return figures
    }

    /// Writes `count` requests, one per line: event ID, signature, body (tab-separated).
    private func prepare(count: Int, forged: Bool, prefix: String, to path: String) throws {
        var random = SeededRandom(seed: forged ? 7 : 3)
        var lines = ""
        lines.reserveCapacity(count * 200)
        for index in 0..<count {
            let id = "\(prefix)\(index)"
            let body =
                #"{"event_type":"avatar_video.success","event_data":{"video_id":"load-\#(index)","#
                + #""url":"https://files.example/\#(index).mp4","callback_id":null}}"#
            let signature =
                forged
                ? (0..<32).map { _ in String(format: "%02x", random.next() & 0xFF) }.joined()
                : WebhookSignature.sign(Array(body.utf8), secret: secret)
            lines += "\(id)\t\(signature)\t\(body)\n"
        }
        try lines.write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// Reads wrk's report: requests, duration, non-2xx answers, socket errors, the 50th and 99th percentiles.
    static func parse(_ text: String) -> Figures? {
        func number(after marker: String, in line: Substring) -> Double? {
            guard let range = line.range(of: marker) else { return nil }
            return Double(
                line[range.upperBound...].trimmingCharacters(in: .whitespaces).prefix { $0.isNumber || $0 == "." })
        }
        func milliseconds(_ text: Substring) -> Double? {
            let value = text.trimmingCharacters(in: .whitespaces)
            let digits = value.prefix { $0.isNumber || $0 == "." }
            guard let number = Double(digits) else { return nil }
            switch value.dropFirst(digits.count) {
            case "us": return number / 1000
            case "ms": return number
            case "s": return number * 1000
            case "m": return number * 60_000
            default: return nil
            }
        }
        var requests: Int?
        var seconds: Double?
        var refused = 0
        var errors = 0
        var p50: Double?
        var p99: Double?
        for line in text.split(separator: "\n") {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.contains(" requests in ") {
                let parts = trimmed.split(separator: " ")
                requests = Int(parts[0])
                if let index = parts.firstIndex(of: "in"), index + 1 < parts.count {
                    seconds = milliseconds(parts[index + 1].dropLast(parts[index + 1].hasSuffix(",") ? 1 : 0))
                        .map { $0 / 1000 }
                }
            } else if trimmed.hasPrefix("Non-2xx or 3xx responses:") {
                refused = Int(number(after: ":", in: Substring(trimmed)) ?? 0)
            } else if trimmed.hasPrefix("Socket errors:") {
                errors = trimmed.split(separator: ",").compactMap { part in
                    part.split(separator: " ").last.flatMap { Int($0) }
                }.reduce(0, +)
            } else if trimmed.hasPrefix("50%") {
                p50 = milliseconds(trimmed.dropFirst(3))
            } else if trimmed.hasPrefix("99%") {
                p99 = milliseconds(trimmed.dropFirst(3))
            }
        }
        guard let requests, let seconds, let p50, let p99 else { return nil }
        return Figures(
            requests: requests, seconds: seconds, refused: refused, socketErrors: errors, p50Milliseconds: p50,
            p99Milliseconds: p99)
    }

    /// Where Debian's wrk is.
    static let wrk = "/usr/bin/wrk"

    /// The wrk script: each thread loads its share of the prepared requests and sends them in turn.
    static let script = #"""
        local counter = 0
        function setup(thread)
          thread:set("id", counter)
          counter = counter + 1
        end
        function init(args)
          requests = {}
          local stride = tonumber(args[2])
          local line_number = 0
          local stamp = tostring(os.time())
          for line in io.lines(args[1]) do
            if line_number % stride == id then
              local event, signature, body = line:match("([^\t]*)\t([^\t]*)\t(.*)")
              requests[#requests + 1] = wrk.format("POST", nil, {
                ["Content-Type"] = "application/json",
                ["Heygen-Signature"] = signature,
                ["Heygen-Timestamp"] = stamp,
                ["Heygen-Event-Id"] = event,
              }, body)
            end
            line_number = line_number + 1
          end
          index = 0
        end
        function request()
          index = index + 1
          if index > #requests then index = 1 end
          return requests[index]
        end
        """#
}
