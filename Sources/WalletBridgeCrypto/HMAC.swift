import COpenSSL

/// HMAC through OpenSSL 3's EVP_MAC interface (`EVP_Q_mac`).
public enum HMAC {
    /// HMAC-SHA256 of `data` under `key` (32 bytes).
    public static func sha256(key: SecretBytes, data: [UInt8]) throws -> [UInt8] {
        try mac(digestName: "SHA256", key: key, data: data, size: 32)
    }

    /// HMAC-SHA512 of `data` under `key` (64 bytes), as SNAP symmetric signatures use.
    public static func sha512(key: SecretBytes, data: [UInt8]) throws -> [UInt8] {
        try mac(digestName: "SHA512", key: key, data: data, size: 64)
    }

    private static func mac(digestName: String, key: SecretBytes, data: [UInt8], size: Int) throws -> [UInt8] {
        OpenSSLErrorQueue.clear()
        var out = [UInt8](repeating: 0, count: size)
        var length = 0
        // OpenSSL refuses a NULL key pointer even for an empty key; give it one byte of storage.
        let result: UnsafeMutablePointer<UInt8>? = key.withBytes { keyBytes in
            let keyStorage = keyBytes.isEmpty ? [0] : keyBytes
            return keyStorage.withUnsafeBytes { k in
                data.withUnsafeBytes { d in
                    out.withUnsafeMutableBufferPointer { o in
                        EVP_Q_mac(nil, "HMAC", nil, digestName, nil,
                                  k.baseAddress, keyBytes.count,
                                  d.baseAddress?.assumingMemoryBound(to: UInt8.self), d.count,
                                  o.baseAddress, size, &length)
                    }
                }
            }
        }
        guard result != nil, length == size else {
            throw OpenSSLErrorQueue.error(.operationFailed, "HMAC-\(digestName) failed")
        }
        return out
    }
}
