import Foundation
import Testing
import WalletBridgeCrypto

@Suite("Key loading")
struct KeyLoadingTests {
    let message = Array("POST /aps/api/v1/payments/pay\nclient.time.{}".utf8)

    /// Every accepted form of the merchant private key signs identically (PKCS#1 v1.5 is deterministic).
    @Test func privateKeyFormsAgree() throws {
        let pkcs8PEM = Fixtures.merchantPrivatePKCS8
        let pkcs1PEM = Fixtures.derivedKey("test-only-merchant-rsa2048-private-pkcs1.pem")
        let forms = [
            pkcs8PEM,
            pkcs1PEM,
            Fixtures.pemBody(pkcs8PEM),  // bare base64 PKCS#8
            Fixtures.pemBody(pkcs1PEM),  // bare base64 PKCS#1
            pkcs8PEM.replacingOccurrences(of: "\n", with: "\\n"),  // literal \n sequences
            pkcs1PEM.replacingOccurrences(of: "\n", with: "\r\n"),  // CRLF
        ]
        let reference = try RSAPrivateKey(text: pkcs8PEM).signSHA256(message)
        for form in forms {
            let key = try RSAPrivateKey(text: form)
            #expect(key.bits == 2048)
            #expect(try key.signSHA256(message) == reference)
        }
    }

    @Test func publicKeyFormsAgree() throws {
        let signature = try RSAPrivateKey(text: Fixtures.merchantPrivatePKCS8).signSHA256(message)
        let forms = [
            Fixtures.merchantPublicSPKI,
            Fixtures.derivedKey("test-only-merchant-rsa2048-public-pkcs1.pem"),
            Fixtures.pemBody(Fixtures.merchantPublicSPKI),
            Fixtures.pemBody(Fixtures.derivedKey("test-only-merchant-rsa2048-public-pkcs1.pem")),
            Fixtures.derivedKey("test-only-merchant-cert.pem"),
            Fixtures.merchantPublicSPKI.replacingOccurrences(of: "\n", with: "\\n"),
        ]
        let fingerprint = try RSAPublicKey(text: Fixtures.merchantPublicSPKI).fingerprint
        for form in forms {
            let key = try RSAPublicKey(text: form)
            #expect(key.fingerprint == fingerprint)
            #expect(key.verifySHA256(signature: signature, data: message))
        }
        #expect(try RSAPrivateKey(text: Fixtures.merchantPrivatePKCS8).publicKey.fingerprint == fingerprint)
    }

    @Test func refusesShortNonRSAAndEncryptedKeys() throws {
        let short = try #require(throws: CryptoError.self) { try RSAPrivateKey(text: Fixtures.derivedKey("test-only-rsa1024-private-pkcs8.pem")) }
        #expect(short.kind == .unsupportedKey && short.message.contains("1024"))
        let ec = try #require(throws: CryptoError.self) { try RSAPrivateKey(text: Fixtures.derivedKey("test-only-ec-p256-private-pkcs8.pem")) }
        #expect(ec.kind == .unsupportedKey && ec.message.contains("RSA"))
        let ecPublic = try #require(throws: CryptoError.self) { try RSAPublicKey(text: Fixtures.derivedKey("test-only-ec-p256-public-spki.pem")) }
        #expect(ecPublic.kind == .unsupportedKey)
        let encrypted = try #require(throws: CryptoError.self) {
            try RSAPrivateKey(text: Fixtures.derivedKey("test-only-merchant-encrypted-pkcs8.pem"))
        }
        #expect(encrypted.message.contains("encrypted"))
    }

    @Test func refusesMixedUpAndMalformedKeys() {
        #expect(throws: CryptoError.self) { try RSAPublicKey(text: Fixtures.merchantPrivatePKCS8) }
        #expect(throws: CryptoError.self) { try RSAPrivateKey(text: Fixtures.merchantPublicSPKI) }
        #expect(throws: CryptoError.self) { try RSAPrivateKey(text: "") }
        #expect(throws: CryptoError.self) { try RSAPrivateKey(text: "not a key at all!") }
        #expect(throws: CryptoError.self) { try RSAPrivateKey(text: "AAAA") }
        #expect(throws: CryptoError.self) { try RSAPublicKey(text: "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----") }
        // Trailing bytes after a valid DER structure are refused.
        let body = Fixtures.pemBody(Fixtures.merchantPublicSPKI)
        let der = Data(base64Encoded: body).map { $0 + Data([0]) }
        #expect(throws: CryptoError.self) { try RSAPublicKey(text: der?.base64EncodedString() ?? "") }
    }

    /// Key text from a file and the same text with literal `\n` sequences (as an environment
    /// variable holds it) parse to the same key. (Reading sources: `KeySource`, in WalletBridgeCore.)
    @Test func keyTextWithLiteralNewlines() throws {
        let fromFile = try RSAPrivateKey(text: Fixtures.vectorKey("test-only-merchant-rsa2048-private-pkcs8.pem"))
        let escaped = try RSAPrivateKey(text: Fixtures.merchantPrivatePKCS8.replacingOccurrences(of: "\n", with: "\\n"))
        #expect(fromFile.publicKey.fingerprint == escaped.publicKey.fingerprint)
    }

    @Test func keysNeverPrintMaterial() throws {
        let key = try RSAPrivateKey(text: Fixtures.merchantPrivatePKCS8)
        let body = Fixtures.pemBody(Fixtures.merchantPrivatePKCS8)
        for rendering in [
            "\(key)", String(reflecting: key),
            {
                var s = ""; dump(key, to: &s); return s
            }(),
        ] {
            #expect(!rendering.contains(String(body.prefix(40))))
            #expect(!rendering.contains(String(body.suffix(40))))
            #expect(!rendering.contains("MII"))
        }
    }

    @Test func publicKeyStoreSelectsByVersion() throws {
        let merchant = try RSAPublicKey(text: Fixtures.merchantPublicSPKI)
        let partner = try RSAPublicKey(text: Fixtures.partnerPublicSPKI)
        let store = try PublicKeyStore(["1": merchant, "2": partner], defaultVersion: "2")
        #expect(try store.key(version: "1").fingerprint == merchant.fingerprint)
        #expect(try store.key(version: nil).fingerprint == partner.fingerprint)
        let unknown = try #require(throws: CryptoError.self) { try store.key(version: "3") }
        #expect(unknown.kind == .unknownKeyVersion && unknown.message.contains("3"))
        #expect(throws: CryptoError.self) { try PublicKeyStore(["1": merchant], defaultVersion: "9") }
        #expect(throws: CryptoError.self) { try PublicKeyStore(["1": merchant, "2": partner]).key(version: nil) }
    }
}
