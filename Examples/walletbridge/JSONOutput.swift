import WalletBridgeSignatureTool

/// A tiny ordered JSON writer for the CLI's `--json` output: keys keep their order and the
/// layout is `"key": value`, so scripts can grep it as well as parse it. Values have their real
/// JSON types: strings, booleans, integers (money stays an exact decimal string, beside its
/// integer minor units), objects and arrays; a field with no value is left out, never `""`.
enum JSONOutput {
    case string(String)
    case bool(Bool)
    case integer(Int64)
    /// An object's member names and values, in order (parallel arrays: a recursive enum
    /// holding tuples trips the compiler).
    case members(names: [String], values: [JSONOutput])
    case items([JSONOutput])

    /// An object from ordered `(name, value)` pairs; pairs whose value is nil are left out.
    static func object(_ fields: [(String, JSONOutput?)]) -> JSONOutput {
        let present = fields.compactMap { name, value in value.map { (name, $0) } }
        return .members(names: present.map(\.0), values: present.map(\.1))
    }

    /// A string, or nil (the field is left out) when `text` is nil or empty.
    static func text(_ text: String?) -> JSONOutput? {
        guard let text, !text.isEmpty else { return nil }
        return .string(text)
    }

    /// The members as ordered pairs (empty for anything but an object).
    var fields: [(String, JSONOutput)] {
        if case .members(let names, let values) = self { return Array(zip(names, values)) }
        return []
    }

    func rendered(indent: Int = 0) -> String {
        switch self {
        case .string(let text):
            return JSONOutput.quoted(text)
        case .bool(let value):
            return value ? "true" : "false"
        case .integer(let value):
            return String(value)
        case .items(let items):
            return "[" + items.map { $0.rendered(indent: indent) }.joined(separator: ", ") + "]"
        case .members:
            if fields.isEmpty { return "{}" }
            let pad = String(repeating: "  ", count: indent + 1)
            let body = fields.map { "\(pad)\(JSONOutput.quoted($0.0)): \($0.1.rendered(indent: indent + 1))" }.joined(separator: ",\n")
            return "{\n\(body)\n\(String(repeating: "  ", count: indent))}"
        }
    }

    /// The value as a line of text (for the readable output).
    var plain: String {
        switch self {
        case .string(let text): return text
        case .bool(let value): return value ? "true" : "false"
        case .integer(let value): return String(value)
        case .items(let items): return items.map(\.plain).joined(separator: ", ")
        case .members: return rendered()
        }
    }

    static func quoted(_ text: String) -> String { jsonString(text) }
}
