import Testing
import WalletBridgeAlipayPlus
import WalletBridgeCore
import WalletBridgeCrypto
import WalletBridgePaytm
import WalletBridgeSNAP
import WalletBridgeTestSupport

/// Random and mutated inputs to every parser: each must answer with a value or a clear error,
/// never crash. Seeded, so a failure reproduces.
@Suite("Malformed input never crashes")
struct MalformedInputTests {
    static let seeds = [
        #"{"head":{"signature":"abc","clientId":"C11"},"body":{"a":[1,2,{"b":"c\"d"}],"e":null}}"#,
        "algorithm=RSA256,keyVersion=1,signature=UN1bJKXY%2BmJo%2F%3D%3D",
        "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQ\n-----END PRIVATE KEY-----",
        "10000.00",
    ]

    static func mutate(_ seed: String, _ rng: inout SplitMix64) -> [UInt8] {
        var bytes = Array(seed.utf8)
        for _ in 0..<Int.random(in: 1...6, using: &rng) {
            switch Int.random(in: 0..<4, using: &rng) {
            case 0 where !bytes.isEmpty: bytes.remove(at: Int.random(in: 0..<bytes.count, using: &rng))
            case 1: bytes.insert(UInt8.random(in: 0...255, using: &rng), at: Int.random(in: 0...bytes.count, using: &rng))
            case 2 where !bytes.isEmpty: bytes[Int.random(in: 0..<bytes.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
            default: bytes = Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &rng)))
            }
        }
        return bytes
    }

    @Test func parsersSurviveMutations() throws {
        var rng = SplitMix64(seed: 20261124)
        let publicKey = try RSAPublicKey(text: Vectors.key("test-only-merchant-rsa2048-public-spki.pem"))
        let verifier = AlipayPlusVerifier(keys: PublicKeyStore(version: "1", key: publicKey))
        let snap = SNAPSignatureVerifier(publicKey: publicKey)
        let paytm = try PaytmChecksum(merchantKey: SecretBytes(utf8: "SDOr4vU+L2wkTaKX"))
        var outcomes = (accepted: 0, rejected: 0)
        for iteration in 0..<3000 {
            let bytes = Self.mutate(Self.seeds[iteration % Self.seeds.count], &rng)
            let text = String(decoding: bytes, as: UTF8.self)
            _ = try? RawJSON.minify(bytes)
            if (try? RawJSON.topLevelValue(of: "body", in: bytes)) != nil { outcomes.accepted += 1 } else { outcomes.rejected += 1 }
            _ = try? PaytmEnvelope(received: bytes)
            _ = paytm.verify(text, for: bytes)
            let message = AlipayPlusSignedMessage.request(path: "/p", clientId: "c", requestTime: "t", body: bytes)
            #expect(throws: AlipayPlusSignatureError.self) { try verifier.verify(message, signatureHeader: text) }
            #expect(throws: SNAPSignatureError.self) {
                try snap.verifyTransaction(signature: text, method: "POST", path: "/", body: bytes, timestamp: "t")
            }
            _ = try? RSAPrivateKey(text: text)
            _ = try? RSAPublicKey(text: text)
            _ = Base64.decode(text)
            if let money = try? Money(parsing: text, currency: .idr) {
                #expect(try Money(parsing: money.decimalString, currency: .idr) == money)
            }
        }
        // The mutations exercise both paths of the JSON scanner.
        #expect(outcomes.accepted > 0 && outcomes.rejected > 0)
    }
}
