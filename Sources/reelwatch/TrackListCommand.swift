import ArgumentParser
import Foundation
import ReelWatch
import ReelWatchStore

/// `reelwatch track list`.
struct TrackListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List tracked jobs: ref, label, state, age, polls, files.",
        discussion: ExitStatus.trackTable
    )

    @Option(
        name: .long,
        help: "Only jobs in this state: new, queued, processing, needs_input, succeeded, failed, cancelled, unknown.",
        transform: { text in
            let word = text.lowercased()
            guard word == "new" || JobState(rawValue: word) != nil else {
                throw ValidationError(
                    "'\(ReelWatchError.printable(text))' is not a state: use new, queued, processing, needs_input, succeeded, failed, cancelled or unknown"
                )
            }
            return word
        }
    )
    var state: String?

    @Flag(name: .long, help: "One JSON line per job: the snapshot's keys plus label, meta, added_at, polls, files.")
    var json = false

    func run() async throws {
        var report = JobReport(json: json)
        let store = try StoreLocation.open(report: &report)
        do throws(ReelWatchError) {
            var jobs = try await store.jobs(in: nil)
            if let state {
                jobs = jobs.filter { ($0.state?.rawValue ?? "new") == state }
            }
            if json {
                for job in jobs { Console.standardOutput.write(TrackedJobText.jsonLine(job) + "\n") }
            } else if jobs.isEmpty {
                Console.standardOutput.write(
                    state == nil ? "no tracked jobs\n" : "no tracked jobs in state \(state!)\n")
            } else {
                let table = TrackedJobText.table(jobs, now: Date(), colour: Console.standardOutput.usesColour)
                Console.standardOutput.write(table + "\n")
            }
        } catch {
            report.print(error)
        }
        throw report.status
    }
}

/// `reelwatch track show REF`.
struct TrackShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show a tracked job: snapshot, history and files.",
        discussion: ExitStatus.trackTable
    )

    @Argument(help: "A job reference.")
    var ref: String

    @Flag(name: .long, help: "One JSON line: as track list --json, plus history.")
    var json = false

    func run() async throws {
        var report = JobReport(json: json)
        guard let ref = report.parse([ref]).first else { throw report.status }
        let store = try StoreLocation.open(report: &report)
        do throws(ReelWatchError) {
            guard let job = try await store.job(ref) else {
                throw ReelWatchError(
                    code: .jobNotFound, message: "not tracked", hint: "reelwatch track add \(ref.printable)", ref: ref)
            }
            let history = try await store.history(of: ref)
            // A batch's members, each tracked as a job of its own (those untracked since are left out).
            var members: [TrackedJob] = []
            for member in job.snapshot?.members ?? [] {
                if let tracked = try await store.job(member) { members.append(tracked) }
            }
            if json {
                guard var object = (try? JSONValue.parse(Array(TrackedJobText.jsonLine(job).utf8)))?.objectValue
                else { return }
                object["history"] = .array(
                    history.map {
                        [
                            "state": .string($0.state.rawValue), "provider_status": .optional($0.providerStatus),
                            "at": .string(ISO8601Timestamp($0.at).description),
                        ]
                    }
                )
                if !members.isEmpty { object["member_jobs"] = .array(members.map(TrackedJobText.memberJSON)) }
                Console.standardOutput.write(
                    String(decoding: JSONValue.object(object).serialized(), as: UTF8.self) + "\n")
            } else {
                let text = TrackedJobText.detail(job, history: history, members: members, text: report.text)
                Console.standardOutput.write(text + "\n")
            }
        } catch {
            report.print(error)
        }
        throw report.status
    }
}
