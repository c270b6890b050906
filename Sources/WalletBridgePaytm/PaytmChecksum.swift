import WalletBridgeCrypto

/// Paytm's AES "checksum": proof of merchant-key possession over a text, with a random salt.
///
/// checksum = base64(AES-CBC(key: merchant key bytes, iv: `@@@@&&&&####$$$$`,
/// PKCS#7(sha256hex(text + "|" + salt) + salt))). No HTTP here: callers pass the exact text
/// (the JSON `body` as sent, or ``paramsString(_:)`` of a form).
public struct PaytmChecksum: Sendable {
    /// The fixed IV every Paytm merchant uses.
    public static let iv: [UInt8] = Array("@@@@&&&&####$$$$".utf8)

    private let cipher: AESCBC

    /// Creates a checksum engine for a merchant key (its UTF-8 bytes are the AES key).
    /// - Throws: ``PaytmChecksumError`` unless the key is 16, 24 or 32 bytes.
    public init(merchantKey: SecretBytes) throws(PaytmChecksumError) {
        do {
            cipher = try AESCBC(key: merchantKey)
        } catch {
            throw PaytmChecksumError("merchant key must be 16, 24 or 32 bytes of text, got \(merchantKey.count) bytes")
        }
    }

    /// A generated checksum and the intermediate values a partner engineer compares.
    public struct Generated: Sendable, Equatable {
        /// The value for `head.signature` or `CHECKSUMHASH` (108 base64 characters).
        public let checksum: String
        /// `sha256hex(text|salt) + salt`, the 68-character plaintext that was encrypted.
        public let hashString: String
        /// The salt used.
        public let salt: PaytmSalt
    }

    /// Generates the checksum of `text` with `salt`, or a fresh random salt.
    public func generate(for text: [UInt8], salt: PaytmSalt? = nil) throws -> Generated {
        let salt = try salt ?? PaytmSalt.random()
        let hash = PaytmChecksum.hashString(text: text, salt: salt.value)
        let ciphertext = try cipher.encrypt(Array(hash.utf8), iv: PaytmChecksum.iv)
        return Generated(checksum: Base64.encode(ciphertext), hashString: hash, salt: salt)
    }

    /// Generates the checksum of a form (map) by way of ``paramsString(_:)``.
    public func generate(forParams params: [String: String?], salt: PaytmSalt? = nil) throws -> Generated {
        try generate(for: Array(PaytmChecksum.paramsString(params).utf8), salt: salt)
    }

    /// Whether `checksum` is valid for `text`. Every malformed checksum (not base64, wrong
    /// length, bad padding, wrong key) is simply `false`.
    public func verify(_ checksum: String, for text: [UInt8]) -> Bool {
        guard let ciphertext = Base64.decode(checksum), !ciphertext.isEmpty, ciphertext.count % 16 == 0,
            let plaintext = try? cipher.decrypt(ciphertext, iv: PaytmChecksum.iv),
            plaintext.count > 4
        else { return false }
        let salt = String(decoding: plaintext.suffix(4), as: UTF8.self)
        let expected = Array(PaytmChecksum.hashString(text: text, salt: salt).utf8)
        return ConstantTime.equal(expected, plaintext)
    }

    /// Whether `checksum` is valid for a received form. `CHECKSUMHASH` itself is ignored.
    public func verify(_ checksum: String, forParams params: [String: String?]) -> Bool {
        verify(checksum, for: Array(PaytmChecksum.paramsString(params).utf8))
    }

    /// The text signed for a form: values ordered by their keys' code points, `CHECKSUMHASH`
    /// dropped, `nil` and any-case `"null"` written as empty, joined with `|`.
    public static func paramsString(_ params: [String: String?]) -> String {
        params.keys
            .filter { $0 != "CHECKSUMHASH" }
            .sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }
            .map { key -> String in
                guard let value = params[key] ?? nil, value.lowercased() != "null" else { return "" }
                return value
            }
            .joined(separator: "|")
    }

    /// `sha256hex(text + "|" + salt) + salt`: the plaintext inside a checksum.
    public static func hashString(text: [UInt8], salt: String) -> String {
        Digest.sha256Hex(text + Array("|\(salt)".utf8)) + salt
    }
}

/// A Paytm checksum salt: four characters from `A-Z a-z 0-9`.
public struct PaytmSalt: Sendable, Equatable, CustomStringConvertible {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")

    /// The four characters.
    public let value: String

    /// Validates a given salt (for deterministic tests and vectors).
    public init(_ value: String) throws(PaytmChecksumError) {
        guard value.count == 4, value.utf8.count == 4, value.allSatisfy({ PaytmSalt.alphabet.contains($0) }) else {
            throw PaytmChecksumError("salt must be 4 characters from A-Z a-z 0-9, got \"\(value)\"")
        }
        self.value = value
    }

    private init(unchecked value: String) { self.value = value }

    /// A salt from the CSPRNG (the reference library uses a non-cryptographic PRNG).
    public static func random() throws -> PaytmSalt {
        PaytmSalt(unchecked: try SecureRandom.string(length: 4, alphabet: alphabet))
    }

    public var description: String { value }
}

/// A Paytm checksum could not be made (bad merchant key or salt).
public struct PaytmChecksumError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was wrong; never contains the key.
    public let message: String
    init(_ message: String) { self.message = message }
    public var description: String { message }
}
