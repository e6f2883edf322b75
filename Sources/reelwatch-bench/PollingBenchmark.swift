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

    /// How the simulated renders relate to the model every client's schedule was fitted to.
    struct Scenario {
        /// How the rows are labelled.
        var label: String
        /// Each render's duration is the drawn one times this.
        var factor: Double

        /// Renders as the model says (the case the PASS/FAIL lines judge).
        static let matched = Scenario(label: "as modelled", factor: 1)
        /// A provider twice as slow as the model: every duration doubled.
        static let slower = Scenario(label: "2x slower", factor: 2)
        /// A provider twice as fast as the model: every duration halved.
        static let faster = Scenario(label: "2x faster", factor: 0.5)
    }

    func run() throws {
        let model = RenderTimeModel.heygenAvatar
        let timeout = 1800.0
        var random = SeededRandom(seed: seed)
        let renderTimes = (0..<renders).map { _ in Self.sample(model, &random) }
        let clients = [
            PollingClient.seedsLoop, .agentSkill, .heygenCLI, .reelwatch(timeout: timeout),
        ]
        // The schedule keeps the model whatever the renders do: a real provider does not follow the model.
        let schedule = PollSchedule(model: model)
        func replay(_ scenario: Scenario) -> [Row] {
            let times = renderTimes.map { $0 * scenario.factor }
            return clients.map { client in
                var clientRandom = SeededRandom(seed: seed &+ 1)
                let results = times.map {
                    client.run(
                        renderTime: $0,
                        random: &clientRandom,
                        schedule: client.name == "reelwatch" ? schedule : nil
                    )
                }
                return Row(client: client, results: results, renderTimes: times, timeout: timeout)
            }
        }
        let rows = replay(.matched)
        print(Self.describe(renderTimes, model: model))
        print("")
        print(Row.header)
        for row in rows { print(row.line) }
        print("")
        for line in Self.verdicts(rows) { print(line) }

        // The same renders, every duration doubled or halved (the same draws, so the rows compare render by
        // render); the clients, and reelwatch's model, unchanged.
        let mismatches = [Scenario.slower, .faster].map { ($0, replay($0)) }
        print("")
        print(
            """
            Model mismatch: the same renders 2x slower (every duration x2, median \
            \(Self.medianMinutes(renderTimes, times: 2)) min) and 2x faster (x0.5, median \
            \(Self.medianMinutes(renderTimes, times: 0.5)) min);
            every client unchanged, reelwatch's schedule still fitted to RenderTimeModel.heygenAvatar.
            Lag is over the renders seen finished (not those given up on).
            """)
        print("")
        print(Row.mismatchHeader)
        for (index, row) in rows.enumerated() {
            print(row.mismatchLine(Scenario.matched.label))
            for (scenario, replayed) in mismatches { print(replayed[index].mismatchLine(scenario.label)) }
        }
    }

    static func medianMinutes(_ times: [Double], times factor: Double) -> String {
        let sorted = times.sorted()
        return String(format: "%.1f", sorted[sorted.count / 2] * factor / 60)
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

    static let mismatchHeader = """
        | client | renders | calls/job mean | calls/job p95 | lag p50 | lag p95 | lag max | given up (of which \
        finished within 30 min) |
        |---|---|---|---|---|---|---|---|
        """

    /// The row of the mismatch table: the client's name without its description, and which renders.
    func mismatchLine(_ renders: String) -> String {
        String(
            format: "| %@ | %@ | %.1f | %d | %.1f s | %.1f s | %.1f s | %d (%d) |",
            client.name, renders, meanCalls, p95Calls, lagP50, lagP95, lagMax, givenUp, wronglyGivenUp
        )
    }

    var line: String {
        String(
            format: "| %@ (%@) | %.1f | %d | %.1f s | %.1f s | %.1f s | %d (%d) |",
            client.name, client.source, meanCalls, p95Calls, lagP50, lagP95, lagMax, givenUp, wronglyGivenUp
        )
    }
}
