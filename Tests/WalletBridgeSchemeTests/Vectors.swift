import Foundation
import Testing

/// One case from `Tests/Fixtures/vectors/*.json` (byte-for-byte copies of the shared vectors).
struct VectorCase: Sendable, CustomTestStringConvertible {
    let id: String
    let scheme: String
    let operation: String
    let kind: String
    /// The case object as JSON, ready for ``WalletBridgeSignatureTool``.
    let json: Data
    /// The string-valued `expected` fields other than `official`.
    let expectedFields: [String: String]
    /// `expected.valid`, for sign and verify cases.
    let valid: Bool?
    /// `expected.error`, for amount cases.
    let expectedError: String?
    let amount: String?
    let currency: String?

    var testDescription: String { id }
}

enum Vectors {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/vectors")

    static let all: [VectorCase] = ["alipayplus", "paytm", "snap"].flatMap(load)

    /// The text of a test-only key in `Fixtures/vectors/keys`.
    static func key(_ name: String) -> String {
        let path = directory.appendingPathComponent("keys").appendingPathComponent(name).path
        guard let data = FileManager.default.contents(atPath: path) else { fatalError("missing fixture \(path)") }
        return String(decoding: data, as: UTF8.self)
    }

    static func cases(_ operation: String) -> [VectorCase] { all.filter { $0.operation == operation } }

    static func load(_ scheme: String) -> [VectorCase] {
        let url = directory.appendingPathComponent("\(scheme).json")
        guard let data = FileManager.default.contents(atPath: url.path),
            let array = (try? JSONSerialization.jsonObject(with: data)) as? [[String: Any]]
        else {
            fatalError("cannot read vectors \(url.path)")
        }
        return array.map { object in
            let expected = object["expected"] as? [String: Any] ?? [:]
            var fields: [String: String] = [:]
            for (key, value) in expected where key != "official" {
                if let text = value as? String { fields[key] = text }
            }
            let json = (try? JSONSerialization.data(withJSONObject: object)) ?? Data()
            return VectorCase(
                id: object["id"] as? String ?? "?", scheme: scheme,
                operation: object["operation"] as? String ?? "?", kind: object["kind"] as? String ?? "?",
                json: json, expectedFields: fields, valid: expected["valid"] as? Bool,
                expectedError: expected["error"] as? String,
                amount: object["amount"] as? String, currency: object["currency"] as? String)
        }
    }
}
