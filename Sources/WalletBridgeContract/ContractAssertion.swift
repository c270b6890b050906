/// The scenarios' small assertion language, one JSON object per field:
/// `{"exists": true}`, `{"absent": true}`, `{"equals": "succeeded"}`,
/// `{"oneOf": ["pending", "succeeded"]}`, `{"echoes": "amount"}` (equals a request field:
/// `amount`, `reference`, `refundAmount`).
public enum ContractAssertion: Codable, Sendable, Equatable, CustomStringConvertible {
    /// The field has a value.
    case exists
    /// The field has no value.
    case absent
    /// The field's text equals this.
    case equals(String)
    /// The field's text is one of these.
    case oneOf([String])
    /// The field equals what the request sent in this field.
    case echoes(String)

    private enum Keys: String, CodingKey { case exists, absent, equals, oneOf, echoes }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Keys.self)
        guard container.allKeys.count == 1, let key = container.allKeys.first else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "an assertion has exactly one of exists, absent, equals, oneOf, echoes"))
        }
        switch key {
        case .exists: self = .exists
        case .absent: self = .absent
        case .equals:
            if let text = try? container.decode(String.self, forKey: .equals) {
                self = .equals(text)
            } else if let number = try? container.decode(Int.self, forKey: .equals) {
                self = .equals(String(number))
            } else {
                self = .equals(String(try container.decode(Bool.self, forKey: .equals)))
            }
        case .oneOf: self = .oneOf(try container.decode([String].self, forKey: .oneOf))
        case .echoes: self = .echoes(try container.decode(String.self, forKey: .echoes))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        switch self {
        case .exists: try container.encode(true, forKey: .exists)
        case .absent: try container.encode(true, forKey: .absent)
        case .equals(let value): try container.encode(value, forKey: .equals)
        case .oneOf(let values): try container.encode(values, forKey: .oneOf)
        case .echoes(let field): try container.encode(field, forKey: .echoes)
        }
    }

    /// Checks `value` (nil when the field is absent); `request` gives the echoed fields.
    /// Returns nil when it holds, or why not.
    public func check(_ field: String, _ value: String?, request: [String: String]) -> String? {
        switch self {
        case .exists: return value == nil ? "\(field) is absent, expected a value" : nil
        case .absent: return value.map { "\(field) is \($0), expected absent" }
        case .equals(let expected): return value == expected ? nil : "\(field) is \(value ?? "absent"), expected \(expected)"
        case .oneOf(let options):
            return value.map(options.contains) == true ? nil : "\(field) is \(value ?? "absent"), expected one of \(options.joined(separator: ", "))"
        case .echoes(let source):
            let expected = request[source]
            return value != nil && value == expected ? nil : "\(field) is \(value ?? "absent"), expected the request's \(source) \(expected ?? "?")"
        }
    }

    public var description: String {
        switch self {
        case .exists: return "exists"
        case .absent: return "absent"
        case .equals(let value): return "= \(value)"
        case .oneOf(let values): return "in [\(values.joined(separator: ", "))]"
        case .echoes(let field): return "echoes \(field)"
        }
    }
}
