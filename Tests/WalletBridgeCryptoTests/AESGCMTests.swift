import Testing

// `@testable` for the internal `seal(_:additionalData:nonce:)`, which the known answers need.
@testable import WalletBridgeCrypto

private func hex(_ text: String) throws -> [UInt8] { try #require(Hex.decode(text)) }

/// Known answers from McGrew and Viega, "The Galois/Counter Mode of Operation (GCM)" (revised,
/// 2005), Appendix B, the 256-bit-key cases; each was also checked with Python's
/// `cryptography` 48.0.0 (`AESGCM(key).encrypt(iv, plaintext, aad)`).
private struct KnownAnswer: Sendable, CustomTestStringConvertible {
    let name: String
    let key: String
    let nonce: String
    let plaintext: String
    let additionalData: String
    let ciphertext: String
    let tag: String
    var testDescription: String { name }
}

private let knownAnswers = [
    KnownAnswer(
        name: "test case 13 (zero key, empty plaintext)",
        key: String(repeating: "00", count: 32), nonce: String(repeating: "00", count: 12), plaintext: "", additionalData: "",
        ciphertext: "", tag: "530f8afbc74536b9a963b4f1c4cb738b"),
    KnownAnswer(
        name: "test case 14 (zero key, one zero block)",
        key: String(repeating: "00", count: 32), nonce: String(repeating: "00", count: 12), plaintext: String(repeating: "00", count: 16),
        additionalData: "", ciphertext: "cea7403d4d606b6e074ec5d3baf39d18", tag: "d0d1c8a799996bf0265b98b5d48ab919"),
    KnownAnswer(
        name: "test case 16 (60-byte plaintext, 20-byte additional data)",
        key: "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308", nonce: "cafebabefacedbaddecaf888",
        plaintext: "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
        additionalData: "feedfacedeadbeeffeedfacedeadbeefabaddad2",
        ciphertext: "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
        tag: "76fc6ece0f4e1768cddf8853bb2d551b"),
]

@Suite("AES-256-GCM")
struct AESGCMTests {
    private let key = Array(0..<UInt8(32))
    private let plaintext = Array("the access token at-0123456789".utf8)
    private let additionalData = Array("wbauth_1|gcash|customer-1".utf8)

    @Test("seals and opens the McGrew–Viega known answers", arguments: knownAnswers)
    fileprivate func knownAnswer(_ vector: KnownAnswer) throws {
        let gcm = try AESGCM(key: try hex(vector.key))
        let expected = try hex(vector.nonce + vector.ciphertext + vector.tag)
        let sealed = try gcm.seal(try hex(vector.plaintext), additionalData: try hex(vector.additionalData), nonce: try hex(vector.nonce))
        #expect(Hex.lowercase(sealed) == Hex.lowercase(expected))
        #expect(try gcm.open(expected, additionalData: try hex(vector.additionalData)) == (try hex(vector.plaintext)))
    }

    @Test("round trip for several lengths, with and without additional data; the layout is nonce, ciphertext, tag")
    func roundTrip() throws {
        let gcm = try AESGCM(key: try SecureRandom.bytes(count: AESGCM.keySize))
        for length in [0, 1, 15, 16, 17, 100, 4096] {
            let message = try SecureRandom.bytes(count: length)
            for aad in [[], additionalData] {
                let sealed = try gcm.seal(message, additionalData: aad)
                #expect(sealed.count == AESGCM.nonceSize + length + AESGCM.tagSize)
                #expect(try gcm.open(sealed, additionalData: aad) == message)
            }
        }
    }

    @Test("flipping any bit of any byte (nonce, ciphertext or tag) makes open fail")
    func tamperingAnyRegionFails() throws {
        let gcm = try AESGCM(key: key)
        let sealed = try gcm.seal(plaintext, additionalData: additionalData)
        let regions = [
            ("nonce", 0..<AESGCM.nonceSize),
            ("ciphertext", AESGCM.nonceSize..<(sealed.count - AESGCM.tagSize)),
            ("tag", (sealed.count - AESGCM.tagSize)..<sealed.count),
        ]
        for (region, range) in regions {
            #expect(!range.isEmpty, "\(region)")
            for index in range {
                for bit in [0x01, 0x80] as [UInt8] {
                    var tampered = sealed
                    tampered[index] ^= bit
                    let error = #expect(throws: CryptoError.self, "\(region) byte \(index)") {
                        try gcm.open(tampered, additionalData: additionalData)
                    }
                    #expect(error?.kind == .operationFailed)
                }
            }
        }
        // Removing or adding a byte fails too.
        #expect(throws: CryptoError.self) { try gcm.open(Array(sealed.dropLast()), additionalData: additionalData) }
        #expect(throws: CryptoError.self) { try gcm.open(sealed + [0], additionalData: additionalData) }
        #expect(try gcm.open(sealed, additionalData: additionalData) == plaintext)
    }

    @Test("other additional data (changed, shortened, missing) makes open fail")
    func wrongAdditionalDataFails() throws {
        let gcm = try AESGCM(key: key)
        let sealed = try gcm.seal(plaintext, additionalData: additionalData)
        for other in [Array("wbauth_2|gcash|customer-1".utf8), Array(additionalData.dropLast()), []] {
            #expect(throws: CryptoError.self) { try gcm.open(sealed, additionalData: other) }
        }
        let sealedWithout = try gcm.seal(plaintext, additionalData: [])
        #expect(throws: CryptoError.self) { try gcm.open(sealedWithout, additionalData: additionalData) }
    }

    @Test("another key makes open fail, and the error names no key material")
    func wrongKeyFails() throws {
        let sealed = try AESGCM(key: key).seal(plaintext, additionalData: additionalData)
        var otherKey = key
        otherKey[31] ^= 0x01
        let error = try #require(throws: CryptoError.self) { try AESGCM(key: otherKey).open(sealed, additionalData: additionalData) }
        #expect(error.kind == .operationFailed)
        #expect(error.description.contains("authentication failed"))
        for secret in [Hex.lowercase(key), Hex.lowercase(otherKey), String(decoding: plaintext, as: UTF8.self)] {
            #expect(!error.description.contains(secret))
        }
    }

    @Test("input shorter than nonce and tag is refused as invalid input; nonce and tag alone open to nothing")
    func shortInputFails() throws {
        let gcm = try AESGCM(key: key)
        for length in [0, 1, 12, 27] {
            let error = #expect(throws: CryptoError.self) { try gcm.open(Array(repeating: 0, count: length), additionalData: []) }
            #expect(error?.kind == .invalidInput)
        }
        let empty = try gcm.seal([], additionalData: additionalData)
        #expect(empty.count == AESGCM.overhead)
        #expect(try gcm.open(empty, additionalData: additionalData) == [])
    }

    @Test("every seal draws a new nonce, so equal plaintexts give different outputs")
    func noncesDifferBetweenSeals() throws {
        let gcm = try AESGCM(key: key)
        let seals = try (0..<64).map { _ in try gcm.seal(plaintext, additionalData: additionalData) }
        #expect(Set(seals.map { Hex.lowercase(Array($0.prefix(AESGCM.nonceSize))) }).count == seals.count)
        #expect(Set(seals.map(Hex.lowercase)).count == seals.count)
        for sealed in seals { #expect(try gcm.open(sealed, additionalData: additionalData) == plaintext) }
    }

    @Test("a key that is not 32 bytes is refused")
    func rejectsBadKeyLengths() {
        for size in [0, 16, 24, 31, 33, 64] {
            let error = #expect(throws: CryptoError.self) { try AESGCM(key: Array(repeating: 1, count: size)) }
            #expect(error?.kind == .invalidInput)
        }
        #expect(throws: CryptoError.self) { try AESGCM(key: key).seal(plaintext, additionalData: [], nonce: Array(repeating: 0, count: 16)) }
    }
}
