import Foundation

/// Standard base64 (RFC 4648 alphabet, `=` padding), strict on decode.
public enum Base64 {
    /// Encodes `bytes`.
    public static func encode(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }

    /// Decodes `text`; `nil` for anything that is not canonical padded base64 (whitespace,
    /// URL-safe characters and missing padding included).
    public static func decode(_ text: String) -> [UInt8]? {
        guard text.utf8.count % 4 == 0 else { return nil }
        return Data(base64Encoded: text).map(Array.init)
    }
}
