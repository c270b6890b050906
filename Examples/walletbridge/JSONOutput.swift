import WalletBridgeSignatureTool

/// A tiny ordered JSON writer for the CLI's `--json` output: keys keep their order and the
/// layout is `"key": value`, so scripts can grep it as well as parse it.
enum JSONOutput {
    case string(String)
    /// An object's member names and values, in order (parallel arrays: a recursive enum
    /// holding tuples trips the compiler).
    case members(names: [String], values: [JSONOutput])

    /// An object from ordered `(name, value)` pairs.
    static func object(_ fields: [(String, JSONOutput)]) -> JSONOutput {
        .members(names: fields.map(\.0), values: fields.map(\.1))
    }

    /// The members as ordered pairs (empty for a string).
    var fields: [(String, JSONOutput)] {
        if case .members(let names, let values) = self { return Array(zip(names, values)) }
        return []
    }

    func rendered(indent: Int = 0) -> String {
        switch self {
        case .string(let text):
            return JSONOutput.quoted(text)
        case .members:
            if fields.isEmpty { return "{}" }
            let pad = String(repeating: "  ", count: indent + 1)
            let body = fields.map { "\(pad)\(JSONOutput.quoted($0.0)): \($0.1.rendered(indent: indent + 1))" }.joined(separator: ",\n")
            return "{\n\(body)\n\(String(repeating: "  ", count: indent))}"
        }
    }

    static func quoted(_ text: String) -> String { jsonString(text) }
}
