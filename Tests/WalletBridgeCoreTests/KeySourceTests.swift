import Foundation
import Testing
import WalletBridgeCore

@Suite("Key sources")
struct KeySourceTests {
    static let keyFile = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/vectors/keys/test-only-merchant-rsa2048-private-pkcs8.pem").path

    @Test func loadsFromFileEnvironmentAndString() throws {
        let fromFile = try KeySource.file(path: Self.keyFile).loadText()
        #expect(fromFile.hasPrefix("-----BEGIN PRIVATE KEY-----"))
        #expect(try KeySource.environment(name: "WB_TEST_KEY").loadText(environment: ["WB_TEST_KEY": "abc\\ndef"]) == "abc\\ndef")
        #expect(try KeySource.string("inline").loadText() == "inline")
    }

    @Test func failuresNameTheSourceNeverTheKey() throws {
        let missing = try #require(throws: KeySourceError.self) { try KeySource.file(path: "/nonexistent/key.pem").loadText() }
        #expect(missing.kind == .unavailable && missing.message.contains("/nonexistent/key.pem"))
        let unset = try #require(throws: KeySourceError.self) { try KeySource.environment(name: "WB_UNSET").loadText(environment: [:]) }
        #expect(unset.kind == .unavailable && unset.message.contains("WB_UNSET"))
        let empty = try #require(throws: KeySourceError.self) { try KeySource.environment(name: "WB_EMPTY").loadText(environment: ["WB_EMPTY": ""]) }
        #expect(empty.kind == .unavailable)
        #expect(!"\(KeySource.string("-----BEGIN PRIVATE KEY-----\nMIIsecret"))".contains("MII"))
        #expect("\(KeySource.file(path: "/k.pem"))" == "file /k.pem")
    }
}
