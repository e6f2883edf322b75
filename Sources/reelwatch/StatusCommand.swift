import ArgumentParser
import ReelWatch

/// `reelwatch status REF...`: the current status of each render, once.
struct StatusCommand: AsyncParsableCommand, RefListCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the current status of one or more renders.",
        discussion: """
            Fetches every ref concurrently and prints one block per job (or one JSON object per line with \
            --json), in the order given.

            \(ExitStatus.table)
            """
    )

    @Argument(help: "Job references PROVIDER:ID, PROVIDER one of \(JobRef.prefixList).")
    var refs: [String]

    @OptionGroup var options: CommonOptions

    func run() async throws {
        var report = JobReport(json: options.json)
        let client = try options.makeClient(report: &report)
        await Self.report(refs, client: client, into: &report)
        throw report.status
    }

    /// Parses `texts`, fetches every valid ref and prints each job's line in order; malformed refs get
    /// their error line in place.
    private static func report(_ texts: [String], client: StatusClient, into report: inout JobReport) async {
        var parsed: [Result<JobRef, ReelWatchError>] = []
        for text in texts {
            do {
                parsed.append(.success(try JobRef(parsing: text)))
            } catch {
                parsed.append(.failure(error))
            }
        }
        let valid = parsed.compactMap { try? $0.get() }
        var position = 0
        func flushErrors(_ report: inout JobReport) {
            while position < parsed.count, case .failure(let error) = parsed[position] {
                report.print(error)
                position += 1
            }
        }
        flushErrors(&report)
        var local = report
        await client.snapshots(of: valid) { _, result in
            switch result {
            case .success(let snapshot): local.print(snapshot)
            case .failure(let error): local.print(error)
            }
            position += 1
            flushErrors(&local)
        }
        report = local
    }
}
