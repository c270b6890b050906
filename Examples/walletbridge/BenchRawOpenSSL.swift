import COpenSSL
import Foundation

/// The truly raw OpenSSL calls the signature schemes are made of, through the COpenSSL module
/// with none of WalletBridgeCrypto in the way: algorithms fetched once, keys parsed once, a
/// fresh context per operation (as OpenSSL requires), output into preallocated buffers.
/// `bench crypto` puts every scheme beside the sum of these calls, measured in the same run.
final class BenchRawOpenSSL {
    private let pkey: OpaquePointer
    private let sha256: OpaquePointer
    private let aes128CBC: OpaquePointer
    private let hmacTemplate: OpaquePointer
    private var signature = [UInt8](repeating: 0, count: 512)
    private var digest = [UInt8](repeating: 0, count: 64)
    private var cipherOut = [UInt8](repeating: 0, count: 4096)

    /// Parses `privateKeyPEM` (PKCS#8 or PKCS#1) with `d2i_AutoPrivateKey` and keys an HMAC
    /// template with `hmacKey` for SHA-512.
    init(privateKeyPEM: String, hmacKey: [UInt8]) throws {
        let base64 = privateKeyPEM.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        guard let der = Data(base64Encoded: base64).map(Array.init) else { throw BenchFailure(message: "raw OpenSSL: key is not PEM") }
        let parsed: OpaquePointer? = der.withUnsafeBufferPointer { buffer in
            var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
            return d2i_AutoPrivateKey(nil, &cursor, buffer.count)
        }
        guard let parsed, let sha256 = EVP_MD_fetch(nil, "SHA256", nil), let aes = EVP_CIPHER_fetch(nil, "AES-128-CBC", nil),
            let mac = EVP_MAC_fetch(nil, "HMAC", nil), let template = EVP_MAC_CTX_new(mac)
        else { throw BenchFailure(message: "raw OpenSSL: set-up failed") }
        EVP_MAC_free(mac)
        guard hmacKey.withUnsafeBufferPointer({ wb_hmac_init(template, "SHA512", $0.baseAddress, $0.count) }) == 1 else {
            throw BenchFailure(message: "raw OpenSSL: HMAC set-up failed")
        }
        pkey = parsed
        self.sha256 = sha256
        aes128CBC = aes
        hmacTemplate = template
    }

    deinit {
        EVP_PKEY_free(pkey)
        EVP_MD_free(sha256)
        EVP_CIPHER_free(aes128CBC)
        EVP_MAC_CTX_free(hmacTemplate)
    }

    /// `EVP_DigestSignInit` + `EVP_DigestSign` (RSASSA-PKCS1-v1_5, SHA-256) on a fresh
    /// `EVP_MD_CTX`; returns the signature length.
    @discardableResult
    func rsaSign(_ data: UnsafeRawBufferPointer) -> Int {
        guard let ctx = EVP_MD_CTX_new() else { return 0 }
        defer { EVP_MD_CTX_free(ctx) }
        guard EVP_DigestSignInit_ex(ctx, nil, "SHA256", nil, nil, pkey, nil) == 1 else { return 0 }
        var length = signature.count
        let rc = signature.withUnsafeMutableBufferPointer {
            EVP_DigestSign(ctx, $0.baseAddress, &length, data.baseAddress?.assumingMemoryBound(to: UInt8.self), data.count)
        }
        return rc == 1 ? length : 0
    }

    /// `EVP_DigestVerifyInit` + `EVP_DigestVerify` of `sig` over `data`.
    func rsaVerify(_ sig: [UInt8], _ data: UnsafeRawBufferPointer) -> Bool {
        guard let ctx = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(ctx) }
        guard EVP_DigestVerifyInit_ex(ctx, nil, "SHA256", nil, nil, pkey, nil) == 1 else { return false }
        return sig.withUnsafeBufferPointer {
            EVP_DigestVerify(ctx, $0.baseAddress, $0.count, data.baseAddress?.assumingMemoryBound(to: UInt8.self), data.count)
        } == 1
    }

    /// One-shot `EVP_Digest` SHA-256 (fetched once).
    func sha256(_ data: UnsafeRawBufferPointer) {
        var length: UInt32 = 0
        _ = digest.withUnsafeMutableBufferPointer { EVP_Digest(data.baseAddress, data.count, $0.baseAddress, &length, sha256, nil) }
    }

    /// HMAC-SHA512: `EVP_MAC_CTX_dup` of the keyed template, update, final.
    func hmacSHA512(_ data: UnsafeRawBufferPointer) {
        guard let ctx = EVP_MAC_CTX_dup(hmacTemplate) else { return }
        defer { EVP_MAC_CTX_free(ctx) }
        var length = 0
        _ = EVP_MAC_update(ctx, data.baseAddress?.assumingMemoryBound(to: UInt8.self), data.count)
        _ = digest.withUnsafeMutableBufferPointer { EVP_MAC_final(ctx, $0.baseAddress, &length, 64) }
    }

    /// AES-128-CBC with PKCS#7 padding (cipher fetched once) on a fresh `EVP_CIPHER_CTX`;
    /// `encrypt` false decrypts.
    func aes128CBC(_ data: UnsafeRawBufferPointer, key: [UInt8], iv: [UInt8], encrypt: Bool) {
        guard let ctx = EVP_CIPHER_CTX_new() else { return }
        defer { EVP_CIPHER_CTX_free(ctx) }
        var written: Int32 = 0
        var final: Int32 = 0
        _ = cipherOut.withUnsafeMutableBufferPointer { out -> Int32 in
            guard EVP_CipherInit_ex2(ctx, aes128CBC, key, iv, encrypt ? 1 : 0, nil) == 1 else { return 0 }
            guard
                EVP_CipherUpdate(
                    ctx, out.baseAddress, &written, data.baseAddress?.assumingMemoryBound(to: UInt8.self), Int32(data.count)) == 1,
                let base = out.baseAddress
            else { return 0 }
            return EVP_CipherFinal_ex(ctx, base + Int(written), &final)
        }
    }

    /// `RAND_bytes` of `count` bytes (the Paytm salt's draw).
    func random(_ count: Int) {
        _ = digest.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, Int32(min(count, 64))) }
    }
}
