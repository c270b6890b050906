import Foundation

/// The engine behind `walletbridge sign` and `walletbridge verify`: reads one case in the
/// shape of the vector files and signs or verifies it with the library's own schemes.
public struct SignatureTool: Sendable {
    /// The partner signature schemes.
    public enum Scheme: String, Sendable, CaseIterable {
        /// Alipay+ (GCash-style) RSA256: kinds `request`, `response`, `notification`.
        case alipayplus
        /// Paytm AES checksum: kinds `checksum-string`, `checksum-params`, `envelope`.
        case paytm
        /// SNAP (DANA-style): kinds `access-token`, `asymmetric`, `notification`, `symmetric`.
        case snap

        /// The kinds this scheme understands.
        public var kinds: [String] {
            switch self {
            case .alipayplus: return ["request", "response", "notification"]
            case .paytm: return ["checksum-string", "checksum-params", "envelope"]
            case .snap: return ["access-token", "asymmetric", "notification", "symmetric"]
            }
        }
    }

    /// Directory that relative key-file paths resolve against.
    public let baseDirectory: URL
    /// Whether explanations may show secrets (SNAP access tokens).
    public let showSecrets: Bool

    /// Creates a tool.
    public init(baseDirectory: URL, showSecrets: Bool = false) {
        self.baseDirectory = baseDirectory
        self.showSecrets = showSecrets
    }

    /// Signs the case in `json`.
    /// - Throws: ``SignatureCaseError`` when the case cannot be used.
    public func sign(scheme: Scheme, json: Data) throws(SignatureCaseError) -> SignReport {
        let (signatureCase, kind) = try read(json, scheme)
        switch scheme {
        case .alipayplus: return try AlipayPlusCases.sign(signatureCase, kind: kind)
        case .paytm: return try PaytmCases.sign(signatureCase, kind: kind)
        case .snap: return try SNAPCases.sign(signatureCase, kind: kind, showSecrets: showSecrets)
        }
    }

    /// Verifies the signature in the case in `json`. Checks the signature only, never clocks
    /// or replay windows.
    /// - Throws: ``SignatureCaseError`` when the case cannot be used; an invalid signature is
    ///   a report with `valid == false`, not an error.
    public func verify(scheme: Scheme, json: Data) throws(SignatureCaseError) -> VerifyReport {
        let (signatureCase, kind) = try read(json, scheme)
        switch scheme {
        case .alipayplus: return try AlipayPlusCases.verify(signatureCase, kind: kind)
        case .paytm: return try PaytmCases.verify(signatureCase, kind: kind)
        case .snap: return try SNAPCases.verify(signatureCase, kind: kind, showSecrets: showSecrets)
        }
    }

    /// Parses the case and checks that its kind belongs to `scheme`.
    private func read(_ json: Data, _ scheme: Scheme) throws(SignatureCaseError) -> (SignatureCase, String) {
        let signatureCase = try SignatureCase(json: json, baseDirectory: baseDirectory)
        let kind = try signatureCase.kind
        guard scheme.kinds.contains(kind) else {
            throw SignatureCaseError(
                "unknown kind \"\(kind)\" for scheme \(scheme.rawValue); expected one of \(scheme.kinds.joined(separator: ", "))")
        }
        return (signatureCase, kind)
    }
}
