import WalletBridgeCrypto

/// Signs SNAP transactional requests. Two implementations behind one protocol, chosen by the
/// partner profile: ``SNAPRSASigner`` (DANA: RSA on every call, no token) and
/// ``SNAPHMACSigner`` (other SNAP providers: B2B token plus HMAC-SHA512).
public protocol SNAPTransactionSigner: Sendable {
    /// Whether transactional calls need a B2B access token (token mode).
    var requiresAccessToken: Bool { get }

    /// Signs a request whose exact body bytes are `body`.
    /// - Parameters:
    ///   - method: The HTTP method (`POST`).
    ///   - path: The request path, as sent.
    ///   - body: The exact body bytes sent.
    ///   - timestamp: The `X-TIMESTAMP` value sent with the request.
    ///   - accessToken: the B2B token; required when ``requiresAccessToken``.
    func sign(method: String, path: String, body: [UInt8], timestamp: String, accessToken: SecretBytes?) throws(SNAPSignatureError) -> SNAPSignature
}

/// Masks a token for display: the first four characters and the length.
func maskToken(_ token: String) -> String {
    "\(token.prefix(4))…(\(token.count) chars masked)"
}

/// Asymmetric SNAP signer: SHA256withRSA with our private key.
public struct SNAPRSASigner: SNAPTransactionSigner {
    /// Our private key; never printed.
    public let privateKey: RSAPrivateKey

    /// Creates a signer.
    public init(privateKey: RSAPrivateKey) { self.privateKey = privateKey }

    /// `false`: DANA-style RSA signatures need no token.
    public var requiresAccessToken: Bool { false }

    /// Signs `METHOD:path:sha256hex(body):timestamp` with SHA256withRSA; `accessToken` is ignored.
    public func sign(
        method: String, path: String, body: [UInt8], timestamp: String, accessToken: SecretBytes? = nil
    ) throws(SNAPSignatureError) -> SNAPSignature {
        let hash = Digest.sha256Hex(body)
        let text = SNAPStringToSign.transaction(method: method, path: path, bodySHA256Hex: hash, timestamp: timestamp)
        return SNAPSignature(value: try rsa(text), stringToSign: text, bodySHA256Hex: hash, redactedStringToSign: text)
    }

    /// Signs a B2B (or B2B2C) access-token request: `X-CLIENT-KEY|X-TIMESTAMP`.
    public func signAccessTokenRequest(clientKey: String, timestamp: String) throws(SNAPSignatureError) -> SNAPSignature {
        let text = SNAPStringToSign.accessToken(clientKey: clientKey, timestamp: timestamp)
        return SNAPSignature(value: try rsa(text), stringToSign: text, bodySHA256Hex: nil, redactedStringToSign: text)
    }

    private func rsa(_ text: String) throws(SNAPSignatureError) -> String {
        do {
            return Base64.encode(try privateKey.signSHA256(Array(text.utf8)))
        } catch {
            throw SNAPSignatureError(.signingFailed, "SHA256withRSA signing failed: \(error)")
        }
    }
}

/// Symmetric SNAP signer: HMAC-SHA512 keyed with the client secret, over a string that
/// includes the B2B access token.
public struct SNAPHMACSigner: SNAPTransactionSigner {
    private let key: HMACKey

    /// Creates a signer from the client secret (its UTF-8 bytes are the HMAC key), prepared
    /// once for every later signature.
    /// - Throws: ``SNAPSignatureError`` if OpenSSL cannot set up HMAC-SHA512.
    public init(clientSecret: SecretBytes) throws(SNAPSignatureError) {
        do {
            key = try HMACKey(clientSecret, digest: .sha512)
        } catch {
            throw SNAPSignatureError(.signingFailed, "cannot prepare HMAC-SHA512 key: \(error)")
        }
    }

    /// `true`: the string to sign includes the B2B access token.
    public var requiresAccessToken: Bool { true }

    /// Signs `METHOD:path:accessToken:sha256hex(body):timestamp` with HMAC-SHA512.
    /// - Throws: ``SNAPSignatureError`` (`missingAccessToken`) without a token.
    public func sign(
        method: String, path: String, body: [UInt8], timestamp: String, accessToken: SecretBytes?
    ) throws(SNAPSignatureError) -> SNAPSignature {
        guard let accessToken, let token = accessToken.revealUTF8(), !token.isEmpty else {
            throw SNAPSignatureError(.missingAccessToken, "symmetric SNAP signatures need a B2B access token")
        }
        let (hash, text, mac) = try tag(method: method, path: path, body: body, timestamp: timestamp, token: token)
        let redacted = SNAPStringToSign.symmetric(
            method: method, path: path, accessToken: maskToken(token), bodySHA256Hex: hash, timestamp: timestamp)
        return SNAPSignature(value: Base64.encode(mac), stringToSign: text, bodySHA256Hex: hash, redactedStringToSign: redacted)
    }

    /// Whether `signature` is the HMAC of this request, for the raw body or its minified form.
    /// Constant-time; every malformed input is `false`.
    public func verify(signature: String, method: String, path: String, body: [UInt8], timestamp: String, accessToken: SecretBytes) -> Bool {
        guard let received = Base64.decode(signature), received.count == 64,
            let token = accessToken.revealUTF8(), !token.isEmpty
        else { return false }
        return SNAPBodyForms.anyMatches(body) { candidate in
            guard let expected = try? tag(method: method, path: path, body: candidate, timestamp: timestamp, token: token) else { return false }
            return ConstantTime.equal(expected.mac, received)
        }
    }

    /// The body hash, the string to sign and its HMAC-SHA512 tag.
    private func tag(
        method: String, path: String, body: [UInt8], timestamp: String, token: String
    ) throws(SNAPSignatureError) -> (hash: String, text: String, mac: [UInt8]) {
        let hash = Digest.sha256Hex(body)
        let text = SNAPStringToSign.symmetric(method: method, path: path, accessToken: token, bodySHA256Hex: hash, timestamp: timestamp)
        do {
            return (hash, text, try key.authenticate(Array(text.utf8)))
        } catch {
            throw SNAPSignatureError(.signingFailed, "HMAC-SHA512 failed: \(error)")
        }
    }
}
