import ArgumentParser
import AsyncHTTPClient
import Foundation
import ReelWatch
import ReelWatchMCP
import ReelWatchStore

/// `reelwatch mcp`: serves the render tools to an AI agent over the Model Context Protocol on stdio.
struct MCPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mcp",
        abstract: "Serve status, wait, download and the job list to an AI agent over MCP (stdio).",
        discussion: """
            Speaks the Model Context Protocol on stdin/stdout (stdout carries only the protocol; warnings go to \
            stderr) until the client closes stdin. Tools: status, wait (progress notifications, cancellation; a \
            timeout returns the jobs still running), download, track, untrack, list_tracked. Same environment \
            (API keys, base URLs, REELWATCH_HOME), engine and job store as the other commands; the flags set the \
            polling, rate and download bounds of every call, --timeout the default of wait's timeout_seconds.

            'reelwatch mcp --print-config' prints what to add to an MCP client's configuration.
            """
    )

    @Flag(name: .long, help: "Print the JSON that adds reelwatch to an MCP client's configuration, and exit.")
    var printConfig = false

    @OptionGroup var watch: WatchFlags
    @OptionGroup(title: "Download Options") var files: DownloadFlags
    @OptionGroup var options: CommonOptions

    /// The variables a client's configuration passes to the server: names and what to put there, never a value.
    static let variables = [
        "HEYGEN_API_KEY": "<your HeyGen API key>",
        "HERA_API_KEY": "<your Hera API key, if you use Hera>",
    ]

    func run() async throws {
        if printConfig {
            Console.standardOutput.write(Self.clientConfiguration(command: Self.executablePath()) + "\n")
            return
        }
        var report = JobReport(json: options.json)
        let client = try options.makeClient(report: &report)
        let logger = options.makeLogger()
        let http = FileLine.makeHTTPClient()
        let environment = ToolEnvironment(
            client: client,
            downloader: options.makeDownloader(client: client, http: http),
            watch: watch.options,
            selection: files.assets ?? .defaults,
            naming: FileNaming(fromTitle: files.nameFromTitle),
            downloadConcurrency: files.parallel,
            followStore: { FollowStore.make(logger: logger) },
            trackedStore: { () throws(ReelWatchError) -> any JobStore in try SQLiteJobStore(path: StoreLocation.path())
            },
            // Relative to the directory the server was started in, as `track add --download` resolves it.
            resolveDirectory: { StoreLocation.absolute($0) },
            logger: logger
        )
        // A client that closes its end of stdout ends the session (the transport sees EPIPE), not the process.
        signal(SIGPIPE, SIG_IGN)
        let transport = StdioLineTransport(logger: logger)
        do {
            try await ReelWatchMCPServer(environment: environment).run(transport: transport)
        } catch {
            let reason = ReelWatchError.printable(String(describing: error))
            report.print(ReelWatchError(code: .invalidResponse, message: "the MCP session failed: \(reason)"))
        }
        // Stdin and stdout are left as they were inherited (a terminal or a pipe stays blocking).
        await transport.disconnect()
        try? await http.shutdown()
        throw report.status
    }

    /// `{"mcpServers": {"reelwatch": {"command": …, "args": ["mcp"], "env": {…}}}}`, pretty-printed.
    static func clientConfiguration(command: String) -> String {
        let entry: [String: Any] = ["command": command, "args": ["mcp"], "env": variables]
        let object: [String: Any] = ["mcpServers": ["reelwatch": entry]]
        let options: JSONSerialization.WritingOptions = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: options) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    /// The absolute path of the running binary.
    static func executablePath() -> String {
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return path }
        return StoreLocation.absolute(CommandLine.arguments.first ?? "reelwatch")
    }
}
