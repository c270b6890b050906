import COpenSSL

/// RSASSA-PKCS1-v1_5 with SHA-256 through `EVP_DigestSign` / `EVP_DigestVerify`.
enum RSASignature {
    static func sign(_ data: [UInt8], key: EVPKey) throws -> [UInt8] {
        OpenSSLErrorQueue.clear()
        guard let ctx = EVP_MD_CTX_new() else { throw OpenSSLErrorQueue.error(.operationFailed, "cannot allocate digest context") }
        defer { EVP_MD_CTX_free(ctx) }
        var pctx: OpaquePointer? = nil
        guard EVP_DigestSignInit(ctx, &pctx, FetchedAlgorithms.shared.sha256, nil, key.pointer) == 1,
            EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) == 1
        else {
            throw OpenSSLErrorQueue.error(.operationFailed, "RSA-SHA256 signing could not start")
        }
        var length = 0
        let sized = data.withUnsafeBufferPointer { EVP_DigestSign(ctx, nil, &length, $0.baseAddress, $0.count) }
        guard sized == 1, length > 0 else { throw OpenSSLErrorQueue.error(.operationFailed, "RSA-SHA256 signing failed") }
        var signature = [UInt8](repeating: 0, count: length)
        let rc = data.withUnsafeBufferPointer { input in
            signature.withUnsafeMutableBufferPointer { EVP_DigestSign(ctx, $0.baseAddress, &length, input.baseAddress, input.count) }
        }
        guard rc == 1 else { throw OpenSSLErrorQueue.error(.operationFailed, "RSA-SHA256 signing failed") }
        return Array(signature.prefix(length))
    }

    static func verify(signature: [UInt8], data: [UInt8], key: EVPKey) -> Bool {
        // A PKCS#1 v1.5 signature is exactly the modulus length; anything else is forged or mangled.
        guard signature.count == (key.bits + 7) / 8 else { return false }
        OpenSSLErrorQueue.clear()
        defer { OpenSSLErrorQueue.clear() }
        if let template = key.verifyTemplate, let ctx = EVP_PKEY_CTX_dup(template) {
            defer { EVP_PKEY_CTX_free(ctx) }
            let digest = Digest.sha256(data)
            let rc = signature.withUnsafeBufferPointer { sig in
                digest.withUnsafeBufferPointer { EVP_PKEY_verify(ctx, sig.baseAddress, sig.count, $0.baseAddress, $0.count) }
            }
            return rc == 1
        }
        guard let ctx = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(ctx) }
        var pctx: OpaquePointer? = nil
        guard EVP_DigestVerifyInit(ctx, &pctx, FetchedAlgorithms.shared.sha256, nil, key.pointer) == 1,
            EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) == 1
        else { return false }
        let rc = signature.withUnsafeBufferPointer { sig in
            data.withUnsafeBufferPointer { EVP_DigestVerify(ctx, sig.baseAddress, sig.count, $0.baseAddress, $0.count) }
        }
        return rc == 1
    }
}
