import COpenSSL

/// Owns one OpenSSL `EVP_PKEY`. Parsed once; shared by value types across tasks.
///
/// OpenSSL 3 allows concurrent signing and verification with the same `EVP_PKEY` (each call
/// makes its own context), and the key is never mutated after parsing, hence `@unchecked`.
final class EVPKey: @unchecked Sendable {
    let pointer: OpaquePointer
    /// Modulus size in bits.
    let bits: Int
    /// SHA-256 of the SubjectPublicKeyInfo DER: names the key without revealing anything secret.
    let publicFingerprint: String
    /// A verify context set up once (PKCS#1 v1.5, SHA-256) and duplicated per verification,
    /// so the provider look-ups are not repeated per message. Only ever read after `init`.
    let verifyTemplate: OpaquePointer?

    /// Takes ownership of `pointer` after checking it is an RSA key of at least 2048 bits.
    init(taking pointer: OpaquePointer, minimumBits: Int = 2048) throws {
        let type = EVP_PKEY_get_base_id(pointer)
        guard type == wb_evp_pkey_rsa() else {
            let name = EVP_PKEY_get0_type_name(pointer).map { String(cString: $0) } ?? "type \(type)"
            EVP_PKEY_free(pointer)
            throw CryptoError(.unsupportedKey, "only RSA keys are supported, this key is \(name)")
        }
        let bits = Int(EVP_PKEY_get_bits(pointer))
        guard bits >= minimumBits else {
            EVP_PKEY_free(pointer)
            throw CryptoError(.unsupportedKey, "RSA key is \(bits) bits; at least \(minimumBits) are required")
        }
        self.pointer = pointer
        self.bits = bits
        var der: UnsafeMutablePointer<UInt8>? = nil
        let length = i2d_PUBKEY(pointer, &der)
        if length > 0, let der {
            publicFingerprint = Hex.lowercase(Digest.sha256(Array(UnsafeBufferPointer(start: der, count: Int(length)))))
            wb_openssl_free(der)
        } else {
            publicFingerprint = "unknown"
        }
        verifyTemplate = EVPKey.makeVerifyTemplate(pointer)
        OpenSSLErrorQueue.clear()
    }

    /// The SubjectPublicKeyInfo DER of the key's public half (public, never secret).
    func publicKeyDER() -> [UInt8]? {
        var der: UnsafeMutablePointer<UInt8>? = nil
        let length = i2d_PUBKEY(pointer, &der)
        guard length > 0, let der else { OpenSSLErrorQueue.clear(); return nil }
        defer { wb_openssl_free(der) }
        return Array(UnsafeBufferPointer(start: der, count: Int(length)))
    }

    private static func makeVerifyTemplate(_ key: OpaquePointer) -> OpaquePointer? {
        guard let ctx = EVP_PKEY_CTX_new_from_pkey(nil, key, nil) else { return nil }
        guard EVP_PKEY_verify_init(ctx) == 1,
            EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1,
            EVP_PKEY_CTX_set_signature_md(ctx, FetchedAlgorithms.shared.sha256) == 1
        else {
            EVP_PKEY_CTX_free(ctx)
            return nil
        }
        return ctx
    }

    deinit {
        if let verifyTemplate { EVP_PKEY_CTX_free(verifyTemplate) }
        EVP_PKEY_free(pointer)
    }
}
