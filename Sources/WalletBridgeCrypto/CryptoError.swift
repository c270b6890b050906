/// An error from the crypto layer.
///
/// Errors never carry key material: only what went wrong and, when OpenSSL was involved,
/// OpenSSL's own reason text (for example `"bad decrypt"` or `"unsupported"`).
public struct CryptoError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure this is, for programmatic handling.
    public enum Kind: String, Sendable, Equatable {
        /// Key text could not be decoded as any supported format.
        case malformedKey
        /// The key decoded but is not acceptable (not RSA, too short, encrypted...).
        case unsupportedKey
        /// A key source (file, environment variable) could not be read. No longer thrown:
        /// `KeySource` moved to `WalletBridgeCore`, which reports `KeySourceError`; the case
        /// stays so that code switching over kinds still compiles.
        case keySourceUnavailable
        /// Input to an operation is invalid (wrong key length, bad IV...).
        case invalidInput
        /// An OpenSSL operation failed.
        case operationFailed
        /// No key is registered for the requested key version.
        case unknownKeyVersion
    }

    /// What kind of failure this is.
    public let kind: Kind
    /// A human-readable explanation, free of secrets.
    public let message: String
    /// OpenSSL's reason text, when OpenSSL reported one.
    public let openSSLReason: String?

    /// Creates an error.
    public init(_ kind: Kind, _ message: String, openSSLReason: String? = nil) {
        self.kind = kind
        self.message = message
        self.openSSLReason = openSSLReason
    }

    public var description: String {
        if let openSSLReason, !openSSLReason.isEmpty {
            return "\(message) (OpenSSL: \(openSSLReason))"
        }
        return message
    }
}
