import Foundation
import ReelWatch
import ReelWatchStore
import Testing

@testable import reelwatch

/// A job's own progress and a wait for a person as `wait`'s lines and `track list`'s table show them.
@Suite("Progress in wait and track list")
struct ProgressDisplayTests {
    static let ref = JobRef(api: .hera, id: "p")

    static func update(
        _ state: JobState, progress: Int?, outcome: JobProgress.Outcome = .running, said: String? = nil
    ) -> JobProgress {
        JobProgress(
            ref: ref, snapshot: JobSnapshot(ref: ref, state: state, progress: progress, agentMessage: said),
            outcome: outcome, polls: 7, elapsed: .seconds(130), expectedRemaining: .seconds(400))
    }

    @Test("wait's line: the percentage beside the state and the time left it gives")
    func waitLine() async {
        let display = WaitDisplay(refs: [Self.ref], mode: .plain)
        #expect(
            await display.line(for: Self.update(.processing, progress: 42), live: false)
                == "hera:p  processing 42%  2m 10s  7 polls  ~6m 40s left")
        #expect(
            await display.line(for: Self.update(.processing, progress: nil), live: false)
                == "hera:p  processing  2m 10s  7 polls  ~6m 40s left")
    }

    @Test("wait's line for a job waiting for a person: what the agent asks, escaped")
    func waitLineNeedsInput() async {
        let display = WaitDisplay(refs: [Self.ref], mode: .plain)
        let said = "Which voice?\u{1B}[2J\u{202E}"
        #expect(
            await display.line(
                for: Self.update(.needsInput, progress: 30, outcome: .needsInput, said: said), live: false)
                == "hera:p  needs input  2m 10s  7 polls  agent says \"Which voice?\\u{1B}[2J\\u{202E}\"")
    }

    @Test("track list: the percentage beside a running job's state, none once it ended")
    func trackTable() {
        let at = Date(timeIntervalSince1970: 1_800_000_000)
        func job(_ id: String, _ state: JobState, _ progress: Int?) -> TrackedJob {
            let ref = JobRef(api: .hera, id: id)
            return TrackedJob(
                ref: ref, addedAt: at, updatedAt: at,
                snapshot: JobSnapshot(ref: ref, state: state, progress: progress), nextPollAt: at)
        }
        let table = TrackedJobText.table(
            [job("a", .processing, 42), job("b", .succeeded, 100), job("c", .needsInput, nil)], now: at,
            colour: false)
        let lines = table.split(separator: "\n").map(String.init)
        #expect(lines[0] == "REF     LABEL  STATE           AGE  POLLS  FILES")
        #expect(lines[1] == "hera:a  -      processing 42%  0s   0      -")
        #expect(lines[2] == "hera:b  -      succeeded       0s   0      -")
        #expect(lines[3] == "hera:c  -      needs_input     0s   0      -")
    }
}
