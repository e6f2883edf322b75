import ArgumentParser
import Foundation
import ReelWatch

/// The `reelwatch` command: follows asynchronous AI video renders from job ID to files on disk.
@main
struct ReelWatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reelwatch",
        abstract: "Follow HeyGen and Hera video renders from job ID to a verified file on disk.",
        discussion: """
            Job references are PROVIDER:ID, with PROVIDER one of \(JobRef.prefixList) (heygen is HeyGen's v3 \
            video API).

            Configuration (environment): HEYGEN_API_KEY, HERA_API_KEY, REELWATCH_HEYGEN_URL \
            (default https://api.heygen.com), REELWATCH_HERA_URL (default https://api.hera.video/v1), \
            REELWATCH_HOME (the job store; default ~/.local/share/reelwatch).

            Exit codes: 0 success; 1 a render failed; 2 bad usage; 3 job not found; 4 still running at the \
            deadline; 5 missing or rejected API key; 6 the provider kept failing or answered something invalid; \
            7 a download failed; 8 the job store cannot be used; 9 the webhook secret file cannot be used; 130 interrupted. See 'reelwatch help status' and 'reelwatch help wait'.
            """,
        version: ReelWatchVersion.current,
        subcommands: [
            StatusCommand.self, WaitCommand.self, DownloadCommand.self, TrackCommand.self, RunCommand.self,
            DemoCommand.self, SimulateCommand.self, MCPCommand.self, ServeCommand.self, WebhookCommand.self,
        ]
    )

    /// Every API's ref prefix, in registration order.
    static var prefixes: String { ProviderAPI.allCases.map(\.refPrefix).joined(separator: ", ") }

    /// Parses, runs, and exits with reelwatch's own exit codes: usage errors are 2, not ArgumentParser's 64.
    static func main() async {
        do {
            var command = try await asyncParseAsRoot(
                PackedArguments.pack(Array(CommandLine.arguments.dropFirst()), root: Self.self))
            if var list = command as? any RefListCommand {
                list.refs = PackedArguments.unpack(list.refs)
                command = list
            }
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let status as ExitStatus {
            Foundation.exit(status.rawValue)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                Console.standardOutput.write(fullMessage(for: error) + "\n")
                Foundation.exit(0)
            }
            if let exit = error as? ExitCode {
                Foundation.exit(exit.rawValue)
            }
            let message = message(for: error).split(separator: "\n").first.map(String.init) ?? "invalid usage"
            Console.standardError.write("reelwatch: \(message) (see 'reelwatch --help')\n")
            Foundation.exit(ExitStatus.usage.rawValue)
        }
    }
}
