import Testing
import WalletBridgeCrypto

@Suite("RSA PKCS#1 v1.5 SHA-256")
struct RSASignatureTests {
    @Test func signVerifyAndRejectTampering() throws {
        let key = try RSAPrivateKey(text: Fixtures.merchantPrivatePKCS8)
        let data = Array("hello wallet".utf8)
        let signature = try key.signSHA256(data)
        #expect(signature.count == 256)
        #expect(key.publicKey.verifySHA256(signature: signature, data: data))
        #expect(!key.publicKey.verifySHA256(signature: signature, data: data + [0]))
        var flipped = signature
        flipped[100] ^= 0x01
        #expect(!key.publicKey.verifySHA256(signature: flipped, data: data))
        #expect(!key.publicKey.verifySHA256(signature: Array(signature.dropLast()), data: data))
        #expect(!key.publicKey.verifySHA256(signature: [], data: data))
        #expect(!key.publicKey.verifySHA256(signature: Array(repeating: 0xff, count: 256), data: data))
        let other = try RSAPublicKey(text: Fixtures.partnerPublicSPKI)
        #expect(!other.verifySHA256(signature: signature, data: data))
    }

    /// One parsed key shared by many concurrent tasks (parse once, then reuse).
    @Test func sharedKeyAcrossConcurrentTasks() async throws {
        let key = try RSAPrivateKey(text: Fixtures.merchantPrivatePKCS8)
        let results = try await withThrowingTaskGroup(of: Bool.self) { group in
            for i in 0..<64 {
                group.addTask {
                    let data = Array("message \(i)".utf8)
                    return key.publicKey.verifySHA256(signature: try key.signSHA256(data), data: data)
                }
            }
            return try await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results.count == 64 && results.allSatisfy { $0 })
    }
}
