/// A partner's keys by key version, so keys can rotate without a release.
///
/// Alipay+ names the platform's public key version in the `Signature` header
/// (`keyVersion=2`): use ``PublicKeyStore``. Paytm names the merchant key by `clientId` in the
/// envelope head (`"clientId":"C11"`): use a `KeyStore` of checksum engines or ``SecretBytes``.
/// Lookups of an unregistered version fail loudly rather than fall back. `description` lists
/// versions only, never keys.
public struct KeyStore<Key: Sendable>: Sendable, CustomStringConvertible {
    private let keys: [String: Key]
    /// The version used when a message names none.
    public let defaultVersion: String?

    /// Creates a store. `defaultVersion`, when given, must be one of the keys' versions; with a
    /// single key and no default, that key is the default.
    public init(_ keys: [String: Key], defaultVersion: String? = nil) throws(CryptoError) {
        if let defaultVersion, keys[defaultVersion] == nil {
            throw CryptoError(.unknownKeyVersion, "default key version \(defaultVersion) has no key")
        }
        self.keys = keys
        self.defaultVersion = defaultVersion ?? (keys.count == 1 ? keys.keys.first : nil)
    }

    /// A store with one key, which is also the default.
    public init(version: String, key: Key) {
        self.keys = [version: key]
        self.defaultVersion = version
    }

    /// The registered versions, sorted.
    public var versions: [String] { keys.keys.sorted() }

    /// The key for `version`, or the default key when `version` is `nil`.
    /// - Throws: ``CryptoError`` (`unknownKeyVersion`) naming the registered versions.
    public func key(version: String?) throws(CryptoError) -> Key {
        guard let wanted = version ?? defaultVersion else {
            throw CryptoError(.unknownKeyVersion, "no key version given and no default among \(versions)")
        }
        guard let key = keys[wanted] else {
            throw CryptoError(.unknownKeyVersion, "no key registered for key version \(wanted) (have \(versions))")
        }
        return key
    }

    public var description: String { "KeyStore(versions: \(versions))" }
}

/// Public keys by key version (Alipay+ `keyVersion`).
public typealias PublicKeyStore = KeyStore<RSAPublicKey>
