import Foundation

/// Turns key text (PEM or bare base64 DER, with real or literal `\n` line breaks) into DER
/// blocks. Pure parsing: no OpenSSL, no key types.
enum KeyText {
    /// One decoded block: the PEM label (`nil` for bare base64) and its DER bytes.
    struct Block {
        let label: String?
        let der: [UInt8]
    }

    /// Decodes `text` into its first PEM block, or into DER when it is bare base64.
    static func decode(_ text: String) throws -> Block {
        let normalised =
            text
            .replacingOccurrences(of: "\\r\\n", with: "\n")
            .replacingOccurrences(of: "\\n", with: "\n")
            .replacingOccurrences(of: "\r\n", with: "\n")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        guard !normalised.isEmpty else { throw CryptoError(.malformedKey, "key text is empty") }
        if normalised.contains("-----BEGIN ") { return try decodePEM(normalised) }
        let compact = normalised.filter { !$0.isWhitespace }
        guard let der = Data(base64Encoded: compact), !der.isEmpty else {
            throw CryptoError(.malformedKey, "key text is neither PEM nor base64 DER")
        }
        return Block(label: nil, der: Array(der))
    }

    private static func decodePEM(_ text: String) throws -> Block {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard let start = lines.firstIndex(where: { $0.hasPrefix("-----BEGIN ") && $0.hasSuffix("-----") }) else {
            throw CryptoError(.malformedKey, "PEM has no BEGIN line")
        }
        let label = String(lines[start].dropFirst("-----BEGIN ".count).dropLast(5))
        let endLine = "-----END \(label)-----"
        guard let end = lines[(start + 1)...].firstIndex(of: endLine) else {
            throw CryptoError(.malformedKey, "PEM block \(label) has no matching END line")
        }
        let body = lines[(start + 1)..<end]
        if body.contains(where: { $0.contains(":") }) {
            throw CryptoError(.unsupportedKey, "PEM block \(label) has headers (an encrypted key?); supply an unencrypted key")
        }
        guard let der = Data(base64Encoded: body.joined()), !der.isEmpty else {
            throw CryptoError(.malformedKey, "PEM block \(label) is not valid base64")
        }
        return Block(label: label, der: Array(der))
    }
}
