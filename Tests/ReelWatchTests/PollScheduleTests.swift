import ReelWatch
import Testing

@Suite("Poll schedule")
struct PollScheduleTests {
    let schedule = PollSchedule(model: .heygenAvatar)
    let hour = Duration.seconds(3600)

    @Test("the avatar model matches the documents: most renders 5–15 min, some past 20")
    func model() {
        let model = RenderTimeModel.heygenAvatar
        let typical = model.cumulative(.seconds(900)) - model.cumulative(.seconds(300))
        #expect(typical > 0.8 && typical < 0.9)
        let past20 = 1 - model.cumulative(.seconds(1200))
        #expect(past20 > 0.02 && past20 < 0.05)
        #expect(abs(RenderTimeModel.heraMotionGraphics.median.secondsValue - 60) < 0.5)
        let q = model.quantile(0.3)
        #expect(abs(model.cumulative(q) - 0.3) < 0.001)
    }

    @Test("every interval stays within [min delay, max delay], whatever the age, phase and jitter")
    func bounds() {
        for custom in [
            schedule, PollSchedule(model: .heraMotionGraphics, minDelay: .seconds(2), maxDelay: .seconds(30)),
        ] {
            for age in stride(from: 0, through: 3600, by: 7) {
                for random in [0, 0.37, 0.5, 0.999, 1] {
                    for backoff in [0, 1, 3, 40] {
                        for unknown in [false, true] {
                            let situation = PollSchedule.Situation(
                                jobAge: .seconds(age),
                                untilDeadline: hour,
                                backoffPolls: backoff,
                                stateUnknown: unknown
                            )
                            let delay = custom.nextDelay(situation, unitRandom: random)!
                            #expect(delay >= custom.minDelay && delay <= custom.maxDelay, "age \(age) random \(random)")
                        }
                    }
                }
            }
        }
    }

    @Test("rare polls before the window, lag-target polls in it, never overshooting its start")
    func phases() {
        let start = RenderTimeModel.heygenAvatar.windowStart
        #expect(start > .seconds(300) && start < .seconds(360))
        let young = PollSchedule.Situation(jobAge: .zero, untilDeadline: hour)
        #expect(schedule.phase(of: young) == .early)
        #expect(schedule.nextDelay(young, unitRandom: 0) == .seconds(60))
        let almost = PollSchedule.Situation(jobAge: start - .seconds(25), untilDeadline: hour)
        #expect(schedule.nextDelay(almost, unitRandom: 0) == .seconds(25))
        let peak = PollSchedule.Situation(jobAge: .seconds(540), untilDeadline: hour)
        #expect(schedule.phase(of: peak) == .window)
        #expect(schedule.nextDelay(peak, unitRandom: 0) == .seconds(20))
    }

    @Test("jitter stays within its share of the interval")
    func jitter() {
        let peak = PollSchedule.Situation(jobAge: .seconds(540), untilDeadline: hour)
        for random in stride(from: 0.0, through: 1.0, by: 0.1) {
            let delay = schedule.nextDelay(peak, unitRandom: random)!
            #expect(delay <= .seconds(20) && delay >= .seconds(19))
            #expect(delay == .seconds(20) * (1 - 0.05 * random))
        }
    }

    @Test("overdue jobs back off exponentially with full jitter between min delay and a doubling cap")
    func backoff() {
        let late = RenderTimeModel.heygenAvatar.windowEnd + .seconds(1)
        var caps: [Duration] = []
        for polls in 0..<5 {
            let situation = PollSchedule.Situation(jobAge: late, untilDeadline: hour, backoffPolls: polls)
            #expect(schedule.phase(of: situation) == .backoff)
            #expect(schedule.nextDelay(situation, unitRandom: 0) == .seconds(5))
            caps.append(schedule.nextDelay(situation, unitRandom: 1)!)
        }
        #expect(caps == [.seconds(40), .seconds(60), .seconds(60), .seconds(60), .seconds(60)])
        let unknown = PollSchedule.Situation(jobAge: .seconds(30), untilDeadline: hour, stateUnknown: true)
        #expect(schedule.nextDelay(unknown, unitRandom: 1) == .seconds(10))
    }

    @Test("one step counts a poll towards backoff only in the backoff phase; a cursor steps the same way")
    func step() {
        let young = PollSchedule.Situation(jobAge: .seconds(10), untilDeadline: hour, backoffPolls: 2)
        #expect(schedule.phase(of: young) != .backoff)
        #expect(schedule.step(young, unitRandom: 0.5).backoffPolls == 2)
        #expect(schedule.step(young, unitRandom: 0.5).delay == schedule.nextDelay(young, unitRandom: 0.5))
        let late = RenderTimeModel.heygenAvatar.windowEnd + .seconds(1)
        var cursor = PollSchedule.Cursor(schedule)
        var count = 0
        for poll in 0..<4 {
            let situation = PollSchedule.Situation(jobAge: late, untilDeadline: hour, backoffPolls: count)
            let step = schedule.step(situation, unitRandom: 0.9)
            #expect(step.backoffPolls == poll + 1)
            #expect(cursor.next(jobAge: late, untilDeadline: hour, unitRandom: 0.9) == step.delay)
            #expect(cursor.backoffPolls == step.backoffPolls)
            count = step.backoffPolls
        }
        let ended = PollSchedule.Situation(jobAge: late, untilDeadline: .zero, backoffPolls: 1)
        #expect(schedule.step(ended, unitRandom: 0.5).delay == nil)
    }

    @Test("Retry-After is honoured, even beyond max delay")
    func retryAfter() {
        let peak = PollSchedule.Situation(jobAge: .seconds(540), untilDeadline: hour, retryAfter: .seconds(90))
        #expect(schedule.nextDelay(peak, unitRandom: 0) == .seconds(90))
        let small = PollSchedule.Situation(jobAge: .seconds(540), untilDeadline: hour, retryAfter: .seconds(1))
        #expect(schedule.nextDelay(small, unitRandom: 0) == .seconds(20))
    }

    @Test("the last poll happens at the deadline, not before it and not a sliver before it")
    func deadline() {
        let atDeadline = PollSchedule.Situation(jobAge: .zero, untilDeadline: .seconds(40))
        #expect(schedule.nextDelay(atDeadline, unitRandom: 0) == .seconds(40))
        let sliver = PollSchedule.Situation(jobAge: .zero, untilDeadline: .seconds(63))
        #expect(schedule.nextDelay(sliver, unitRandom: 0) == .seconds(63))
        let room = PollSchedule.Situation(jobAge: .zero, untilDeadline: .seconds(66))
        #expect(schedule.nextDelay(room, unitRandom: 0) == .seconds(60))
        let limited = PollSchedule.Situation(jobAge: .zero, untilDeadline: .seconds(30), retryAfter: .seconds(90))
        #expect(schedule.nextDelay(limited, unitRandom: 0) == .seconds(30))
        #expect(schedule.nextDelay(PollSchedule.Situation(jobAge: .zero, untilDeadline: .zero), unitRandom: 0) == nil)
    }
}
