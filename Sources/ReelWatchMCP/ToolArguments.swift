import MCP
import ReelWatch

/// A tool call's arguments, read against the tool's schema: a missing required argument, a wrong type or an
/// argument the tool does not take is protocol misuse (`invalid params`), never a crash.
struct ToolArguments: Sendable {
    let tool: String
    private let values: [String: Value]

    /// Reads `values` for `tool`, refusing names outside `allowed`.
    init(tool: String, values: [String: Value]?, allowed: Set<String>) throws(MCPError) {
        self.tool = tool
        self.values = values ?? [:]
        if let unknown = self.values.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw MCPError.invalidParams("\(tool): unknown argument '\(ReelWatchError.printable(unknown))'")
        }
    }

    /// `refs`: a non-empty array of strings (each is parsed later: a malformed ref is a tool error).
    func refs() throws(MCPError) -> [String] {
        guard let refs = try strings("refs") else { throw MCPError.invalidParams("\(tool): 'refs' is required") }
        guard !refs.isEmpty else { throw MCPError.invalidParams("\(tool): 'refs' must list at least one ref") }
        return refs
    }

    /// An optional string.
    func string(_ key: String) throws(MCPError) -> String? {
        guard let value = present(key) else { return nil }
        guard let text = value.stringValue else { throw wrongType(key, "a string") }
        return text
    }

    /// An optional non-empty string.
    func nonEmptyString(_ key: String) throws(MCPError) -> String? {
        guard let text = try string(key) else { return nil }
        guard !text.isEmpty else { throw MCPError.invalidParams("\(tool): '\(key)' must not be empty") }
        return text
    }

    /// An optional boolean.
    func bool(_ key: String) throws(MCPError) -> Bool? {
        guard let value = present(key) else { return nil }
        guard let flag = value.boolValue else { throw wrongType(key, "a boolean") }
        return flag
    }

    /// An optional number (an integer or a decimal).
    func number(_ key: String) throws(MCPError) -> Double? {
        guard let value = present(key) else { return nil }
        if let integer = value.intValue { return Double(integer) }
        guard let number = value.doubleValue, number.isFinite else { throw wrongType(key, "a number") }
        return number
    }

    /// An optional integer (a decimal with no fraction counts).
    func integer(_ key: String) throws(MCPError) -> Int? {
        guard let number = try number(key) else { return nil }
        guard let integer = Int(exactly: number) else { throw wrongType(key, "an integer") }
        return integer
    }

    /// An optional array of strings.
    func strings(_ key: String) throws(MCPError) -> [String]? {
        guard let value = present(key) else { return nil }
        guard let array = value.arrayValue else { throw wrongType(key, "an array of strings") }
        var texts: [String] = []
        for element in array {
            guard let text = element.stringValue else { throw wrongType(key, "an array of strings") }
            texts.append(text)
        }
        return texts
    }

    /// An optional object of string values.
    func stringMap(_ key: String) throws(MCPError) -> [String: String]? {
        guard let value = present(key) else { return nil }
        guard let object = value.objectValue else { throw wrongType(key, "an object of strings") }
        var map: [String: String] = [:]
        for (name, element) in object {
            guard let text = element.stringValue else { throw wrongType(key, "an object of strings") }
            map[name] = text
        }
        return map
    }

    /// `assets`: a list of file kinds, or nil for the defaults.
    func assets() throws(MCPError) -> AssetSelection? {
        guard let kinds = try strings("assets") else { return nil }
        guard !kinds.isEmpty, let selection = AssetSelection(parsing: kinds.joined(separator: ",")) else {
            throw MCPError.invalidParams("\(tool): 'assets' must list \(AssetSelection.wordList)")
        }
        return selection
    }

    /// The value of `key` unless absent or null (null stands for "not given").
    private func present(_ key: String) -> Value? {
        guard let value = values[key], !value.isNull else { return nil }
        return value
    }

    private func wrongType(_ key: String, _ expected: String) -> MCPError {
        MCPError.invalidParams("\(tool): '\(key)' must be \(expected)")
    }
}
