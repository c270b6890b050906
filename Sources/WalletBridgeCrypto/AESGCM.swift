import COpenSSL

/// AES-256 in Galois/Counter Mode (NIST SP 800-38D): authenticated encryption with additional
/// data, through OpenSSL's EVP interface.
///
/// ``seal(_:additionalData:)`` draws a fresh 12-byte nonce from OpenSSL's random generator
/// (`RAND_bytes`) for every message and returns `nonce || ciphertext || tag`: 12 bytes, the
/// plaintext's length, then the 16-byte tag. ``open(_:additionalData:)`` takes that layout back
/// and returns the plaintext only when the tag verifies over the nonce, the ciphertext and the
/// additional data; otherwise it throws and returns nothing.
///
/// The additional data is authenticated but not encrypted and not stored in the output: the
/// caller supplies the same bytes to open. Binding a record's identity (its key in a table, for
/// example) there stops a sealed value from being moved to another record.
///
/// With random nonces, one key may seal up to 2³² messages (SP 800-38D, section 8.3).
///
/// ```swift
/// let gcm = try AESGCM(key: try SecureRandom.bytes(count: AESGCM.keySize))
/// let sealed = try gcm.seal(Array("secret".utf8), additionalData: Array("row-1".utf8))
/// let plaintext = try gcm.open(sealed, additionalData: Array("row-1".utf8))
/// ```
public struct AESGCM: Sendable {
    /// The key's length in bytes (32: AES-256).
    public static let keySize = 32
    /// The nonce's length in bytes (12, the size GCM handles without hashing it).
    public static let nonceSize = 12
    /// The tag's length in bytes (16: the full tag, never truncated).
    public static let tagSize = 16
    /// How many bytes ``seal(_:additionalData:)`` adds to the plaintext: the nonce and the tag.
    public static let overhead = nonceSize + tagSize

    private let key: SecretBytes

    /// Creates a cipher for a 32-byte key.
    /// - Throws: ``CryptoError`` (`invalidInput`) for any other key length.
    public init(key: [UInt8]) throws {
        try self.init(key: SecretBytes(key))
    }

    /// Creates a cipher for a 32-byte key held as ``SecretBytes``.
    /// - Throws: ``CryptoError`` (`invalidInput`) for any other key length.
    public init(key: SecretBytes) throws {
        guard key.count == Self.keySize else {
            throw CryptoError(.invalidInput, "AES-256-GCM key must be \(Self.keySize) bytes, got \(key.count)")
        }
        self.key = key
    }

    /// Encrypts and authenticates `plaintext`, and authenticates `additionalData`, under a new
    /// random nonce.
    ///
    /// - Returns: `nonce (12) || ciphertext (plaintext.count) || tag (16)`.
    /// - Throws: ``CryptoError`` when the random generator or OpenSSL fails, or an input is
    ///   longer than OpenSSL takes in one call (2³¹ - 1 bytes).
    public func seal(_ plaintext: [UInt8], additionalData: [UInt8]) throws -> [UInt8] {
        try seal(plaintext, additionalData: additionalData, nonce: SecureRandom.bytes(count: Self.nonceSize))
    }

    /// Seals under the given nonce. Only for known-answer tests: a nonce must never be used
    /// twice with one key, which is why the public ``seal(_:additionalData:)`` draws its own.
    func seal(_ plaintext: [UInt8], additionalData: [UInt8], nonce: [UInt8]) throws -> [UInt8] {
        guard nonce.count == Self.nonceSize else {
            throw CryptoError(.invalidInput, "AES-GCM nonce must be \(Self.nonceSize) bytes, got \(nonce.count)")
        }
        try Self.checkLength(plaintext, "plaintext")
        try Self.checkLength(additionalData, "additional data")
        OpenSSLErrorQueue.clear()
        let ctx = try context(nonce: nonce, encrypt: true)
        defer { EVP_CIPHER_CTX_free(ctx) }

        var written: Int32 = 0
        if !additionalData.isEmpty {
            let rc = additionalData.withUnsafeBufferPointer { aad in
                EVP_EncryptUpdate(ctx, nil, &written, aad.baseAddress, Int32(aad.count))
            }
            guard rc == 1 else { throw OpenSSLErrorQueue.error(.operationFailed, "AES-GCM could not authenticate the additional data") }
        }
        var ciphertext = [UInt8](repeating: 0, count: plaintext.count)
        if !plaintext.isEmpty {
            let rc = ciphertext.withUnsafeMutableBufferPointer { out in
                plaintext.withUnsafeBufferPointer { input in
                    EVP_EncryptUpdate(ctx, out.baseAddress, &written, input.baseAddress, Int32(input.count))
                }
            }
            guard rc == 1, Int(written) == plaintext.count else { throw OpenSSLErrorQueue.error(.operationFailed, "AES-GCM encryption failed") }
        }
        // GCM is a stream mode: finishing writes no byte, it computes the tag.
        var trailing = [UInt8](repeating: 0, count: 16)
        var trailingWritten: Int32 = 0
        guard EVP_EncryptFinal_ex(ctx, &trailing, &trailingWritten) == 1, trailingWritten == 0 else {
            throw OpenSSLErrorQueue.error(.operationFailed, "AES-GCM encryption failed")
        }
        var tag = [UInt8](repeating: 0, count: Self.tagSize)
        let tagged = tag.withUnsafeMutableBytes { EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, Int32(Self.tagSize), $0.baseAddress) }
        guard tagged == 1 else { throw OpenSSLErrorQueue.error(.operationFailed, "AES-GCM could not produce the tag") }
        return nonce + ciphertext + tag
    }

    /// Verifies and decrypts what ``seal(_:additionalData:)`` returned.
    ///
    /// - Parameters:
    ///   - sealed: `nonce (12) || ciphertext || tag (16)`.
    ///   - additionalData: The additional data given to seal.
    /// - Returns: The plaintext, only when the tag verifies.
    /// - Throws: ``CryptoError``: `invalidInput` when `sealed` is shorter than
    ///   ``overhead`` (28 bytes); `operationFailed` when the tag does not verify (another key,
    ///   other additional data, or any altered byte of the nonce, the ciphertext or the tag).
    ///   The message never carries key material or plaintext.
    public func open(_ sealed: [UInt8], additionalData: [UInt8]) throws -> [UInt8] {
        guard sealed.count >= Self.overhead else {
            throw CryptoError(
                .invalidInput, "AES-GCM sealed data must be at least \(Self.overhead) bytes (nonce and tag), got \(sealed.count)")
        }
        try Self.checkLength(sealed, "sealed data")
        try Self.checkLength(additionalData, "additional data")
        let nonce = Array(sealed.prefix(Self.nonceSize))
        let ciphertext = Array(sealed[Self.nonceSize..<(sealed.count - Self.tagSize)])
        var tag = Array(sealed.suffix(Self.tagSize))
        OpenSSLErrorQueue.clear()
        let ctx = try context(nonce: nonce, encrypt: false)
        defer { EVP_CIPHER_CTX_free(ctx) }

        var written: Int32 = 0
        if !additionalData.isEmpty {
            let rc = additionalData.withUnsafeBufferPointer { aad in
                EVP_DecryptUpdate(ctx, nil, &written, aad.baseAddress, Int32(aad.count))
            }
            guard rc == 1 else { throw OpenSSLErrorQueue.error(.operationFailed, "AES-GCM could not authenticate the additional data") }
        }
        var plaintext = [UInt8](repeating: 0, count: ciphertext.count)
        if !ciphertext.isEmpty {
            let rc = plaintext.withUnsafeMutableBufferPointer { out in
                ciphertext.withUnsafeBufferPointer { input in
                    EVP_DecryptUpdate(ctx, out.baseAddress, &written, input.baseAddress, Int32(input.count))
                }
            }
            guard rc == 1, Int(written) == ciphertext.count else { throw OpenSSLErrorQueue.error(.operationFailed, "AES-GCM decryption failed") }
        }
        let tagSet = tag.withUnsafeMutableBytes { EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, Int32(Self.tagSize), $0.baseAddress) }
        guard tagSet == 1 else { throw OpenSSLErrorQueue.error(.operationFailed, "AES-GCM could not take the tag") }
        // The tag is checked here; until it verifies, `plaintext` is unauthenticated.
        var trailing = [UInt8](repeating: 0, count: 16)
        var trailingWritten: Int32 = 0
        guard EVP_DecryptFinal_ex(ctx, &trailing, &trailingWritten) == 1 else {
            for index in plaintext.indices { plaintext[index] = 0 }
            // A tag mismatch carries no useful OpenSSL reason; drop whatever is queued.
            OpenSSLErrorQueue.clear()
            throw CryptoError(
                .operationFailed,
                "AES-GCM authentication failed: another key, other additional data, or an altered nonce, ciphertext or tag")
        }
        return plaintext
    }

    /// A cipher context for AES-256-GCM with the key and `nonce` set (the default 12-byte nonce
    /// length), for encryption or decryption. The caller frees it.
    private func context(nonce: [UInt8], encrypt: Bool) throws -> OpaquePointer {
        guard let ctx = EVP_CIPHER_CTX_new() else { throw OpenSSLErrorQueue.error(.operationFailed, "cannot allocate cipher context") }
        let cipher = FetchedAlgorithms.shared.aes256GCM
        let initialised = key.withBytes { k in
            encrypt ? EVP_EncryptInit_ex(ctx, cipher, nil, k, nonce) : EVP_DecryptInit_ex(ctx, cipher, nil, k, nonce)
        }
        guard initialised == 1 else {
            EVP_CIPHER_CTX_free(ctx)
            throw OpenSSLErrorQueue.error(.operationFailed, "AES-GCM initialisation failed")
        }
        return ctx
    }

    /// OpenSSL takes lengths as `int`.
    private static func checkLength(_ bytes: [UInt8], _ what: String) throws {
        guard bytes.count <= Int(Int32.max) else {
            throw CryptoError(.invalidInput, "AES-GCM \(what) is too long for one call (\(bytes.count) bytes)")
        }
    }
}
