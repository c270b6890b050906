import WalletBridgeCrypto

/// The strings SNAP signatures cover. Pure functions; no keys.
public enum SNAPStringToSign {
    /// `METHOD:path:sha256hex(body):X-TIMESTAMP`: the asymmetric transaction signature
    /// (DANA mode), notifications and signed responses.
    public static func transaction(method: String, path: String, body: [UInt8], timestamp: String) -> String {
        transaction(method: method, path: path, bodySHA256Hex: Digest.sha256Hex(body), timestamp: timestamp)
    }

    /// The transaction string for a body whose lowercase hex SHA-256 is already known.
    public static func transaction(method: String, path: String, bodySHA256Hex: String, timestamp: String) -> String {
        "\(method.uppercased()):\(path):\(bodySHA256Hex):\(timestamp)"
    }

    /// `METHOD:path:accessToken:sha256hex(body):X-TIMESTAMP`: the symmetric (HMAC-SHA512)
    /// transaction signature of token mode.
    public static func symmetric(method: String, path: String, accessToken: String, body: [UInt8], timestamp: String) -> String {
        symmetric(method: method, path: path, accessToken: accessToken, bodySHA256Hex: Digest.sha256Hex(body), timestamp: timestamp)
    }

    /// The symmetric string for a body whose lowercase hex SHA-256 is already known.
    public static func symmetric(method: String, path: String, accessToken: String, bodySHA256Hex: String, timestamp: String) -> String {
        "\(method.uppercased()):\(path):\(accessToken):\(bodySHA256Hex):\(timestamp)"
    }

    /// `X-CLIENT-KEY|X-TIMESTAMP`: the access-token request signature (body not covered).
    public static func accessToken(clientKey: String, timestamp: String) -> String {
        "\(clientKey)|\(timestamp)"
    }
}
