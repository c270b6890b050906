import Foundation

/// Test fixtures, found relative to this file so tests run from any working directory.
enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")
    static let vectorKeys = root.appendingPathComponent("vectors/keys")
    static let derivedKeys = root.appendingPathComponent("keys")

    static func vectorKey(_ name: String) -> String { text(vectorKeys.appendingPathComponent(name)) }
    static func derivedKey(_ name: String) -> String { text(derivedKeys.appendingPathComponent(name)) }

    static func text(_ url: URL) -> String {
        guard let data = FileManager.default.contents(atPath: url.path) else { fatalError("missing fixture \(url.path)") }
        return String(decoding: data, as: UTF8.self)
    }

    static let merchantPrivatePKCS8 = vectorKey("test-only-merchant-rsa2048-private-pkcs8.pem")
    static let merchantPublicSPKI = vectorKey("test-only-merchant-rsa2048-public-spki.pem")
    static let partnerPublicSPKI = vectorKey("test-only-partner-rsa2048-public-spki.pem")

    /// The base64 body of a PEM text, on one line.
    static func pemBody(_ pem: String) -> String {
        pem.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
    }
}
