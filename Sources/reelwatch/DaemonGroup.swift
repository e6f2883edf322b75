import AsyncHTTPClient
import Logging
import ReelWatch
import ReelWatchStore
import ServiceLifecycle

/// How `run` and `serve` run their services: one `ServiceGroup`, until a service fails or the first SIGINT or
/// SIGTERM asks it to shut down gracefully (`SignalScope`); then what stopped it is printed, the download client is
/// shut down and the store's worker lock let go.
enum DaemonGroup {
    /// Runs `services` to their end. `command` names the command in the interruption line (`run stopped; …`);
    /// `failure` turns what ended the group otherwise (a service that threw) into the error printed; a service's
    /// `ReelWatchError` is printed as it is, with its exit code (the engine's store failing for good: exit 8).
    static func run(
        _ services: [any Service],
        command: String,
        logger: Logger,
        report: inout JobReport,
        http: HTTPClient,
        lock: StoreWorkerLock,
        failure: @escaping @Sendable (any Error) -> ReelWatchError
    ) async {
        // No signals of its own: SignalScope asks it to shut down gracefully on the first SIGINT or SIGTERM.
        let group = ServiceGroup(configuration: .init(services: services, logger: logger))
        let (stopped, interruption) = await SignalScope.run(stop: { await group.triggerGracefulShutdown() }) {
            await Self.result(of: group, failure: failure)
        }
        if let stopped { report.print(stopped) }
        if let interruption {
            report.print(
                interruption.error(
                    "\(command) stopped; downloads in flight stay as .part", hint: "start it again to go on"))
        }
        try? await http.shutdown()
        withExtendedLifetime(lock) {}
    }

    /// Runs the group to its end; what stopped it otherwise than a graceful shutdown. (The work of a task-group child
    /// catches in a method, not inline: see ``StatusClient/result(of:)``.)
    private static func result(
        of group: ServiceGroup, failure: @Sendable (any Error) -> ReelWatchError
    ) async -> ReelWatchError? {
        do {
            try await group.run()
            return nil
        } catch let error as ReelWatchError {
            return error
        } catch {
            return failure(error)
        }
    }
}
