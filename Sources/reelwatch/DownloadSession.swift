import AsyncHTTPClient
import Foundation
import NIOCore
import ReelWatch

/// Downloads files for the CLI, a bounded number at once, as they are planned: announces each file as it
/// lands (a line, or one JSON line with `--json`) and returns the failures.
struct DownloadSession: Sendable {
    let downloader: Downloader
    let parallel: Int
    let json: Bool
    /// Told of each file's progress (progress bars, live lines).
    var onProgress: @Sendable (DownloadProgress) -> Void = { _ in }
    /// Shows the line for a file that landed.
    var onSaved: @Sendable (DownloadItem, DownloadResult, String) async -> Void = { _, _, line in
        Console.standardOutput.write(line + "\n")
    }

    /// The transport downloads use: ``AsyncHTTPClientTransport/downloadConfiguration``.
    static func makeHTTPClient() -> HTTPClient {
        HTTPClient(eventLoopGroupProvider: .singleton, configuration: AsyncHTTPClientTransport.downloadConfiguration)
    }

    /// Downloads `items`; returns the failures, in the order they happened.
    func run(_ items: [DownloadItem]) async -> [ReelWatchError] {
        let (stream, continuation) = AsyncStream<DownloadItem>.makeStream()
        for item in items { continuation.yield(item) }
        continuation.finish()
        return await run(stream)
    }

    /// Downloads items as they arrive until `items` finishes; at most `parallel` at once.
    func run(_ items: AsyncStream<DownloadItem>) async -> [ReelWatchError] {
        await withTaskGroup(of: ReelWatchError?.self) { group in
            var failures: [ReelWatchError] = []
            var iterator = items.makeAsyncIterator()
            var running = 0
            var exhausted = false
            while true {
                // Fill free slots; waiting for the next item only while a slot is free.
                while !exhausted, running < parallel {
                    guard let item = await iterator.next() else {
                        exhausted = true
                        break
                    }
                    running += 1
                    group.addTask { await download(item) }
                }
                guard running > 0, let failure = await group.next() else { break }
                running -= 1
                if let failure { failures.append(failure) }
            }
            return failures
        }
    }

    private func download(_ item: DownloadItem) async -> ReelWatchError? {
        do throws(ReelWatchError) {
            let file = try await downloader.download(item, progress: onProgress)
            await onSaved(item, file, Self.line(for: file, json: json))
            return nil
        } catch {
            return error
        }
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
