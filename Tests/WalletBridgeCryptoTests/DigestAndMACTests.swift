import Foundation
import Testing
import WalletBridgeCrypto

@Suite("Digests and HMAC")
struct DigestAndMACTests {
    @Test func sha256KnownAnswers() {
        #expect(Digest.sha256Hex([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(Digest.sha256Hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func sha512KnownAnswer() {
        #expect(
            Hex.lowercase(Digest.sha512(Array("abc".utf8)))
                == "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f")
    }

    /// RFC 4231 test case 2.
    @Test func hmacRFC4231Case2() throws {
        let key = SecretBytes(utf8: "Jefe")
        let data = Array("what do ya want for nothing?".utf8)
        #expect(Hex.lowercase(try HMAC.sha256(key: key, data: data)) == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        #expect(
            Hex.lowercase(try HMAC.sha512(key: key, data: data))
                == "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737")
    }

    @Test func hmacWithEmptyKeyAndData() throws {
        // HMAC-SHA256("", "") is a fixed, well-known value.
        #expect(Hex.lowercase(try HMAC.sha256(key: SecretBytes([]), data: [])) == "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad")
    }

    @Test func hexRoundTrip() {
        let bytes: [UInt8] = [0, 1, 0x7f, 0x80, 0xff]
        #expect(Hex.decode(Hex.lowercase(bytes)) == bytes)
        #expect(Hex.decode("0G") == nil)
        #expect(Hex.decode("abc") == nil)
    }

    @Test func constantTimeEquality() {
        #expect(ConstantTime.equal([1, 2, 3], [1, 2, 3]))
        #expect(!ConstantTime.equal([1, 2, 3], [1, 2, 4]))
        #expect(!ConstantTime.equal([1, 2, 3], [1, 2]))
        #expect(ConstantTime.equal([], []))
    }

    @Test func secureRandom() throws {
        let a = try SecureRandom.bytes(count: 32)
        let b = try SecureRandom.bytes(count: 32)
        #expect(a.count == 32 && b.count == 32)
        #expect(a != b)
        let alphabet = Array("AB")
        let text = try SecureRandom.string(length: 200, alphabet: alphabet)
        #expect(text.count == 200 && text.allSatisfy { alphabet.contains($0) })
        #expect(text.contains("A") && text.contains("B"))
    }

    @Test func base64IsStrict() {
        #expect(Base64.decode("AAEC") == [0, 1, 2])
        #expect(Base64.decode("AAE") == nil)
        #expect(Base64.decode("AA E") == nil)
        #expect(Base64.decode("AA-_") == nil)
        #expect(Base64.encode([0xfb, 0xff]) == "+/8=")
        #expect(Base64.decode("AAF=") == nil)  // non-zero unused bits
        #expect(Base64.decode("AB==") == nil)
        #expect(Base64.decode("A===") == nil)
        #expect(Base64.decode("=AAA") == nil)
        #expect(Base64.decode("AA=A") == nil)
        #expect(Base64.decode("") == [])
    }

    /// Our base64 against Foundation's, for every length up to 300.
    @Test func base64AgreesWithFoundation() throws {
        for length in 0...300 {
            let bytes = try SecureRandom.bytes(count: length)
            let encoded = Base64.encode(bytes)
            #expect(encoded == Data(bytes).base64EncodedString())
            #expect(Base64.decode(encoded) == bytes)
        }
    }

    @Test func preparedHMACKeyMatchesOneShotAndIsReusable() throws {
        let key = try HMACKey(SecretBytes(utf8: "Jefe"), digest: .sha512)
        let data = Array("what do ya want for nothing?".utf8)
        #expect(try key.authenticate(data) == HMAC.sha512(key: SecretBytes(utf8: "Jefe"), data: data))
        #expect(try key.authenticate(data) == key.authenticate(data))
        #expect(try key.authenticate([]) != key.authenticate(data))
        #expect(!"\(key)".contains("Jefe"))
    }

    @Test func secretBytesNeverPrint() {
        let secret = SecretBytes(utf8: "SDOr4vU+L2wkTaKX")
        #expect(!"\(secret)".contains("SDOr"))
        #expect(!String(reflecting: secret).contains("SDOr"))
        var dumped = ""
        dump(secret, to: &dumped)
        #expect(!dumped.contains("SDOr"))
        #expect("\(secret)" == "<redacted 16 bytes>")
    }
}
