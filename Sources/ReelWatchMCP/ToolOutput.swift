import MCP
import ReelWatch

/// How a tool's answer is built: structured content with the CLI's `--json` keys, a short text summary for the
/// agent to read, and errors as the CLI's envelope `{"error": {code, message, hint, ref}}` with `isError` set.
enum ToolOutput {
    /// A successful result.
    static func success(_ structured: [String: Value], summary: [String]) -> CallTool.Result {
        CallTool.Result(
            content: [.text(text: summary.joined(separator: "\n"), annotations: nil, _meta: nil)],
            structuredContent: .object(structured),
            isError: false
        )
    }

    /// A failed result: the first error's envelope, every error under `errors` when there are several, and what the
    /// call did manage under the other keys of `partial`.
    static func failure(
        _ errors: [ReelWatchError], partial: [String: Value] = [:], summary: [String] = []
    ) -> CallTool.Result {
        let envelopes = errors.map { value($0.envelope(hint: AgentAdvice.hint(for: $0))) }
        var structured = partial
        structured["error"] = envelopes.first?.objectValue?["error"] ?? .null
        if errors.count > 1 { structured["errors"] = .array(envelopes) }
        let lines =
            summary
            + errors.map { error in
                "error \(error.code): \(error)" + (AgentAdvice.hint(for: error).map { " — \($0)" } ?? "")
            }
        return CallTool.Result(
            content: [.text(text: lines.joined(separator: "\n"), annotations: nil, _meta: nil)],
            structuredContent: .object(structured),
            isError: true
        )
    }

    /// The snapshot with exactly the keys of its `--json` line.
    static func snapshot(_ snapshot: JobSnapshot) -> Value {
        (try? JSONValue.parse(Array(snapshot.jsonLine().utf8))).map(value) ?? .null
    }

    /// A one-line summary of a snapshot: `REF: STATE "TITLE"`.
    static func line(_ snapshot: JobSnapshot) -> String {
        let title = snapshot.title.map { " \"\(ReelWatchError.printable($0, limit: 60))\"" } ?? ""
        return "\(snapshot.ref.printable): \(snapshot.state.rawValue)\(title)"
    }

    /// A one-line summary of a saved file.
    static func line(_ file: DownloadResult) -> String {
        "\(file.ref.printable): saved \(ReelWatchError.printable(file.path, limit: 4096)) (\(file.bytes) bytes, sha256 \(file.sha256.prefix(12))…)"
    }

    /// `json` as an MCP value (integral numbers as integers).
    static func value(_ json: JSONValue) -> Value {
        switch json {
        case .null: .null
        case .bool(let flag): .bool(flag)
        case .number(let number):
            if let integer = Int(exactly: number) { .int(integer) } else { .double(number) }
        case .largeInteger(let digits): Int(digits).map { .int($0) } ?? .string(digits)
        case .string(let text): .string(text)
        case .array(let elements): .array(elements.map(value))
        case .object(let members): .object(members.mapValues(value))
        }
    }
}
