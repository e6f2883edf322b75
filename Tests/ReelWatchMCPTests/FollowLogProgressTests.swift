import ReelWatch
import ReelWatchDaemon
import Testing

@testable import ReelWatchMCP

/// MCP progress notifications: a count while no job reports its own progress, the call's percentage once one does,
/// always higher than the last.
@Suite("MCP progress from the jobs' own percentages")
struct FollowLogProgressTests {
    actor Sent {
        private(set) var notes: [(progress: Double, total: Double?, message: String)] = []
        func add(_ progress: Double, _ total: Double?, _ message: String) { notes.append((progress, total, message)) }
    }

    static func polled(
        _ id: String, _ state: JobState, progress: Int?, outcome: JobProgress.Outcome = .running
    )
        -> TrackerEvent
    {
        let ref = JobRef(api: .hera, id: id)
        return .polled(
            JobProgress(
                ref: ref, snapshot: JobSnapshot(ref: ref, state: state, progress: progress), outcome: outcome,
                polls: 1, elapsed: .seconds(10)),
            changed: false)
    }

    @Test("two jobs: counts first, then the mean percentage out of 100; a poll that did not move still goes up")
    func percentages() async {
        let sent = Sent()
        let log = FollowLog(jobCount: 2) { progress, total, message in await sent.add(progress, total, message) }
        await log.record(Self.polled("a", .queued, progress: nil))
        await log.record(Self.polled("a", .processing, progress: 40))
        await log.record(Self.polled("b", .processing, progress: 60))
        await log.record(Self.polled("b", .processing, progress: 60))
        await log.record(Self.polled("a", .succeeded, progress: 100, outcome: .succeeded))
        let notes = await sent.notes
        #expect(notes.map(\.total) == [nil, 100, 100, 100, 100])
        #expect(notes[0].progress == 1)
        #expect(notes[1].progress == 20)
        #expect(notes[2].progress == 50)
        #expect(notes[3].progress > 50 && notes[3].progress < 50.1)
        #expect(notes[4].progress == 80)
        #expect(notes[1].message == "hera:a: processing 40% after 10s; 0 of 2 jobs ended")
    }

    @Test("a job waiting for a person: said so in the message, and it counts as ended")
    func needsInput() async {
        let sent = Sent()
        let log = FollowLog(jobCount: 1) { progress, total, message in await sent.add(progress, total, message) }
        await log.record(Self.polled("a", .needsInput, progress: 30, outcome: .needsInput))
        let notes = await sent.notes
        #expect(notes.map(\.message) == ["hera:a: waiting for a person (needs_input) after 10s; 1 of 1 jobs ended"])
        #expect(notes.first?.progress == 100)
    }
}
