import AsyncHTTPClient
import Foundation
import NIOCore
import ReelWatch

/// Downloads planned files for the CLI, several at once, showing progress bars on a terminal, a line per file
/// otherwise, or one JSON line per file with `--json`.
struct DownloadSession {
    let downloader: Downloader
    let parallel: Int
    let json: Bool

    /// The transport downloads use: no automatic redirects (reelwatch checks each one's scheme), an idle read
    /// timeout instead of a whole-request one.
    static func makeHTTPClient() -> HTTPClient {
        HTTPClient(
            eventLoopGroupProvider: .singleton,
            configuration: HTTPClient.Configuration(
                redirectConfiguration: .disallow,
                timeout: .init(connect: .seconds(10), read: .seconds(30))
            )
        )
    }

    /// Downloads `items`, printing each file as it completes; failures are printed and counted in `report`.
    func run(_ items: [DownloadItem], report: inout JobReport) async {
        let bars = !json && Console.standardOutput.isTerminal ? ProgressBars(items: items) : nil
        var local = report
        await withTaskGroup(of: Result<DownloadResult, ReelWatchError>.self) { group in
            var next = 0
            func start() {
                guard next < items.count else { return }
                let item = items[next]
                next += 1
                group.addTask {
                    do throws(ReelWatchError) {
                        return .success(
                            try await downloader.download(item) { progress in bars?.update(progress) }
                        )
                    } catch {
                        return .failure(error)
                    }
                }
            }
            for _ in 0..<max(1, parallel) { start() }
            for await result in group {
                switch result {
                case .success(let file):
                    bars?.finish(file.path)
                    Console.standardOutput.write(Self.line(for: file, json: json) + "\n")
                case .failure(let error):
                    local.print(error)
                }
                start()
            }
        }
        report = local
    }

    static func line(for file: DownloadResult, json: Bool) -> String {
        if json {
            let object: JSONValue = [
                "ref": .string(file.ref.description), "kind": .string(file.kind.rawValue), "path": .string(file.path),
                "bytes": .number(Double(file.bytes)), "sha256": .string(file.sha256),
            ]
            return String(decoding: object.serialized(), as: UTF8.self)
        }
        if file.alreadyComplete { return "already complete: \(file.path) (\(file.bytes) bytes)" }
        let resumed = file.resumedFrom > 0 ? ", resumed from byte \(file.resumedFrom)" : ""
        return "saved \(file.path) (\(file.bytes) bytes\(resumed))"
    }
}
