import WalletBridgeCrypto
import WalletBridgeHTTP

/// The Alipay+ `Signature` header: `algorithm=RSA256,keyVersion=1,signature=<url-encoded base64>`.
///
/// Parsing is tolerant of spaces after commas and of field order, and takes everything after
/// `signature=` as the signature (base64 may not contain commas, but a peer may append none).
/// The signature is URL-decoded exactly once, form style (`+` becomes a space), so a raw,
/// un-encoded base64 value fails to decode, as with the reference library.
public struct AlipayPlusSignatureHeader: Sendable, Equatable, CustomStringConvertible {
    /// `algorithm`, normally `RSA256`.
    public let algorithm: String
    /// `keyVersion`, if the header names one.
    public let keyVersion: String?
    /// The signature's standard base64 text, URL-decoded.
    public let signatureBase64: String

    /// Creates a header for a new signature.
    public init(signatureBase64: String, keyVersion: String?, algorithm: String = "RSA256") {
        self.algorithm = algorithm
        self.keyVersion = keyVersion
        self.signatureBase64 = signatureBase64
    }

    /// Parses a received header value.
    /// - Throws: ``AlipayPlusSignatureError`` (`malformedHeader`) when there is no `signature=`.
    public init(parsing value: String) throws(AlipayPlusSignatureError) {
        let bytes = Array(value.utf8)
        let marker = Array("signature=".utf8)
        guard let markerStart = AlipayPlusSignatureHeader.firstIndex(of: marker, in: bytes) else {
            throw AlipayPlusSignatureError(.malformedHeader, "Signature header has no signature= field")
        }
        var algorithm: String? = nil
        var keyVersion: String? = nil
        for field in bytes[..<markerStart].split(separator: UInt8(ascii: ",")) {
            guard let equals = field.firstIndex(of: UInt8(ascii: "=")) else { continue }
            let name = AlipayPlusSignatureHeader.trimmed(field[field.startIndex..<equals])
            let fieldValue = AlipayPlusSignatureHeader.trimmed(field[(equals + 1)...])
            switch name {
            case "algorithm": algorithm = fieldValue
            case "keyVersion": keyVersion = fieldValue
            default: continue
            }
        }
        let encoded = AlipayPlusSignatureHeader.trimmed(bytes[(markerStart + marker.count)...])
        guard let decoded = AlipayPlusSignatureHeader.formURLDecode(encoded) else {
            throw AlipayPlusSignatureError(.malformedHeader, "signature is not valid URL encoding")
        }
        self.init(signatureBase64: decoded, keyVersion: keyVersion, algorithm: algorithm ?? "RSA256")
    }

    private static func firstIndex(of needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
            if haystack[start..<(start + needle.count)].elementsEqual(needle) { return start }
        }
        return nil
    }

    private static func trimmed(_ bytes: ArraySlice<UInt8>) -> String {
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }), let last = bytes.lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(decoding: bytes[first...last], as: UTF8.self)
    }

    /// The signature, URL-encoded form style (`+` → `%2B`, `/` → `%2F`, `=` → `%3D`).
    public var signatureURLEncoded: String {
        String(decoding: PercentEncoding.encode(signatureBase64, spaceAsPlus: true), as: UTF8.self)
    }

    /// The header value as it goes on the wire.
    public var headerValue: String {
        var fields = ["algorithm=\(algorithm)"]
        if let keyVersion { fields.append("keyVersion=\(keyVersion)") }
        fields.append("signature=\(signatureURLEncoded)")
        return fields.joined(separator: ",")
    }

    public var description: String { headerValue }

    /// `application/x-www-form-urlencoded` decoding: `+` is a space, `%XX` a byte.
    static func formURLDecode(_ text: String) -> String? {
        PercentEncoding.decodeForm(text.utf8).flatMap { String(validating: $0, as: UTF8.self) }
    }
}
