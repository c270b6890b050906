import WalletBridgeCrypto
import WalletBridgeSNAP

/// SNAP cases: `access-token`, `asymmetric`, `notification`, `symmetric`.
enum SNAPCases {
    static func clientKey(_ c: SignatureCase) throws(SignatureCaseError) -> String {
        if let key = try c.optionalString("client_key") { return key }
        if let headers = c.fields["headers"] as? [String: Any], let key = headers["X-CLIENT-KEY"] as? String { return key }
        throw SignatureCaseError("missing field \"client_key\"")
    }

    static func sign(_ c: SignatureCase, kind: String, showSecrets: Bool) throws(SignatureCaseError) -> SignReport {
        let timestamp = try c.string("timestamp")
        let signature: SNAPSignature
        do {
            switch kind {
            case "access-token":
                signature = try SNAPRSASigner(privateKey: try c.privateKey()).signAccessTokenRequest(
                    clientKey: try clientKey(c), timestamp: timestamp)
            case "symmetric":
                let signer = try SNAPHMACSigner(clientSecret: SecretBytes(utf8: try c.string("client_secret")))
                signature = try signer.sign(
                    method: try c.string("method"), path: try c.string("path"), body: try c.body(),
                    timestamp: timestamp, accessToken: SecretBytes(utf8: try c.string("access_token")))
            default:
                signature = try SNAPRSASigner(privateKey: try c.privateKey()).sign(
                    method: try c.string("method"), path: try c.string("path"), body: try c.body(), timestamp: timestamp)
            }
        } catch let error as SignatureCaseError {
            throw error
        } catch {
            throw SignatureCaseError("\(error)")
        }
        var fields: [(name: String, value: String)] = []
        if let hash = signature.bodySHA256Hex { fields.append(("body_sha256_hex", hash)) }
        fields.append(("string_to_sign", signature.stringToSign))
        fields.append(("signature", signature.value))
        let algorithm = kind == "symmetric" ? "HMAC-SHA512 keyed with the client secret" : "SHA256withRSA"
        var explanation = ["scheme: snap (\(kind)), \(algorithm)"]
        if let hash = signature.bodySHA256Hex { explanation.append("body sha256 hex (of the exact body bytes): \(hash)") }
        explanation += explainText("string to sign", showSecrets ? signature.stringToSign : signature.redactedStringToSign)
        explanation.append("X-SIGNATURE: \(signature.value)")
        return SignReport(wireValue: signature.value, fields: fields, explanation: explanation)
    }

    static func verify(_ c: SignatureCase, kind: String, showSecrets: Bool) throws(SignatureCaseError) -> VerifyReport {
        let timestamp = try c.string("timestamp")
        let signature = try c.string("signature")
        switch kind {
        case "symmetric":
            let token = try c.string("access_token")
            let secret = SecretBytes(utf8: try c.string("client_secret"))
            let signer: SNAPHMACSigner
            do { signer = try SNAPHMACSigner(clientSecret: secret) } catch { throw SignatureCaseError("\(error)") }
            let valid = signer.verify(
                signature: signature, method: try c.string("method"), path: try c.string("path"),
                body: try c.body(), timestamp: timestamp, accessToken: SecretBytes(utf8: token))
            return VerifyReport(
                valid: valid,
                reason: valid ? "HMAC matches" : "HMAC does not match (tampered, other secret or token, or malformed)",
                explanation: ["scheme: snap (symmetric), token \(showSecrets ? token : "masked")"])
        case "access-token":
            let verifier = SNAPSignatureVerifier(publicKey: try c.publicKey())
            let key = try clientKey(c)
            do {
                try verifier.verifyAccessTokenRequest(signature: signature, clientKey: key, timestamp: timestamp)
                return VerifyReport(valid: true, reason: "signature matches clientKey|timestamp", explanation: [])
            } catch {
                return VerifyReport(valid: false, reason: "\(error.kind.rawValue): \(error.message)", explanation: [])
            }
        default:
            let verifier = SNAPSignatureVerifier(publicKey: try c.publicKey())
            let method = try c.string("method")
            let path = try c.string("path")
            let body = try c.body()
            let explanation =
                ["scheme: snap (\(kind)), public key \(verifier.publicKey)"]
                + explainText(
                    "string verified (raw body form)", SNAPStringToSign.transaction(method: method, path: path, body: body, timestamp: timestamp))
            do {
                try verifier.verifyTransaction(signature: signature, method: method, path: path, body: body, timestamp: timestamp)
                return VerifyReport(valid: true, reason: "signature matches \(method.uppercased()) \(path)", explanation: explanation)
            } catch {
                return VerifyReport(valid: false, reason: "\(error.kind.rawValue): \(error.message)", explanation: explanation)
            }
        }
    }
}
