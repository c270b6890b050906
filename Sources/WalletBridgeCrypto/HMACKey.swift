import COpenSSL

/// An HMAC key prepared once: a keyed OpenSSL MAC context that each computation duplicates,
/// so the digest lookup and key set-up are not repeated per message.
///
/// Never prints the key. Safe to share across tasks: the template is only ever read.
public struct HMACKey: Sendable, CustomStringConvertible {
    /// The hash function under the HMAC.
    public enum Digest: String, Sendable {
        /// HMAC-SHA256 (32-byte tags).
        case sha256 = "SHA256"
        /// HMAC-SHA512 (64-byte tags), as SNAP symmetric signatures use.
        case sha512 = "SHA512"

        var size: Int { self == .sha256 ? 32 : 64 }
    }

    private let template: MACContext
    /// The digest.
    public let digest: Digest

    /// Prepares `key` for HMAC with `digest`.
    public init(_ key: SecretBytes, digest: Digest) throws {
        OpenSSLErrorQueue.clear()
        guard let algorithm = FetchedAlgorithms.shared.hmac, let ctx = EVP_MAC_CTX_new(algorithm) else {
            throw OpenSSLErrorQueue.error(.operationFailed, "HMAC is unavailable in this OpenSSL")
        }
        // OpenSSL refuses a NULL key pointer even for an empty key; give it one byte of storage.
        let initialised = key.withBytes { keyBytes in
            (keyBytes.isEmpty ? [0] : keyBytes).withUnsafeBufferPointer { k in
                wb_hmac_init(ctx, digest.rawValue, k.baseAddress, keyBytes.count)
            }
        }
        guard initialised == 1 else {
            EVP_MAC_CTX_free(ctx)
            throw OpenSSLErrorQueue.error(.operationFailed, "HMAC-\(digest.rawValue) initialisation failed")
        }
        template = MACContext(ctx)
        self.digest = digest
    }

    /// The HMAC tag of `data`.
    public func authenticate(_ data: [UInt8]) throws -> [UInt8] {
        OpenSSLErrorQueue.clear()
        guard let ctx = EVP_MAC_CTX_dup(template.pointer) else {
            throw OpenSSLErrorQueue.error(.operationFailed, "cannot duplicate HMAC context")
        }
        defer { EVP_MAC_CTX_free(ctx) }
        let size = digest.size
        var out = [UInt8](repeating: 0, count: size)
        var length = 0
        let updated = data.withUnsafeBufferPointer { EVP_MAC_update(ctx, $0.baseAddress, $0.count) }
        let finished = out.withUnsafeMutableBufferPointer { EVP_MAC_final(ctx, $0.baseAddress, &length, size) }
        guard updated == 1, finished == 1, length == size else {
            throw OpenSSLErrorQueue.error(.operationFailed, "HMAC-\(digest.rawValue) failed")
        }
        return out
    }

    public var description: String { "HMACKey(\(digest.rawValue), <redacted>)" }
}

/// Owns a keyed `EVP_MAC_CTX` that is only read (duplicated) after set-up.
private final class MACContext: @unchecked Sendable {
    let pointer: OpaquePointer
    init(_ pointer: OpaquePointer) { self.pointer = pointer }
    deinit { EVP_MAC_CTX_free(pointer) }
}
