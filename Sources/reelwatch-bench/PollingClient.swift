import ReelWatch

/// A way of polling one render, replayed in virtual time: when it polls, and when it gives up.
struct PollingClient: Sendable {
    /// What happened to one render.
    struct Result {
        var calls: Int
        /// Time from the real completion to the poll that saw it; nil when the client gave up first.
        var lag: Double?
    }

    let name: String
    let source: String
    /// Given the time of the poll just made (seconds since the render started) and a random number, the time of
    /// the next poll, or nil to give up.
    let next: @Sendable (inout State, Double, inout SeededRandom) -> Double?

    struct State: Sendable {
        var cursor: PollSchedule.Cursor?
        var delay: Double = 0
    }

    /// Replays the client against a render that finishes `renderTime` seconds after it starts.
    func run(renderTime: Double, random: inout SeededRandom, schedule: PollSchedule?) -> Result {
        var state = State(cursor: schedule.map(PollSchedule.Cursor.init))
        var time = 0.0
        var calls = 0
        while true {
            calls += 1
            if time >= renderTime { return Result(calls: calls, lag: time - renderTime) }
            guard let following = next(&state, time, &random) else { return Result(calls: calls, lag: nil) }
            time = following
        }
    }

    /// (a) The seeds' loop: every 5 s while less than 10 minutes have passed.
    static let seedsLoop = PollingClient(name: "seeds' loop", source: "every 5 s, gives up at 10 min") { _, time, _ in
        time + 5 < 600 ? time + 5 : nil
    }

    /// (b) HeyGen's agent-skill cadence.
    static let agentSkill = PollingClient(
        name: "HeyGen agent skill",
        source: "10 s to 2 min, 30 s to 5 min, 60 s after, gives up at 15 min"
    ) { _, time, _ in
        let delay = time < 120 ? 10.0 : time < 300 ? 30 : 60
        return time + delay <= 900 ? time + delay : nil
    }

    /// (c) HeyGen's CLI.
    static let heygenCLI = PollingClient(
        name: "HeyGen CLI",
        source: "2 s doubling to a 30 s cap, gives up at 20 min"
    ) { state, time, _ in
        state.delay = state.delay == 0 ? 2 : min(30, state.delay * 2)
        return time + state.delay <= 1200 ? time + state.delay : nil
    }

    /// (d) reelwatch's ``PollSchedule`` with its defaults (5–60 s, 30 min timeout).
    static func reelwatch(timeout: Double) -> PollingClient {
        PollingClient(
            name: "reelwatch",
            source: "PollSchedule defaults: 5–60 s, model-driven, 30 min timeout"
        ) { state, time, random in
            let age = Duration.milliseconds(Int64(time * 1000))
            let delay = state.cursor?.next(
                jobAge: age,
                untilDeadline: .milliseconds(Int64(timeout * 1000)) - age,
                unitRandom: random.unit()
            )
            return delay.map { time + $0.secondsValue }
        }
    }
}
