import ReelWatch
import Testing

@testable import ReelWatchSimulator

/// The simulator's generic needs-input phase: a job's `needsInputDuring` window, said with the word of an API that
/// has one. No registered API has one yet (the Video Agent's will): a stand-in plays the API here.
@Suite("Simulated needs-input phase")
struct SimulatedNeedsInputTests {
    /// An API whose jobs can wait for a person.
    struct Agent: SimulatedAPI {
        var needsInputWord: String? = "waiting_for_input"
        var api: ProviderAPI { .hera }
        var statusRoute: String { "/heygen/v3/video-agents/:id" }
        func statusWord(phase: SimulatedPhase, outcome: SimulatedJob.Outcome) -> String {
            switch phase {
            case .waiting, .queued: "thinking"
            case .processing: "generating"
            case .done: outcome == .success ? "completed" : "failed"
            }
        }
        func body(_ status: SimulatedStatus) -> JSONValue { ["status": .string(status.word)] }
        func files(for job: SimulatedJob) -> [StatusBodies.File] { [] }
        var notFound: SimulatorResponse { .json(["error": "not found"], status: 404) }
        var documentedFailure: SimulatedJob.Outcome { .failure(code: "x", message: "y", detail: nil) }
    }

    static let job = SimulatedJob(
        ref: JobRef(api: .hera, id: "a"), queueTime: .seconds(10), renderTime: .seconds(100),
        needsInputDuring: Duration.seconds(30)..<Duration.seconds(60))

    @Test("the API's word while the job is in its window and not over; its usual word before, after and when done")
    func window() {
        let agent = Agent()
        #expect(agent.statusWord(for: Self.job, phase: .processing, elapsed: .seconds(29)) == "generating")
        #expect(agent.statusWord(for: Self.job, phase: .processing, elapsed: .seconds(30)) == "waiting_for_input")
        #expect(agent.statusWord(for: Self.job, phase: .processing, elapsed: .seconds(59)) == "waiting_for_input")
        #expect(agent.statusWord(for: Self.job, phase: .processing, elapsed: .seconds(60)) == "generating")
        #expect(agent.statusWord(for: Self.job, phase: .done, elapsed: .seconds(45)) == "completed")
        // The word maps to needs_input.
        #expect(JobState(providerStatus: ProviderStatus(rawValue: "waiting_for_input")) == .needsInput)
    }

    @Test("an API without the word, or a job without the window, never says it")
    func noWord() {
        var plain = Agent()
        plain.needsInputWord = nil
        #expect(plain.statusWord(for: Self.job, phase: .processing, elapsed: .seconds(45)) == "generating")
        var job = Self.job
        job.needsInputDuring = nil
        #expect(Agent().statusWord(for: job, phase: .processing, elapsed: .seconds(45)) == "generating")
    }
}
