import WalletBridgeCrypto

/// Verifies Alipay+ signatures (responses and notifications from the platform, or requests
/// in a sandbox) against public keys chosen by the header's `keyVersion`.
///
/// Only RSA256 (PKCS#1 v1.5 with SHA-256) is accepted: a SHA-1 signature is rejected even
/// though the reference library's low-level verifier accepts it.
public struct AlipayPlusVerifier: Sendable {
    /// The peer's public keys by key version.
    public let keys: PublicKeyStore

    /// Creates a verifier.
    public init(keys: PublicKeyStore) { self.keys = keys }

    /// Checks `header` (the raw `Signature` header value) against `message`.
    /// - Throws: ``AlipayPlusSignatureError`` saying why the signature is not acceptable.
    public func verify(_ message: AlipayPlusSignedMessage, signatureHeader header: String) throws(AlipayPlusSignatureError) {
        try verify(message, signature: AlipayPlusSignatureHeader(parsing: header))
    }

    /// Checks a parsed header against `message`.
    public func verify(_ message: AlipayPlusSignedMessage, signature header: AlipayPlusSignatureHeader) throws(AlipayPlusSignatureError) {
        guard header.algorithm == "RSA256" else {
            throw AlipayPlusSignatureError(.unsupportedAlgorithm, "algorithm \(header.algorithm) is not supported; only RSA256")
        }
        let key: RSAPublicKey
        do {
            key = try keys.key(version: header.keyVersion)
        } catch {
            throw AlipayPlusSignatureError(.unknownKeyVersion, "\(error)")
        }
        guard let signature = Base64.decode(header.signatureBase64) else {
            throw AlipayPlusSignatureError(.malformedSignature, "signature is not valid base64 after URL-decoding (was it URL-encoded?)")
        }
        guard signature.count == (key.bits + 7) / 8 else {
            throw AlipayPlusSignatureError(
                .malformedSignature, "signature is \(signature.count) bytes; a \(key.bits)-bit key makes \((key.bits + 7) / 8)")
        }
        guard key.verifySHA256(signature: signature, data: message.contentToSign) else {
            throw AlipayPlusSignatureError(
                .mismatch, "signature does not match the \(message.kind.rawValue) content (tampered, other key, or other digest)")
        }
    }
}
