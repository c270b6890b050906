import Foundation
import HTTPTypes

/// Small wire conventions every adapter shares; nothing partner-specific.
public enum WireFormat {
    /// Encodes a request body once, with sorted keys and unescaped slashes, so the bytes that
    /// are signed are the bytes sent and a retry sends identical bytes.
    public static func json(_ value: some Encodable) throws -> [UInt8] {
        do {
            return try WireJSON.encode(value)
        } catch is WireJSON.Unsupported {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            return Array(try encoder.encode(value))
        }
    }

    /// `baseURL` (trailing slashes dropped) followed by `path`.
    public static func url(_ baseURL: String, _ path: String) -> String {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        return base + path
    }

    /// A `Retry-After` header given in seconds, as a duration.
    public static func retryAfter(_ headerFields: HTTPFields) -> Duration? {
        guard let text = headerFields[.retryAfter], let seconds = Int64(text), seconds >= 0 else { return nil }
        return .seconds(seconds)
    }
}
