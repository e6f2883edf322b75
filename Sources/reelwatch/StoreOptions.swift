import ArgumentParser
import Foundation
import ReelWatch
import ReelWatchStore

/// Where the job store is: `$REELWATCH_HOME/reelwatch.sqlite`, by default under `$XDG_DATA_HOME/reelwatch`
/// (`~/.local/share/reelwatch`).
enum StoreLocation {
    /// The store's path for `environment`.
    static func path(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        home(environment: environment) + "/reelwatch.sqlite"
    }

    /// The webhook secret file's path for `environment`: `webhook-endpoints.json` beside the store.
    static func webhookEndpointsPath(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> String {
        home(environment: environment) + "/webhook-endpoints.json"
    }

    /// The reelwatch home directory for `environment`.
    static func home(environment: [String: String]) -> String {
        if let home = environment["REELWATCH_HOME"], !home.isEmpty { return absolute(home) }
        if let data = environment["XDG_DATA_HOME"], !data.isEmpty { return absolute(data) + "/reelwatch" }
        let user = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return user + "/.local/share/reelwatch"
    }

    /// `path` made absolute against the current directory, so a store or download directory recorded by one
    /// command means the same to a daemon started elsewhere.
    static func absolute(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        if path == "~" || path.hasPrefix("~/") { return NSHomeDirectory() + path.dropFirst() }
        let base = FileManager.default.currentDirectoryPath
        return URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: base + "/")).standardizedFileURL.path
    }

    /// Opens the store, printing the error (exit 8) when it cannot be used.
    static func open(report: inout JobReport) throws -> SQLiteJobStore {
        do {
            return try SQLiteJobStore(path: path())
        } catch {
            report.print(error)
            throw report.status
        }
    }
}
