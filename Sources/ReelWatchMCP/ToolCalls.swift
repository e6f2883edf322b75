import Foundation
import MCP
import ReelWatch
import ReelWatchDaemon
import ReelWatchStore

/// The tools' handlers: each reads its arguments, runs the engine or the store as the CLI command of the same name
/// does, and answers with ``ToolOutput``.
struct ToolCalls: Sendable {
    let environment: ToolEnvironment

    /// Runs the tool `name`; an unknown tool or arguments that do not fit its schema throw (a JSON-RPC error).
    func call(
        _ name: String, arguments values: [String: Value]?, progress: FollowLog.ProgressSink?
    ) async throws -> CallTool.Result {
        guard let tool = ToolCatalog.all.first(where: { $0.name == name }) else {
            throw MCPError.invalidParams("Unknown tool: \(ReelWatchError.printable(name))")
        }
        let arguments = try ToolArguments(
            tool: name, values: values, allowed: ToolCatalog.argumentNames(of: tool))
        do {
            switch name {
            case ToolCatalog.status.name: return try await status(arguments)
            case ToolCatalog.wait.name: return try await wait(arguments, progress: progress)
            case ToolCatalog.download.name: return try await download(arguments, progress: progress)
            case ToolCatalog.track.name: return try await track(arguments)
            case ToolCatalog.untrack.name: return try await untrack(arguments)
            default: return try await listTracked(arguments)
            }
        } catch let invalid as InvalidReferences {
            return ToolOutput.failure(invalid.errors)
        } catch let error as ReelWatchError {
            // A store or engine failure is the tool's failure, reported as the CLI reports it.
            return ToolOutput.failure([error])
        }
    }

    /// `status`: each job's snapshot, asked once.
    func status(_ arguments: ToolArguments) async throws -> CallTool.Result {
        let refs = try Self.parse(try arguments.refs())
        var jobs: [Value] = []
        var summary: [String] = []
        var errors: [ReelWatchError] = []
        await environment.client.snapshots(of: refs) { _, result in
            switch result {
            case .success(let snapshot):
                jobs.append(ToolOutput.snapshot(snapshot))
                summary.append(ToolOutput.line(snapshot))
            case .failure(let error):
                errors.append(error)
            }
        }
        guard errors.isEmpty else {
            return ToolOutput.failure(errors, partial: ["jobs": .array(jobs)], summary: summary)
        }
        return ToolOutput.success(["jobs": .array(jobs)], summary: summary)
    }

    /// The refs of `texts` (each once); throws the malformed ones, and the call does nothing.
    static func parse(_ texts: [String]) throws(InvalidReferences) -> [JobRef] {
        var refs: [JobRef] = []
        var errors: [ReelWatchError] = []
        var seen = Set<JobRef>()
        for text in texts {
            do {
                let ref = try JobRef(parsing: text)
                if seen.insert(ref).inserted { refs.append(ref) }
            } catch {
                errors.append(error)
            }
        }
        guard errors.isEmpty else { throw InvalidReferences(errors: errors) }
        return refs
    }

    /// Malformed refs: the call does nothing and says which.
    struct InvalidReferences: Error {
        let errors: [ReelWatchError]
    }
}
