import Foundation
import WalletBridgeCore

/// What `--trace-bodies` hides: secrets never reach the terminal. It masks
/// - the profile's own secrets (merchant key, client secret) wherever their text appears,
/// - bearer values (`Authorization`, `Authorization-Customer`: access and customer tokens),
/// - JSON members that carry tokens or customer credentials (`accessToken`, `refreshToken`,
///   `paymentMethodId`, `txnToken`, `custId`, ...),
/// and shortens signatures and checksums (not secret, only long).
struct TraceMask: Sendable {
    /// The profile's secret texts and what to call them.
    let secrets: [(text: String, label: String)]

    /// Header fields whose whole value is a credential.
    static let secretHeaders: Set<String> = [
        "authorization", "authorization-customer", "proxy-authorization", "cookie", "set-cookie", "x-client-secret",
    ]
    /// Header fields holding a signature.
    static let signatureHeaders: Set<String> = ["signature", "x-signature"]
    /// JSON members holding a token, a customer credential or a secret.
    static let secretMembers = [
        "accessToken", "refreshToken", "access_token", "refresh_token", "paymentMethodId", "authCode", "txnToken",
        "custId", "customerToken", "clientSecret", "client_secret", "merchantKey", "merchant_key",
    ]
    /// JSON members holding a signature or checksum.
    static let signatureMembers = ["signature", "CHECKSUMHASH", "checksum"]

    /// A mask for the profile's secrets (each loaded once; a key that cannot be loaded has no
    /// text to leak).
    init(profile: PartnerProfile?) {
        var secrets: [(String, String)] = []
        if let profile {
            for (source, label) in [(profile.merchantKey, "merchant_key"), (profile.clientSecret, "client_secret")] {
                guard let text = try? source?.loadText() else { continue }
                let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
                if trimmed.count >= 8 { secrets.append((trimmed, label)) }
                // The base64 lines of a PEM key, should one ever travel alone.
                for line in trimmed.split(whereSeparator: \.isNewline) where line.count >= 16 && !line.hasPrefix("-----") {
                    secrets.append((String(line), label))
                }
            }
        }
        self.secrets = secrets
    }

    /// A header value as it may be printed.
    func header(_ name: String, _ value: String) -> String {
        let lowered = name.lowercased()
        if Self.secretHeaders.contains(lowered) {
            let scheme = value.split(separator: " ", maxSplits: 1).first.map(String.init) ?? ""
            let shown = scheme.lowercased() == "bearer" ? "Bearer " : ""
            return shown + Self.masked(value.count - shown.count, "token")
        }
        if Self.signatureHeaders.contains(lowered) { return Self.shortSignature(value) }
        return text(value)
    }

    /// A body as it may be printed (text; binary bodies by size only).
    func body(_ bytes: [UInt8]) -> String {
        guard !bytes.isEmpty else { return "(empty)" }
        guard var text = String(validating: bytes, as: UTF8.self) else { return "(\(bytes.count) bytes, not UTF-8)" }
        text = Self.replacingMembers(Self.secretMembers, in: text) { Self.masked($0.count, "credential") }
        text = Self.replacingMembers(Self.signatureMembers, in: text) { Self.shortSignature($0) }
        text = Self.replacingFormFields(["CHECKSUMHASH"], in: text) { Self.shortSignature($0) }
        return self.text(text)
    }

    /// `text` with every profile secret masked.
    func text(_ text: String) -> String {
        var text = text
        for (secret, label) in secrets where text.contains(secret) {
            text = text.replacingOccurrences(of: secret, with: Self.masked(secret.count, label))
        }
        return text
    }

    static func masked(_ count: Int, _ what: String) -> String { "«\(what) masked, \(max(count, 0)) chars»" }

    /// The first 16 characters of a signature's value (after `signature=` for Alipay+ headers).
    static func shortSignature(_ value: String) -> String {
        if let marker = value.range(of: "signature=") {
            let rest = value[marker.upperBound...]
            return rest.count > 16 ? "\(value[..<marker.upperBound])\(rest.prefix(16))…" : value
        }
        return value.count > 16 ? "\(value.prefix(16))…" : value
    }

    /// Replaces the string values of JSON members named `names` (anywhere in the text).
    static func replacingMembers(_ names: [String], in text: String, with replace: (String) -> String) -> String {
        let pattern = "\"(" + names.map(NSRegularExpression.escapedPattern(for:)).joined(separator: "|") + ")\"(\\s*:\\s*)\"((?:[^\"\\\\]|\\\\.)*)\""
        return replacing(pattern, group: 3, in: text, with: replace)
    }

    /// Replaces the values of `name=value` form fields.
    static func replacingFormFields(_ names: [String], in text: String, with replace: (String) -> String) -> String {
        let pattern = "(?:^|&)(" + names.map(NSRegularExpression.escapedPattern(for:)).joined(separator: "|") + ")=([^&]*)"
        return replacing(pattern, group: 2, in: text, with: replace)
    }

    static func replacing(_ pattern: String, group: Int, in text: String, with replace: (String) -> String) -> String {
        guard let expression = try? NSRegularExpression(pattern: pattern) else { return text }
        var result = text
        let matches = expression.matches(in: text, range: NSRange(text.startIndex..., in: text))
        for match in matches.reversed() {
            guard let range = Range(match.range(at: group), in: result) else { continue }
            result.replaceSubrange(range, with: replace(String(result[range])))
        }
        return result
    }
}
