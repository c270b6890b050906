import WalletBridgeCrypto
import WalletBridgePaytm

/// Paytm cases: `checksum-string`, `checksum-params`, `envelope`.
enum PaytmCases {
    static func checksum(_ c: SignatureCase) throws(SignatureCaseError) -> PaytmChecksum {
        let key = try c.keyText(inline: "merchant_key", file: "merchant_key_file", trimLineBreak: true)
        do { return try PaytmChecksum(merchantKey: SecretBytes(utf8: key)) } catch { throw SignatureCaseError("unusable merchant key: \(error)") }
    }

    static func sign(_ c: SignatureCase, kind: String) throws(SignatureCaseError) -> SignReport {
        let engine = try checksum(c)
        var salt: PaytmSalt? = nil
        if let text = try c.optionalString("salt") {
            do { salt = try PaytmSalt(text) } catch { throw SignatureCaseError("\(error)") }
        }
        var fields: [(name: String, value: String)] = []
        let text: [UInt8]
        switch kind {
        case "checksum-params":
            let paramsString = PaytmChecksum.paramsString(try c.params("params"))
            fields.append(("params_string", paramsString))
            text = Array(paramsString.utf8)
        case "envelope":
            text = try c.body()
            fields.append(("signed_text", String(decoding: text, as: UTF8.self)))
        default:
            text = try c.body()
        }
        let generated: PaytmChecksum.Generated
        do { generated = try engine.generate(for: text, salt: salt) } catch { throw SignatureCaseError("checksum generation failed: \(error)") }
        fields.append(("hash_string", generated.hashString))
        fields.append(("checksum", generated.checksum))
        let explanation =
            ["scheme: paytm (\(kind)), AES-CBC checksum, salt \(generated.salt)\(salt == nil ? " (random)" : "")"]
            + explainText("text T", String(decoding: text, as: UTF8.self))
            + explainText("hashed = T + \"|\" + salt", String(decoding: text, as: UTF8.self) + "|" + generated.salt.value)
            + [
                "hash string = sha256hex(hashed) + salt: \(generated.hashString)",
                "checksum: \(generated.checksum)",
            ]
        return SignReport(wireValue: generated.checksum, fields: fields, explanation: explanation)
    }

    static func verify(_ c: SignatureCase, kind: String) throws(SignatureCaseError) -> VerifyReport {
        let engine = try checksum(c)
        let text: [UInt8]
        let checksum: String?
        switch kind {
        case "checksum-params":
            let params = try c.params("params")
            text = Array(PaytmChecksum.paramsString(params).utf8)
            checksum = try c.optionalString("checksum") ?? (params["CHECKSUMHASH"] ?? nil)
        case "envelope":
            let raw = try c.string("envelope")
            do {
                let envelope = try PaytmEnvelope(received: Array(raw.utf8))
                text = envelope.bodyText
                checksum = try c.optionalString("checksum") ?? envelope.signature
            } catch {
                return VerifyReport(valid: false, reason: "envelope unusable: \(error)", explanation: [])
            }
        default:
            text = try c.body()
            checksum = try c.string("checksum")
        }
        let explanation = ["scheme: paytm (\(kind))"] + explainText("text T", String(decoding: text, as: UTF8.self))
        guard let checksum else {
            return VerifyReport(valid: false, reason: "no checksum present (unsigned)", explanation: explanation)
        }
        if engine.verify(checksum, for: text) {
            return VerifyReport(valid: true, reason: "checksum matches the text", explanation: explanation)
        }
        let key =
            (try? c.optionalString("merchant_key")) != nil
            ? "the inline merchant_key" : ((try? c.optionalString("merchant_key_file")).map { "merchant_key_file \($0)" } ?? "the merchant key")
        return VerifyReport(
            valid: false, reason: "checksum does not match the text with \(key) (another merchant key, tampered text, or a malformed checksum)",
            explanation: explanation)
    }
}
