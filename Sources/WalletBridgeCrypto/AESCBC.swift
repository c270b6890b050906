import COpenSSL

/// AES in CBC mode with PKCS#7 padding; AES-128, -192 or -256 chosen by the key's length.
public struct AESCBC: Sendable {
    private let key: SecretBytes

    /// Creates a cipher for a 16, 24 or 32 byte key.
    /// - Throws: ``CryptoError`` (`invalidInput`) for any other key length.
    public init(key: SecretBytes) throws {
        guard [16, 24, 32].contains(key.count) else {
            throw CryptoError(.invalidInput, "AES key must be 16, 24 or 32 bytes, got \(key.count)")
        }
        self.key = key
    }

    /// Encrypts `plaintext` with PKCS#7 padding under the 16-byte `iv`.
    public func encrypt(_ plaintext: [UInt8], iv: [UInt8]) throws -> [UInt8] {
        try run(plaintext, iv: iv, encrypt: true)
    }

    /// Decrypts `ciphertext` and removes PKCS#7 padding.
    /// - Throws: ``CryptoError`` when the length is not a non-zero multiple of 16 or the
    ///   padding is wrong (OpenSSL reason `bad decrypt`).
    public func decrypt(_ ciphertext: [UInt8], iv: [UInt8]) throws -> [UInt8] {
        guard !ciphertext.isEmpty, ciphertext.count % 16 == 0 else {
            throw CryptoError(.invalidInput, "AES-CBC ciphertext length must be a non-zero multiple of 16, got \(ciphertext.count)")
        }
        return try run(ciphertext, iv: iv, encrypt: false)
    }

    private func run(_ input: [UInt8], iv: [UInt8], encrypt: Bool) throws -> [UInt8] {
        guard iv.count == 16 else { throw CryptoError(.invalidInput, "AES-CBC IV must be 16 bytes, got \(iv.count)") }
        OpenSSLErrorQueue.clear()
        guard let ctx = EVP_CIPHER_CTX_new() else { throw OpenSSLErrorQueue.error(.operationFailed, "cannot allocate cipher context") }
        defer { EVP_CIPHER_CTX_free(ctx) }
        let cipher: OpaquePointer?
        switch key.count {
        // Fetched once (an implicit `EVP_aes_*_cbc()` looks the cipher up on every init).
        case 16: cipher = FetchedAlgorithms.shared.aes128CBC
        case 24: cipher = FetchedAlgorithms.shared.aes192CBC
        default: cipher = FetchedAlgorithms.shared.aes256CBC
        }
        let initialised = key.withBytes { k in
            EVP_CipherInit_ex(ctx, cipher, nil, k, iv, encrypt ? 1 : 0)
        }
        guard initialised == 1 else { throw OpenSSLErrorQueue.error(.operationFailed, "AES-CBC initialisation failed") }
        var out = [UInt8](repeating: 0, count: input.count + 16)
        var written: Int32 = 0
        var finalWritten: Int32 = 0
        let ok: Bool = out.withUnsafeMutableBufferPointer { o in
            guard let base = o.baseAddress else { return false }
            let update = input.withUnsafeBufferPointer { i in
                EVP_CipherUpdate(ctx, base, &written, i.baseAddress, Int32(i.count))
            }
            guard update == 1 else { return false }
            return EVP_CipherFinal_ex(ctx, base + Int(written), &finalWritten) == 1
        }
        guard ok else {
            throw OpenSSLErrorQueue.error(.operationFailed, encrypt ? "AES-CBC encryption failed" : "AES-CBC decryption failed")
        }
        return Array(out.prefix(Int(written + finalWritten)))
    }
}
