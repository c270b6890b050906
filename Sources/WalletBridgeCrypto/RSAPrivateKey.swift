import COpenSSL

/// An RSA private key (at least 2048 bits), parsed once and shared freely.
///
/// Accepts PEM (`PRIVATE KEY` = PKCS#8, `RSA PRIVATE KEY` = PKCS#1) and bare base64 DER
/// (PKCS#8 tried first, then PKCS#1), as partner portals hand keys out. Its description shows
/// the size and the public key's fingerprint, never key material.
public struct RSAPrivateKey: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    let key: EVPKey

    /// Parses key text.
    /// - Throws: ``CryptoError`` when the text is not a supported, unencrypted RSA key of at
    ///   least 2048 bits.
    public init(text: String) throws {
        let block = try KeyText.decode(text)
        switch block.label {
        case nil:
            if let p = DER.pkcs8PrivateKey(block.der) ?? DER.pkcs1PrivateKey(block.der) {
                key = try EVPKey(taking: p)
            } else {
                throw OpenSSLErrorQueue.error(.malformedKey, "base64 key is neither a PKCS#8 nor a PKCS#1 RSA private key")
            }
        case "PRIVATE KEY"?:
            guard let p = DER.pkcs8PrivateKey(block.der) else {
                throw OpenSSLErrorQueue.error(.malformedKey, "PRIVATE KEY block is not a valid PKCS#8 key")
            }
            key = try EVPKey(taking: p)
        case "RSA PRIVATE KEY"?:
            guard let p = DER.pkcs1PrivateKey(block.der) else {
                throw OpenSSLErrorQueue.error(.malformedKey, "RSA PRIVATE KEY block is not a valid PKCS#1 key")
            }
            key = try EVPKey(taking: p)
        case "ENCRYPTED PRIVATE KEY"?:
            throw CryptoError(.unsupportedKey, "the private key is encrypted; supply it unencrypted (from a secret store)")
        case let label?:
            if label.contains("PUBLIC KEY") || label == "CERTIFICATE" {
                throw CryptoError(.unsupportedKey, "expected a private key, got a \(label)")
            }
            throw CryptoError(.unsupportedKey, "only RSA keys are supported, got a \(label) block")
        }
    }

    /// Modulus size in bits.
    public var bits: Int { key.bits }

    /// The matching public key.
    public var publicKey: RSAPublicKey { RSAPublicKey(key: key) }

    /// RSASSA-PKCS1-v1_5 signature with SHA-256 over `data`.
    public func signSHA256(_ data: [UInt8]) throws -> [UInt8] {
        try RSASignature.sign(data, key: key)
    }

    public var description: String { "RSAPrivateKey(\(bits) bits, public sha256:\(key.publicFingerprint.prefix(16)), <redacted>)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
