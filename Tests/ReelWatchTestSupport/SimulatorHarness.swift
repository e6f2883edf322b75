import Logging
import ReelWatch
import ReelWatchSimulator
import ReelWatchTesting

/// Runs a simulator on an ephemeral loopback port for the length of a test.
public enum SimulatorHarness {
    /// A logger that drops everything.
    public static let quiet = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    /// Starts a simulator with frozen time holding `jobs`, runs `body`, and stops the server.
    public static func run<Result: Sendable>(
        _ jobs: [SimulatedJob],
        _ body: @Sendable (Simulator, SimulatorServer.Endpoint) async throws -> Result
    ) async throws -> Result {
        let simulator = Simulator(timeScale: 0)
        await simulator.add(jobs)
        return try await SimulatorServer(simulator: simulator, logger: quiet).withRunning { endpoint in
            try await body(simulator, endpoint)
        }
    }

    /// A client for `endpoint` that backs off on `clock`, with jitter fixed at half the cap.
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
            logger: quiet
        )
    }

    /// A job that has finished successfully.
    public static func done(_ api: ProviderAPI, _ id: String = "job-1") -> SimulatedJob {
        SimulatedJob(ref: JobRef(api: api, id: id), title: "T", queueTime: .zero, renderTime: .zero, captions: true)
    }
}
