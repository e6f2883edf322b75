import ArgumentParser
import Foundation
import ReelWatch

/// `reelwatch-bench polling`: API calls and detection lag of four polling clients over the same renders.
struct PollingBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "polling",
        abstract: "Compare polling clients on simulated renders in virtual time."
    )

    @Option(help: "How many renders to simulate.")
    var renders = 10_000

    @Option(help: "The random seed (the same seed draws the same renders).")
    var seed: UInt64 = 2026

    func validate() throws {
        guard renders > 0 else { throw ValidationError("--renders must be positive") }
    }

    func run() throws {
        let model = RenderTimeModel.heygenAvatar
        let timeout = 1800.0
        var random = SeededRandom(seed: seed)
        let renderTimes = (0..<renders).map { _ in Self.sample(model, &random) }
        let clients = [
            PollingClient.seedsLoop, .agentSkill, .heygenCLI, .reelwatch(timeout: timeout),
        ]
        let schedule = PollSchedule(model: model)
        var rows: [Row] = []
        for client in clients {
            var clientRandom = SeededRandom(seed: seed &+ 1)
            let results = renderTimes.map {
                client.run(
                    renderTime: $0,
                    random: &clientRandom,
                    schedule: client.name == "reelwatch" ? schedule : nil
                )
            }
            rows.append(Row(client: client, results: results, renderTimes: renderTimes, timeout: timeout))
        }
        print(Self.describe(renderTimes, model: model))
        print("")
        print(Row.header)
        for row in rows { print(row.line) }
        print("")
        for line in Self.verdicts(rows) { print(line) }
    }

    /// A render time drawn from the model's mixture, in seconds.
    static func sample(_ model: RenderTimeModel, _ random: inout SeededRandom) -> Double {
        var pick = random.unit()
        var component = model.components[model.components.count - 1]
        for candidate in model.components {
            if pick < candidate.weight {
                component = candidate
                break
            }
            pick -= candidate.weight
        }
        return component.median.secondsValue * exp(component.sigma * random.normal())
    }

    static func describe(_ times: [Double], model: RenderTimeModel) -> String {
        let sorted = times.sorted()
        func share(_ predicate: (Double) -> Bool) -> String {
            String(format: "%.1f%%", 100 * Double(times.count(where: predicate)) / Double(times.count))
        }
        let parts = model.components.map {
            String(
                format: "%.0f%% log-normal(median %.1f min, σ %.2f)", $0.weight * 100, $0.median.secondsValue / 60,
                $0.sigma)
        }
        return """
            \(times.count) renders, durations from RenderTimeModel.heygenAvatar: \(parts.joined(separator: " + "))
            (the seeds' table: "typically 5-15 minutes", "15-20+ minute waits" at peak load)
            drawn: \(share { $0 >= 300 && $0 <= 900 }) between 5 and 15 min, \(share { $0 > 1200 }) past 20 min, \
            \(share { $0 > 1800 }) past 30 min; median \(String(format: "%.1f", sorted[sorted.count / 2] / 60)) min
            """
    }

    static func verdicts(_ rows: [Row]) -> [String] {
        guard rows.count == 4 else { return [] }
        let (a, b, c, d) = (rows[0], rows[1], rows[2], rows[3])
        func check(_ ok: Bool, _ text: String) -> String { (ok ? "PASS  " : "FAIL  ") + text }
        return [
            check(
                d.meanCalls <= a.meanCalls / 4 && d.lagP95 <= 20,
                String(
                    format: "calls/job %.1f <= 1/4 of the seeds' loop (%.1f) with p95 lag %.1f s <= 20 s",
                    d.meanCalls, a.meanCalls / 4, d.lagP95)
            ),
            check(
                d.meanCalls < b.meanCalls && d.lagP95 <= b.lagP95,
                String(
                    format: "fewer calls than the agent skill (%.1f < %.1f) at no worse p95 lag (%.1f <= %.1f s)",
                    d.meanCalls, b.meanCalls, d.lagP95, b.lagP95)
            ),
            check(
                d.meanCalls < c.meanCalls && d.lagP95 <= c.lagP95,
                String(
                    format: "fewer calls than HeyGen's CLI (%.1f < %.1f) at no worse p95 lag (%.1f <= %.1f s)",
                    d.meanCalls, c.meanCalls, d.lagP95, c.lagP95)
            ),
            check(
                d.wronglyGivenUp == 0,
                "reelwatch gave up on \(d.wronglyGivenUp) renders that finished within its 30 min timeout"),
        ]
    }
}

/// One client's figures.
struct Row {
    let client: PollingClient
    let meanCalls: Double
    let p95Calls: Int
    let lagP50: Double
    let lagP95: Double
    let lagMax: Double
    let givenUp: Int
    let wronglyGivenUp: Int

    init(client: PollingClient, results: [PollingClient.Result], renderTimes: [Double], timeout: Double) {
        self.client = client
        let calls = results.map(\.calls).sorted()
        meanCalls = Double(calls.reduce(0, +)) / Double(calls.count)
        p95Calls = calls[Int(Double(calls.count - 1) * 0.95)]
        let lags = results.compactMap(\.lag).sorted()
        lagP50 = lags.isEmpty ? .nan : lags[lags.count / 2]
        lagP95 = lags.isEmpty ? .nan : lags[Int(Double(lags.count - 1) * 0.95)]
        lagMax = lags.last ?? .nan
        givenUp = results.count { $0.lag == nil }
        wronglyGivenUp = zip(results, renderTimes).count { $0.lag == nil && $1 <= timeout }
    }

    static let header = """
        | client | calls/job mean | calls/job p95 | lag p50 | lag p95 | lag max | given up (of which finished within 30 min) |
        |---|---|---|---|---|---|---|
        """

    var line: String {
        String(
            format: "| %@ (%@) | %.1f | %d | %.1f s | %.1f s | %.1f s | %d (%d) |",
            client.name, client.source, meanCalls, p95Calls, lagP50, lagP95, lagMax, givenUp, wronglyGivenUp
        )
    }
}
