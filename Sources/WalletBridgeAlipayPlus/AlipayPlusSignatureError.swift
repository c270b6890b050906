/// Why an Alipay+ signature could not be made or was rejected.
public struct AlipayPlusSignatureError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The category of failure.
    public enum Kind: String, Sendable, Equatable {
        /// The `Signature` header is missing or cannot be parsed.
        case malformedHeader
        /// The header names an algorithm other than RSA256.
        case unsupportedAlgorithm
        /// No platform key is registered for the header's key version.
        case unknownKeyVersion
        /// The signature is not valid base64 or has the wrong length.
        case malformedSignature
        /// The signature does not match the content (tampered, wrong key, wrong digest).
        case mismatch
        /// Signing failed.
        case signingFailed
    }

    /// The category of failure.
    public let kind: Kind
    /// A human-readable reason, free of key material.
    public let message: String

    /// Creates an error.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
