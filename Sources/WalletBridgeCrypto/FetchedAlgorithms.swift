import COpenSSL

/// OpenSSL 3 algorithm objects fetched once per process.
///
/// Implicit fetches (`EVP_sha256()` inside each call, `EVP_Q_mac`) look the algorithm up in
/// the provider on every operation; fetching once and reusing the handle removes that cost.
/// Fetched objects are immutable and reference-counted, so sharing them across threads is safe.
final class FetchedAlgorithms: @unchecked Sendable {
    static let shared = FetchedAlgorithms()

    let sha256: OpaquePointer?
    let sha512: OpaquePointer?
    let hmac: OpaquePointer?
    let aes256GCM: OpaquePointer?
    let aes128CBC: OpaquePointer?
    let aes192CBC: OpaquePointer?
    let aes256CBC: OpaquePointer?

    private init() {
        sha256 = EVP_MD_fetch(nil, "SHA256", nil) ?? EVP_sha256()
        sha512 = EVP_MD_fetch(nil, "SHA512", nil) ?? EVP_sha512()
        hmac = EVP_MAC_fetch(nil, "HMAC", nil)
        aes256GCM = EVP_CIPHER_fetch(nil, "AES-256-GCM", nil) ?? EVP_aes_256_gcm()
        aes128CBC = EVP_CIPHER_fetch(nil, "AES-128-CBC", nil) ?? EVP_aes_128_cbc()
        aes192CBC = EVP_CIPHER_fetch(nil, "AES-192-CBC", nil) ?? EVP_aes_192_cbc()
        aes256CBC = EVP_CIPHER_fetch(nil, "AES-256-CBC", nil) ?? EVP_aes_256_cbc()
        OpenSSLErrorQueue.clear()
    }
}
