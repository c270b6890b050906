import WalletBridgeAlipayPlus
import WalletBridgeCrypto

/// Alipay+ cases: `request`, `response`, `notification`.
enum AlipayPlusCases {
    static func message(_ c: SignatureCase, kind: String) throws(SignatureCaseError) -> AlipayPlusSignedMessage {
        let method = try c.optionalString("method") ?? "POST"
        let path = try c.string("path")
        let clientId = try c.string("client_id")
        let time = try c.string("time")
        let body = try c.body()
        switch kind {
        case "response": return .response(requestMethod: method, requestPath: path, clientId: clientId, responseTime: time, body: body)
        case "notification":
            return .notification(method: method, path: path, clientId: clientId, requestTime: time, body: body)
        default: return .request(method: method, path: path, clientId: clientId, requestTime: time, body: body)
        }
    }

    static func sign(_ c: SignatureCase, kind: String) throws(SignatureCaseError) -> SignReport {
        let message = try message(c, kind: kind)
        let signer = AlipayPlusSigner(privateKey: try c.privateKey(), keyVersion: try c.optionalString("key_version") ?? "1")
        let header: AlipayPlusSignatureHeader
        do { header = try signer.sign(message) } catch { throw SignatureCaseError("\(error)") }
        let contentBytes = message.contentToSign
        let content = String(decoding: contentBytes, as: UTF8.self)
        let contentHash = Digest.sha256Hex(contentBytes)
        let fields: [(name: String, value: String)] = [
            ("content_to_sign", content),
            ("content_to_sign_sha256", contentHash),
            ("signature_b64", header.signatureBase64),
            ("signature_urlencoded", header.signatureURLEncoded),
            ("signature_header", header.headerValue),
        ]
        let explanation =
            ["scheme: alipayplus (\(kind)), RSA256 = RSASSA-PKCS1-v1_5 with SHA-256"]
            + explainText("content to sign = METHOD + \" \" + path + \"\\n\" + clientId + \".\" + time + \".\" + body", content)
            + [
                "content sha256: \(contentHash)",
                "signature (base64): \(header.signatureBase64)",
                "Signature: \(header.headerValue)",
            ]
        return SignReport(wireValue: header.headerValue, fields: fields, explanation: explanation)
    }

    static func verify(_ c: SignatureCase, kind: String) throws(SignatureCaseError) -> VerifyReport {
        let message = try message(c, kind: kind)
        let headerText = try c.string("signature_header")
        let key = try c.publicKey()
        let version = try c.optionalString("key_version") ?? (try? AlipayPlusSignatureHeader(parsing: headerText))?.keyVersion ?? "1"
        let verifier = AlipayPlusVerifier(keys: PublicKeyStore(version: version, key: key))
        let explanation =
            ["scheme: alipayplus (\(kind)), public key \(key)"]
            + explainText("content verified", String(decoding: message.contentToSign, as: UTF8.self))
        do {
            try verifier.verify(message, signatureHeader: headerText)
            return VerifyReport(valid: true, reason: "signature matches the \(kind) content (key version \(version))", explanation: explanation)
        } catch {
            return VerifyReport(valid: false, reason: "\(error.kind.rawValue): \(error.message)", explanation: explanation)
        }
    }
}
