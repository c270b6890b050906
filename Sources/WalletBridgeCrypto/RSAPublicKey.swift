import COpenSSL

/// An RSA public key (at least 2048 bits), parsed once and shared freely.
///
/// Accepts PEM (`PUBLIC KEY` = SubjectPublicKeyInfo, `RSA PUBLIC KEY` = PKCS#1,
/// `CERTIFICATE` = the certificate's key) and bare base64 DER (SPKI first, then PKCS#1).
public struct RSAPublicKey: Sendable, CustomStringConvertible {
    let key: EVPKey

    init(key: EVPKey) { self.key = key }

    /// Parses key text.
    /// - Throws: ``CryptoError`` when the text is not a supported RSA public key of at least
    ///   2048 bits.
    public init(text: String) throws {
        let block = try KeyText.decode(text)
        switch block.label {
        case nil:
            guard let p = DER.spkiPublicKey(block.der) ?? DER.pkcs1PublicKey(block.der) else {
                throw OpenSSLErrorQueue.error(.malformedKey, "base64 key is neither an SPKI nor a PKCS#1 RSA public key")
            }
            key = try EVPKey(taking: p)
        case "PUBLIC KEY"?:
            guard let p = DER.spkiPublicKey(block.der) else {
                throw OpenSSLErrorQueue.error(.malformedKey, "PUBLIC KEY block is not a valid SubjectPublicKeyInfo")
            }
            key = try EVPKey(taking: p)
        case "RSA PUBLIC KEY"?:
            guard let p = DER.pkcs1PublicKey(block.der) else {
                throw OpenSSLErrorQueue.error(.malformedKey, "RSA PUBLIC KEY block is not a valid PKCS#1 key")
            }
            key = try EVPKey(taking: p)
        case "CERTIFICATE"?:
            guard let p = DER.certificatePublicKey(block.der) else {
                throw OpenSSLErrorQueue.error(.malformedKey, "CERTIFICATE block is not a valid X.509 certificate")
            }
            key = try EVPKey(taking: p)
        case let label?:
            if label.contains("PRIVATE KEY") {
                throw CryptoError(.unsupportedKey, "expected a public key, got a \(label); never hand a private key to a verifier")
            }
            throw CryptoError(.unsupportedKey, "only RSA keys are supported, got a \(label) block")
        }
    }

    /// Modulus size in bits.
    public var bits: Int { key.bits }

    /// Lowercase hex SHA-256 of the key's SubjectPublicKeyInfo DER.
    public var fingerprint: String { key.publicFingerprint }

    /// Whether `signature` is a valid RSASSA-PKCS1-v1_5 SHA-256 signature of `data`.
    ///
    /// Signatures naming any other digest (SHA-1 included), of the wrong length or otherwise
    /// malformed are rejected. Never throws: every failure is `false`.
    public func verifySHA256(signature: [UInt8], data: [UInt8]) -> Bool {
        RSASignature.verify(signature: signature, data: data, key: key)
    }

    /// The key as a `PUBLIC KEY` (SubjectPublicKeyInfo) PEM block: what `walletbridge verify`
    /// and ``RSAPublicKey/init(text:)`` read back. Public material only.
    public var pem: String {
        guard let der = key.publicKeyDER() else { return "" }
        let base64 = Base64.encode(der)
        var lines: [Substring] = []
        var rest = Substring(base64)
        while !rest.isEmpty {
            lines.append(rest.prefix(64))
            rest = rest.dropFirst(64)
        }
        return "-----BEGIN PUBLIC KEY-----\n" + lines.joined(separator: "\n") + "\n-----END PUBLIC KEY-----\n"
    }

    public var description: String { "RSAPublicKey(\(bits) bits, sha256:\(key.publicFingerprint.prefix(16)))" }
}
