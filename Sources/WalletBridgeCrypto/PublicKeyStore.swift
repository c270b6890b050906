/// A partner's public keys by key version, so keys can rotate without a release.
///
/// Alipay+ names the version in the `Signature` header (`keyVersion=2`); Paytm names its key
/// by `clientId`. Lookups of an unregistered version fail loudly rather than fall back.
public struct PublicKeyStore: Sendable, CustomStringConvertible {
    private let keys: [String: RSAPublicKey]
    /// The version used when a message names none.
    public let defaultVersion: String?

    /// Creates a store. `defaultVersion`, when given, must be one of the keys' versions.
    public init(_ keys: [String: RSAPublicKey], defaultVersion: String? = nil) throws {
        if let defaultVersion, keys[defaultVersion] == nil {
            throw CryptoError(.unknownKeyVersion, "default key version \(defaultVersion) has no key")
        }
        self.keys = keys
        self.defaultVersion = defaultVersion ?? (keys.count == 1 ? keys.keys.first : nil)
    }

    /// A store with one key, which is also the default.
    public init(version: String, key: RSAPublicKey) {
        self.keys = [version: key]
        self.defaultVersion = version
    }

    /// The registered versions, sorted.
    public var versions: [String] { keys.keys.sorted() }

    /// The key for `version`, or the default key when `version` is `nil`.
    /// - Throws: ``CryptoError`` (`unknownKeyVersion`) naming the registered versions.
    public func key(version: String?) throws -> RSAPublicKey {
        guard let wanted = version ?? defaultVersion else {
            throw CryptoError(.unknownKeyVersion, "no key version given and no default among \(versions)")
        }
        guard let key = keys[wanted] else {
            throw CryptoError(.unknownKeyVersion, "no public key registered for key version \(wanted) (have \(versions))")
        }
        return key
    }

    public var description: String { "PublicKeyStore(versions: \(versions))" }
}
