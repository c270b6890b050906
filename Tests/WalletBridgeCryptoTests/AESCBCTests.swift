import Testing
import WalletBridgeCrypto

@Suite("AES-CBC with PKCS#7")
struct AESCBCTests {
    /// NIST SP 800-38A F.2.1 (AES-128-CBC), first block; PKCS#7 adds a full padding block.
    @Test func nistFirstBlock() throws {
        let key = SecretBytes(try #require(Hex.decode("2b7e151628aed2a6abf7158809cf4f3c")))
        let iv = try #require(Hex.decode("000102030405060708090a0b0c0d0e0f"))
        let plaintext = try #require(Hex.decode("6bc1bee22e409f96e93d7e117393172a"))
        let ciphertext = try AESCBC(key: key).encrypt(plaintext, iv: iv)
        #expect(ciphertext.count == 32)
        #expect(Hex.lowercase(Array(ciphertext.prefix(16))) == "7649abac8119b246cee98e9b12e9197d")
        #expect(try AESCBC(key: key).decrypt(ciphertext, iv: iv) == plaintext)
    }

    @Test(arguments: [16, 24, 32])
    func roundTripForEveryKeySize(keySize: Int) throws {
        let cipher = try AESCBC(key: SecretBytes(try SecureRandom.bytes(count: keySize)))
        let iv = try SecureRandom.bytes(count: 16)
        for length in [0, 1, 15, 16, 17, 68, 1000] {
            let plaintext = try SecureRandom.bytes(count: length)
            let ciphertext = try cipher.encrypt(plaintext, iv: iv)
            #expect(ciphertext.count == (length / 16 + 1) * 16)
            #expect(try cipher.decrypt(ciphertext, iv: iv) == plaintext)
        }
    }

    @Test func rejectsBadKeyLengths() {
        for size in [0, 15, 17, 31, 33] {
            #expect(throws: CryptoError.self) { try AESCBC(key: SecretBytes(Array(repeating: 1, count: size))) }
        }
    }

    @Test func badPaddingCarriesOpenSSLReason() throws {
        let cipher = try AESCBC(key: SecretBytes(Array(repeating: 7, count: 16)))
        let iv = Array(repeating: UInt8(0), count: 16)
        var ciphertext = try cipher.encrypt(Array("hello".utf8), iv: iv)
        ciphertext[ciphertext.count - 1] ^= 0x01
        let error = try #require(throws: CryptoError.self) { try cipher.decrypt(ciphertext, iv: iv) }
        #expect(error.openSSLReason?.contains("bad decrypt") == true)
    }

    @Test func rejectsBadLengthsAndIV() throws {
        let cipher = try AESCBC(key: SecretBytes(Array(repeating: 7, count: 16)))
        #expect(throws: CryptoError.self) { try cipher.decrypt([], iv: Array(repeating: 0, count: 16)) }
        #expect(throws: CryptoError.self) { try cipher.decrypt(Array(repeating: 0, count: 17), iv: Array(repeating: 0, count: 16)) }
        #expect(throws: CryptoError.self) { try cipher.encrypt([1], iv: Array(repeating: 0, count: 8)) }
    }
}
