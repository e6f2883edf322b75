import ArgumentParser

/// `reelwatch-bench`: benchmarks that print reelwatch's figures beside a baseline measured in the same run.
@main
struct ReelWatchBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reelwatch-bench",
        abstract: "Benchmarks that print reelwatch beside baselines measured in the same run.",
        subcommands: [
            PollingBenchmark.self, DownloadBenchmark.self, TrackBenchmark.self, WaitBenchmark.self, PushBenchmark.self,
            NaiveTracker.self,
        ]
    )
}
