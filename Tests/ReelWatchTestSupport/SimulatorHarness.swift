import Foundation
import Logging
import ReelWatch
import ReelWatchSimulator
import ReelWatchTesting

/// Runs a simulator on an ephemeral loopback port for the length of a test.
public enum SimulatorHarness {
    /// A logger that drops everything.
    public static let quiet = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    /// The date of simulated time zero in the harness's simulator, and of offset zero of a client's manual clock: the
    /// simulator's dates (`created_at`, link expiries) and the client's agree, whatever the real date.
    public static let epoch = Date(timeIntervalSince1970: 1_800_000_000)

    /// The wall clock of a client on `clock`: ``epoch`` plus the clock's offset.
    public static func wallClock(_ clock: ManualClock) -> @Sendable () -> Date {
        { epoch.addingTimeInterval(clock.now.offset.secondsValue) }
    }

    /// Starts a simulator with frozen time at ``epoch`` holding `jobs`, runs `body`, and stops the server.
    public static func run<Result: Sendable>(
        _ jobs: [SimulatedJob],
        _ body: @Sendable (Simulator, SimulatorServer.Endpoint) async throws -> Result
    ) async throws -> Result {
        let simulator = Simulator(timeScale: 0, epoch: epoch)
        await simulator.add(jobs)
        return try await SimulatorServer(simulator: simulator, logger: quiet).withRunning { endpoint in
            try await body(simulator, endpoint)
        }
    }

    /// A client for `endpoint` that backs off on `clock` and reads dates from it (``wallClock(_:)``), with jitter
    /// fixed at half the cap.
    public static func client(
        _ endpoint: SimulatorServer.Endpoint,
        clock: ManualClock = ManualClock(),
        retries: Int = 4,
        apiKey: String = "sim-key",
        requestTimeout: Duration = .seconds(10)
    ) -> StatusClient {
        StatusClient(
            configuration: endpoint.configuration(apiKey: apiKey),
            retryPolicy: RetryPolicy(maxRetries: retries, baseDelay: .seconds(1), maxDelay: .seconds(8)),
            requestTimeout: requestTimeout,
            clock: clock,
            random: { 0.5 },
            wallClock: wallClock(clock),
            logger: quiet
        )
    }

    /// A job that has finished successfully (a batch: with one member that has, `API-member`).
    public static func done(_ api: ProviderAPI, _ id: String = "job-1") -> SimulatedJob {
        let members = api.memberAdapter.map { [done($0.memberAPI, "\(api.rawValue)-member")] } ?? []
        return SimulatedJob(
            ref: JobRef(api: api, id: id), title: "T", queueTime: .zero, renderTime: .zero, captions: true,
            members: members)
    }
}
