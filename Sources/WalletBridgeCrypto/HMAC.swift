/// One-shot HMAC. For many messages under one key, prepare an ``HMACKey`` once instead.
public enum HMAC {
    /// HMAC-SHA256 of `data` under `key` (32 bytes).
    public static func sha256(key: SecretBytes, data: [UInt8]) throws -> [UInt8] {
        try HMACKey(key, digest: .sha256).authenticate(data)
    }

    /// HMAC-SHA512 of `data` under `key` (64 bytes), as SNAP symmetric signatures use.
    public static func sha512(key: SecretBytes, data: [UInt8]) throws -> [UInt8] {
        try HMACKey(key, digest: .sha512).authenticate(data)
    }
}
