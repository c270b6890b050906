import Foundation

/// A parsed configuration tree, the common shape of JSON and TOML profile files.
public indirect enum ConfigValue: Sendable, Equatable {
    /// A string.
    case string(String)
    /// A whole number.
    case integer(Int64)
    /// `true` or `false`.
    case bool(Bool)
    /// Named values.
    case table([String: ConfigValue])

    /// The value as text (integers and booleans as written).
    public var text: String? {
        switch self {
        case .string(let text): return text
        case .integer(let value): return String(value)
        case .bool(let value): return String(value)
        case .table: return nil
        }
    }

    /// The value as a table.
    public var table: [String: ConfigValue]? {
        if case .table(let table) = self { return table }
        return nil
    }

    /// Parses JSON objects, strings, integers and booleans (no floats: nothing here is fractional).
    public static func parseJSON(_ bytes: [UInt8]) throws(ProfileError) -> ConfigValue {
        do {
            return try JSONDecoder().decode(JSONNode.self, from: Data(bytes)).value
        } catch let error as DecodingError {
            throw ProfileError("not a valid profile JSON document: \(JSONNode.explain(error))")
        } catch {
            throw ProfileError("not valid JSON: \(error)")
        }
    }

    private struct JSONNode: Decodable {
        let value: ConfigValue

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let bool = try? container.decode(Bool.self) {
                value = .bool(bool)
            } else if let integer = try? container.decode(Int64.self) {
                value = .integer(integer)
            } else if let text = try? container.decode(String.self) {
                value = .string(text)
            } else if let table = try? container.decode([String: JSONNode].self) {
                value = .table(table.mapValues(\.value))
            } else {
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "only objects, strings, whole numbers and booleans are allowed")
            }
        }

        static func explain(_ error: DecodingError) -> String {
            switch error {
            case .dataCorrupted(let context), .typeMismatch(_, let context), .valueNotFound(_, let context), .keyNotFound(_, let context):
                let path = context.codingPath.map(\.stringValue).joined(separator: ".")
                return path.isEmpty ? context.debugDescription : "\(path): \(context.debugDescription)"
            @unknown default:
                return "\(error)"
            }
        }
    }
}
