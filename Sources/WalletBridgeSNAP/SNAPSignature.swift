/// A computed SNAP signature with the values a partner engineer compares when a wallet says
/// "unauthorized". `description` never shows the string to sign, which may hold a token.
public struct SNAPSignature: Sendable, Equatable, CustomStringConvertible {
    /// The `X-SIGNATURE` header value (standard base64).
    public let value: String
    /// The exact string that was signed. Holds the access token in symmetric mode.
    public let stringToSign: String
    /// Lowercase hex SHA-256 of the body, when the body is covered.
    public let bodySHA256Hex: String?
    /// ``stringToSign`` with any access token masked, safe for logs.
    public let redactedStringToSign: String

    public var description: String { "SNAPSignature(\(value))" }
}
