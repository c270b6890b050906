import Foundation
import HTTPTypes
import Testing
import WalletBridgeHTTP

/// Every header name a module declares with `HTTPField.Name.known("…")` must be a valid name:
/// an invalid literal would silently become the placeholder. The constants are internal to
/// each module, so this reads every `known("…")` literal in the package's sources (and test
/// sources) and checks it the way `known(_:)` does.
@Suite struct HeaderNameTests {
    @Test func knownReturnsTheNameOrThePlaceholder() {
        #expect(HTTPField.Name.known("Client-Id").rawName == "Client-Id")
        #expect(HTTPField.Name.known("client-id") == HTTPField.Name.known("CLIENT-ID"))
        #expect(HTTPField.Name.known("Client-Id") != .invalidLiteralPlaceholder)
        #expect(HTTPField.Name.known("not a name") == .invalidLiteralPlaceholder)
        #expect(HTTPField.Name.known("") == .invalidLiteralPlaceholder)
        #expect(HTTPField.Name.known(":path") == .invalidLiteralPlaceholder)
        #expect(HTTPField.Name.invalidLiteralPlaceholder.rawName == "X-WalletBridge-Invalid-Name")
    }

    @Test func everyDeclaredNameIsValid() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        var found: [String: [String]] = [:]
        for directory in ["Sources", "Examples", "Tests"] {
            let base = root.appendingPathComponent(directory)
            guard let files = FileManager.default.enumerator(at: base, includingPropertiesForKeys: nil) else { continue }
            for case let file as URL in files where file.pathExtension == "swift" {
                guard file.path != URL(fileURLWithPath: #filePath).path else { continue }
                let text = try String(contentsOf: file, encoding: .utf8)
                for literal in Self.knownLiterals(in: text) {
                    let module = file.path.dropFirst(root.path.count + 1).split(separator: "/").prefix(2).joined(separator: "/")
                    found[module, default: []].append(literal)
                }
            }
        }
        let all = found.values.flatMap { $0 }
        #expect(all.count >= 30, "found only \(all.count) declared names: \(found)")
        for module in [
            "Sources/WalletBridgeAlipayPlus", "Sources/WalletBridgeSNAP", "Sources/WalletBridgePaytm", "Sources/WalletBridgeSandbox",
            "Sources/WalletBridgeTesting", "Examples/walletbridge",
        ] {
            #expect(found[module]?.isEmpty == false, "no header names found in \(module)")
        }
        for (module, literals) in found {
            for literal in literals {
                #expect(HTTPField.Name(literal) != nil, "\(module): \"\(literal)\" is not a valid header name")
                #expect(literal != HTTPField.Name.invalidLiteralPlaceholder.rawName, "\(module): \"\(literal)\" is the placeholder")
            }
        }
    }

    /// The string literals passed to `known(…)` in `text` (plain literals, no interpolation:
    /// a `StaticString` admits no other).
    static func knownLiterals(in text: String) -> [String] {
        var literals: [String] = []
        var rest = Substring(text)
        while let call = rest.range(of: ".known(\"") {
            let start = call.upperBound
            guard let end = rest[start...].firstIndex(of: "\"") else { break }
            literals.append(String(rest[start..<end]))
            rest = rest[end...]
        }
        return literals
    }
}
