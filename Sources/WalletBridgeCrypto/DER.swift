import COpenSSL

/// DER decoders over OpenSSL. Each returns an owned `EVP_PKEY` or `nil`, and only accepts
/// input that is consumed entirely (no trailing bytes).
enum DER {
    static func pkcs8PrivateKey(_ der: [UInt8]) -> OpaquePointer? {
        OpenSSLErrorQueue.clear()
        return decode(der) { p, n in
            guard let info = d2i_PKCS8_PRIV_KEY_INFO(nil, &p, n) else { return nil }
            defer { PKCS8_PRIV_KEY_INFO_free(info) }
            return EVP_PKCS82PKEY(info)
        }
    }

    static func pkcs1PrivateKey(_ der: [UInt8]) -> OpaquePointer? {
        OpenSSLErrorQueue.clear()
        return decode(der) { p, n in d2i_PrivateKey(wb_evp_pkey_rsa(), nil, &p, n) }
    }

    static func spkiPublicKey(_ der: [UInt8]) -> OpaquePointer? {
        OpenSSLErrorQueue.clear()
        return decode(der) { p, n in d2i_PUBKEY(nil, &p, n) }
    }

    static func pkcs1PublicKey(_ der: [UInt8]) -> OpaquePointer? {
        OpenSSLErrorQueue.clear()
        return decode(der) { p, n in d2i_PublicKey(wb_evp_pkey_rsa(), nil, &p, n) }
    }

    static func certificatePublicKey(_ der: [UInt8]) -> OpaquePointer? {
        OpenSSLErrorQueue.clear()
        return decode(der) { p, n in
            guard let cert = d2i_X509(nil, &p, n) else { return nil }
            defer { X509_free(cert) }
            return X509_get_pubkey(cert)
        }
    }

    /// Runs `parse` over `der`; frees and rejects the result unless every byte was consumed.
    private static func decode(
        _ der: [UInt8],
        _ parse: (inout UnsafePointer<UInt8>?, Int) -> OpaquePointer?
    ) -> OpaquePointer? {
        der.withUnsafeBufferPointer { buffer -> OpaquePointer? in
            guard let base = buffer.baseAddress else { return nil }
            var cursor: UnsafePointer<UInt8>? = base
            guard let key = parse(&cursor, buffer.count) else { return nil }
            guard cursor == base + buffer.count else {
                EVP_PKEY_free(key)
                return nil
            }
            return key
        }
    }
}
