import Foundation

/// The result of signing a case.
public struct SignReport: Sendable {
    /// The value as it goes on the wire (a `Signature` header value, a checksum, an X-SIGNATURE).
    public let wireValue: String
    /// Named outputs in the vector files' `expected` vocabulary, in a stable order.
    public let fields: [(name: String, value: String)]
    /// Lines explaining what was signed, secrets masked unless asked otherwise.
    public let explanation: [String]

    /// The outputs as one JSON object.
    public func json() -> String { jsonObject(fields) }
}

/// The result of verifying a case: whether the signature is valid, and why.
public struct VerifyReport: Sendable {
    /// Whether the signature is valid.
    public let valid: Bool
    /// Why, in one sentence.
    public let reason: String
    /// What was verified, secrets masked.
    public let explanation: [String]
}

/// Renders ordered string fields as a JSON object.
func jsonObject(_ fields: [(name: String, value: String)]) -> String {
    "{" + fields.map { "\(jsonString($0.name)):\(jsonString($0.value))" }.joined(separator: ",") + "}"
}

/// A JSON string literal for `text`: diff-friendly, non-ASCII kept as is, controls escaped.
public func jsonString(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case _ where scalar.value < 0x20:
            out += String(format: "\\u%04x", scalar.value)
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}

/// Explanation lines for a signed or hashed text.
func explainText(_ label: String, _ text: String) -> [String] {
    ["\(label) (\(text.utf8.count) bytes, shown as a JSON string):", "  " + jsonString(text)]
}
