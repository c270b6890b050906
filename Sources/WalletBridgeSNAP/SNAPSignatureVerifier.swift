import WalletBridgeCrypto

/// Verifies asymmetric SNAP signatures with a peer's public key: notifications and signed
/// responses from the wallet (and, in a sandbox, requests from a merchant).
public struct SNAPSignatureVerifier: Sendable {
    /// The peer's public key.
    public let publicKey: RSAPublicKey

    /// Creates a verifier.
    public init(publicKey: RSAPublicKey) { self.publicKey = publicKey }

    /// Checks `signature` over `METHOD:path:sha256hex(body):timestamp`, hashing the raw body
    /// first and then its minified form. Checks the signature only, never the clock.
    /// - Throws: ``SNAPSignatureError`` saying why it was rejected.
    public func verifyTransaction(signature: String, method: String, path: String, body: [UInt8], timestamp: String) throws(SNAPSignatureError) {
        let bytes = try decode(signature)
        let verified = SNAPBodyForms.anyMatches(body) { candidate in
            let text = SNAPStringToSign.transaction(method: method, path: path, body: candidate, timestamp: timestamp)
            return publicKey.verifySHA256(signature: bytes, data: Array(text.utf8))
        }
        if verified { return }
        throw SNAPSignatureError(
            .mismatch, "X-SIGNATURE does not match \(method.uppercased()) \(path) at \(timestamp) (tampered body, time, path, or another key)")
    }

    /// Checks an access-token request signature over `clientKey|timestamp`.
    public func verifyAccessTokenRequest(signature: String, clientKey: String, timestamp: String) throws(SNAPSignatureError) {
        let bytes = try decode(signature)
        let text = SNAPStringToSign.accessToken(clientKey: clientKey, timestamp: timestamp)
        guard publicKey.verifySHA256(signature: bytes, data: Array(text.utf8)) else {
            throw SNAPSignatureError(.mismatch, "X-SIGNATURE does not match \(text)")
        }
    }

    private func decode(_ signature: String) throws(SNAPSignatureError) -> [UInt8] {
        guard let bytes = Base64.decode(signature) else {
            throw SNAPSignatureError(.malformedSignature, "X-SIGNATURE is not valid base64")
        }
        guard bytes.count == (publicKey.bits + 7) / 8 else {
            throw SNAPSignatureError(
                .malformedSignature, "X-SIGNATURE is \(bytes.count) bytes; a \(publicKey.bits)-bit key makes \((publicKey.bits + 7) / 8)")
        }
        return bytes
    }
}
