/// Why a SNAP signature could not be made or was rejected.
public struct SNAPSignatureError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The category of failure.
    public enum Kind: String, Sendable, Equatable {
        /// The signature is not base64 or has the wrong length.
        case malformedSignature
        /// The signature does not match.
        case mismatch
        /// Token mode was asked to sign without an access token.
        case missingAccessToken
        /// Signing failed.
        case signingFailed
    }

    /// The category of failure.
    public let kind: Kind
    /// A human-readable reason, free of secrets.
    public let message: String

    /// Creates an error.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
