import ArgumentParser
import Logging
import ReelWatch
import ReelWatchSimulator
import ServiceLifecycle
import UnixSignals

/// `reelwatch simulate`: runs the provider simulator standalone until interrupted.
struct SimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Run the HeyGen/Hera simulator on loopback and print the refs and settings to use."
    )

    @Option(name: .long, help: "The port to listen on (127.0.0.1); 0 picks a free one.")
    var port: Int = 0

    @Option(name: .long, help: "Simulated seconds per real second; 60 renders a 10-minute video in 10 s.")
    var timeScale: Double = 1

    @Option(name: .long, help: "The API key the simulator accepts.")
    var apiKey: String = "sim-key"

    @Option(name: .long, help: "The size of every simulated video file, in MiB (files are generated, not stored).")
    var videoMib: Int = 0

    @Flag(name: [.short, .long], help: "Log every request to stderr.")
    var verbose = false

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
        guard timeScale >= 0, timeScale.isFinite else { throw ValidationError("--time-scale must be 0 or more") }
        guard (0...65536).contains(videoMib) else { throw ValidationError("--video-mib must be 0 to 65536") }
        guard APIKey(apiKey) != nil else { throw ValidationError("--api-key must be a non-empty single line") }
    }

    func run() async throws {
        var logger = Logger(label: "reelwatch-simulator")
        logger.logLevel = verbose ? .debug : .warning
        let simulator = Simulator(apiKey: apiKey, timeScale: timeScale)
        let mebibytes = videoMib
        await simulator.add(
            DemoJobs.all.map { job in
                var job = job
                if mebibytes > 0 { job.videoSize = mebibytes << 20 }
                return job
            }
        )
        let server = SimulatorServer(simulator: simulator, port: port, logger: logger)
        let apiKey = self.apiKey
        try await server.run(gracefulShutdownSignals: [.sigint, .sigterm]) { endpoint in
            var lines = ["reelwatch simulator listening on 127.0.0.1:\(endpoint.port) (Ctrl-C to stop)", ""]
            lines.append("export REELWATCH_HEYGEN_URL=\(endpoint.heygenURL)")
            lines.append("export REELWATCH_HERA_URL=\(endpoint.heraURL)")
            lines.append("export HEYGEN_API_KEY=\(apiKey)")
            lines.append("export HERA_API_KEY=\(apiKey)")
            lines.append("")
            lines.append("jobs:")
            lines += DemoJobs.all.map { "  \($0.ref)" }
            Console.standardOutput.write(lines.joined(separator: "\n") + "\n")
        }
    }
}
