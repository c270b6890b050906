import WalletBridgeCrypto

/// Signs Alipay+ messages (requests, and replies to notifications) with our RSA private key.
public struct AlipayPlusSigner: Sendable {
    /// Our private key; never printed.
    public let privateKey: RSAPrivateKey
    /// The `keyVersion` the platform knows our public key by.
    public let keyVersion: String?

    /// Creates a signer.
    public init(privateKey: RSAPrivateKey, keyVersion: String? = "1") {
        self.privateKey = privateKey
        self.keyVersion = keyVersion
    }

    /// Signs `message` and returns its `Signature` header.
    public func sign(_ message: AlipayPlusSignedMessage) throws(AlipayPlusSignatureError) -> AlipayPlusSignatureHeader {
        do {
            let signature = try privateKey.signSHA256(message.contentToSign)
            return AlipayPlusSignatureHeader(signatureBase64: Base64.encode(signature), keyVersion: keyVersion)
        } catch {
            throw AlipayPlusSignatureError(.signingFailed, "RSA256 signing failed: \(error)")
        }
    }
}
