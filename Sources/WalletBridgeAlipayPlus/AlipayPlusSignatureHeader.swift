import Foundation

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
        guard let marker = value.range(of: "signature=") else {
            throw AlipayPlusSignatureError(.malformedHeader, "Signature header has no signature= field")
        }
        var algorithm: String? = nil
        var keyVersion: String? = nil
        for field in value[..<marker.lowerBound].split(separator: ",") {
            let parts = field.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2 else { continue }
            switch parts[0] {
            case "algorithm": algorithm = parts[1]
            case "keyVersion": keyVersion = parts[1]
            default: continue
            }
        }
        let encoded = String(value[marker.upperBound...]).trimmingCharacters(in: .whitespaces)
        guard let decoded = AlipayPlusSignatureHeader.formURLDecode(encoded) else {
            throw AlipayPlusSignatureError(.malformedHeader, "signature is not valid URL encoding")
        }
        self.init(signatureBase64: decoded, keyVersion: keyVersion, algorithm: algorithm ?? "RSA256")
    }

    /// The signature, URL-encoded form style (`+` → `%2B`, `/` → `%2F`, `=` → `%3D`).
    public var signatureURLEncoded: String {
        var out = ""
        out.reserveCapacity(signatureBase64.utf8.count + 16)
        for scalar in signatureBase64.unicodeScalars {
            switch scalar {
            case "A"..."Z", "a"..."z", "0"..."9", "-", "_", ".", "~": out.unicodeScalars.append(scalar)
            case " ": out += "+"
            default:
                for byte in String(scalar).utf8 { out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2) }
            }
        }
        return out
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
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+"): bytes.append(0x20)
            case UInt8(ascii: "%"):
                guard let hi = iterator.next(), let lo = iterator.next(),
                      let value = UInt8(String(decoding: [hi, lo], as: UTF8.self), radix: 16) else { return nil }
                bytes.append(value)
            default: bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
