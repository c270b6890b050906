import Foundation
import Testing
import WalletBridgeAlipayPlus
import WalletBridgeCrypto
import WalletBridgePaytm
import WalletBridgeSNAP

private func key(_ name: String) -> String { Vectors.key(name) }

@Suite("Paytm checksum")
struct PaytmChecksumTests {
    let engine: PaytmChecksum
    init() throws { engine = try PaytmChecksum(merchantKey: SecretBytes(utf8: "SDOr4vU+L2wkTaKX")) }

    /// The worked example of partners/paytm.md.
    @Test func workedExample() throws {
        let text = Array(#"{"mid":"WBTEST00000000000001","orderId":"WB-ORDER-0001"}"#.utf8)
        let generated = try engine.generate(for: text, salt: PaytmSalt("Zz09"))
        #expect(generated.hashString == "69d657ab98b2f9fa5bb89bace528e14befb7ced37208252647f8dceee8d824b5Zz09")
        #expect(generated.checksum == "kmI2n10DMhYY1+aWFMjquhRmcnfZqhivw7yBBRTZ/uAvc1lPbX6FT8uFPfNwLvTriFrGo29t+uocDy5xW5wX3Gp4WwWJ8Z/Z4QxtdHMWYEw=")
        #expect(generated.checksum.count == 108)
    }

    @Test func randomSaltsVerifyAndDiffer() throws {
        let text = Array("{}".utf8)
        let a = try engine.generate(for: text)
        let b = try engine.generate(for: text)
        #expect(engine.verify(a.checksum, for: text) && engine.verify(b.checksum, for: text))
        #expect(a.checksum != b.checksum || a.salt == b.salt)
    }

    @Test func paramsStringOrdersByCodePointAndBlanksNulls() {
        let params: [String: String?] = ["b": "2", "A": "1", "a": "3", "CHECKSUMHASH": "x", "n": nil, "N": "NuLl", "Z": "z"]
        #expect(PaytmChecksum.paramsString(params) == "1||z|3|2|")
    }

    @Test(arguments: ["", "not base64!", "AAAA", String(repeating: "A", count: 108), "kmI2n10DMhYY1+aWFMjquhRmcnfZ"])
    func garbageChecksumsAreRejectedWithoutCrashing(checksum: String) {
        #expect(!engine.verify(checksum, for: Array("{}".utf8)))
    }

    @Test func rejectsBadKeysAndSalts() {
        #expect(throws: PaytmChecksumError.self) { try PaytmChecksum(merchantKey: SecretBytes(utf8: "short")) }
        #expect(throws: PaytmChecksumError.self) { try PaytmChecksum(merchantKey: SecretBytes(utf8: "ÄAAAAAAAAAAAAAAA")) }
        for bad in ["abc", "abcde", "ab-c", "abç1"] {
            #expect(throws: PaytmChecksumError.self) { try PaytmSalt(bad) }
        }
    }

    @Test func envelopeBodyIsCutFromReceivedBytes() throws {
        let raw = #"{"head":{"signature":"SIG","version":"v2"},"body":{"b" : "x",  "a":1}}"#
        let envelope = try PaytmEnvelope(received: Array(raw.utf8))
        #expect(String(decoding: envelope.bodyText, as: UTF8.self) == #"{"b" : "x",  "a":1}"#)
        #expect(envelope.signature == "SIG")
        #expect(envelope.clientId == nil)
        #expect(throws: PaytmChecksumError.self) { try PaytmEnvelope(received: Array(#"{"head":{}}"#.utf8)) }
        #expect(throws: PaytmChecksumError.self) { try PaytmEnvelope(received: Array("not json".utf8)) }
    }
}

extension PaytmChecksumTests {
    /// A merchant with two keys: the envelope's head.clientId picks the one to verify with.
    @Test func merchantKeyChosenByClientId() throws {
        let keys = try KeyStore(["C11": engine, "C12": PaytmChecksum(merchantKey: SecretBytes(utf8: "0123456789abcdef"))])
        let body = #"{"mid":"WBTEST00000000000001","orderId":"WB-ORDER-0001"}"#
        let checksum = try keys.key(version: "C12").generate(for: Array(body.utf8)).checksum
        let envelope = try PaytmEnvelope(received: Array(#"{"head":{"clientId":"C12","signature":"\#(checksum)"},"body":\#(body)}"#.utf8))
        #expect(envelope.clientId == "C12")
        let signature = try #require(envelope.signature)
        #expect(try keys.key(version: envelope.clientId).verify(signature, for: envelope.bodyText))
        #expect(try !keys.key(version: "C11").verify(signature, for: envelope.bodyText))
        #expect(throws: CryptoError.self) { try keys.key(version: "C13") }
    }
}

@Suite("Alipay+ signatures")
struct AlipayPlusSignatureTests {
    let signer: AlipayPlusSigner
    let verifier: AlipayPlusVerifier
    let message = AlipayPlusSignedMessage.request(
        path: "/aps/api/v1/payments/cancelPayment", clientId: "SANDBOX_5YC47N2ZQHJ004124",
        requestTime: "2026-11-24T18:04:05+08:00", body: Array(#"{"paymentRequestId":"WB-PAY-0002"}"#.utf8))

    init() throws {
        let privateKey = try RSAPrivateKey(text: key("test-only-merchant-rsa2048-private-pkcs8.pem"))
        signer = AlipayPlusSigner(privateKey: privateKey, keyVersion: "1")
        verifier = AlipayPlusVerifier(keys: PublicKeyStore(version: "1", key: privateKey.publicKey))
    }

    @Test func contentToSign() {
        #expect(
            String(decoding: message.contentToSign, as: UTF8.self)
                == "POST /aps/api/v1/payments/cancelPayment\nSANDBOX_5YC47N2ZQHJ004124.2026-11-24T18:04:05+08:00.{\"paymentRequestId\":\"WB-PAY-0002\"}"
        )
        let empty = AlipayPlusSignedMessage.request(path: "/p", clientId: "c", requestTime: "t", body: [])
        #expect(String(decoding: empty.contentToSign, as: UTF8.self) == "POST /p\nc.t.")
    }

    /// The worked example of partners/alipayplus.md (its published prefix and suffix; the doc
    /// prints the tail as `CGd5QQ==`, the vector file and OpenSSL give `Cgd5QQ==`).
    @Test func workedExample() throws {
        let header = try signer.sign(message)
        #expect(header.signatureBase64.hasPrefix("UN1bJKXYUTy7d2GiOnoZpumX"))
        #expect(header.signatureBase64.hasSuffix("Cgd5QQ=="))
        #expect(
            header.headerValue.hasPrefix("algorithm=RSA256,keyVersion=1,signature=UN1bJKXYUTy7d2GiOnoZpumXPHBygjzjOGJtjxg0PPjUboEAhWoRCawCJAPM%2BmJo")
        )
        #expect(header.headerValue.hasSuffix("Cgd5QQ%3D%3D"))
    }

    @Test func headerParsingIsTolerant() throws {
        let header = try signer.sign(message)
        let encoded = header.signatureURLEncoded
        for text in [
            "algorithm=RSA256,keyVersion=1,signature=\(encoded)",
            "algorithm=RSA256, keyVersion=1, signature=\(encoded)",
            "keyVersion=1,algorithm=RSA256,signature=\(encoded)",
            "signature=\(encoded)",
        ] {
            try verifier.verify(message, signatureHeader: text)
        }
    }

    @Test func rejectionsSayWhy() throws {
        let header = try signer.sign(message)
        func kind(_ text: String, _ m: AlipayPlusSignedMessage? = nil) -> AlipayPlusSignatureError.Kind? {
            do { try verifier.verify(m ?? message, signatureHeader: text); return nil } catch { return error.kind }
        }
        #expect(kind("algorithm=RSA256,keyVersion=1") == .malformedHeader)
        #expect(kind("algorithm=RSA1,keyVersion=1,signature=\(header.signatureURLEncoded)") == .unsupportedAlgorithm)
        #expect(kind("algorithm=RSA256,keyVersion=2,signature=\(header.signatureURLEncoded)") == .unknownKeyVersion)
        #expect(kind("algorithm=RSA256,keyVersion=1,signature=\(header.signatureBase64)") == .malformedSignature)
        #expect(kind("algorithm=RSA256,keyVersion=1,signature=QUJD") == .malformedSignature)
        #expect(kind("algorithm=RSA256,keyVersion=1,signature=%ZZ") == .malformedHeader)
        #expect(kind("algorithm=RSA256,keyVersion=1,signature=QUJD%2") == .malformedHeader)  // an escape cut short
        #expect(kind("algorithm=RSA256,keyVersion=1,signature=QUJD%") == .malformedHeader)
        #expect(kind("algorithm=RSA256,keyVersion=1,signature=%C3%28") == .malformedHeader)  // not UTF-8
        let other = AlipayPlusSignedMessage.response(
            requestPath: message.path, clientId: message.clientId, responseTime: message.time, body: message.body + [0x20])
        #expect(kind(header.headerValue, other) == .mismatch)
    }

    @Test func responsesAreSignedOverTheRequestPath() throws {
        let response = AlipayPlusSignedMessage.response(
            requestPath: "/aps/api/v1/payments/pay", clientId: "C", responseTime: "2026-11-24T18:04:06+08:00", body: Array("{}".utf8))
        #expect(String(decoding: response.contentToSign, as: UTF8.self) == "POST /aps/api/v1/payments/pay\nC.2026-11-24T18:04:06+08:00.{}")
    }
}

@Suite("SNAP signatures")
struct SNAPSignatureTests {
    let rsa: SNAPRSASigner
    let verifier: SNAPSignatureVerifier

    init() throws {
        let privateKey = try RSAPrivateKey(text: key("test-only-merchant-rsa2048-private-pkcs8.pem"))
        rsa = SNAPRSASigner(privateKey: privateKey)
        verifier = SNAPSignatureVerifier(publicKey: privateKey.publicKey)
    }

    @Test func emptyBodyHashesZeroBytes() throws {
        let signature = try rsa.sign(method: "get", path: "/x", body: [], timestamp: "T")
        #expect(signature.stringToSign == "GET:/x:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855:T")
    }

    @Test func verifierTriesRawThenMinifiedBody() throws {
        let minified = Array(#"{"a":"x  y","b":[1,2]}"#.utf8)
        let pretty = Array("{\n  \"a\": \"x  y\",\n  \"b\": [1, 2]\n}".utf8)
        let signature = try rsa.sign(method: "POST", path: "/v1.0/debit/notify", body: minified, timestamp: "2026-11-24T10:04:31+07:00")
        try verifier.verifyTransaction(
            signature: signature.value, method: "POST", path: "/v1.0/debit/notify", body: pretty, timestamp: "2026-11-24T10:04:31+07:00")
        // Minifying never touches string contents: "x y" is a different body.
        let changed = Array("{\n  \"a\": \"x y\",\n  \"b\": [1, 2]\n}".utf8)
        #expect(throws: SNAPSignatureError.self) {
            try verifier.verifyTransaction(
                signature: signature.value, method: "POST", path: "/v1.0/debit/notify", body: changed, timestamp: "2026-11-24T10:04:31+07:00")
        }
    }

    @Test func accessTokenSignatureIgnoresBody() throws {
        let signature = try rsa.signAccessTokenRequest(clientKey: "2026112400000000000001", timestamp: "2026-11-24T10:04:05+07:00")
        #expect(signature.stringToSign == "2026112400000000000001|2026-11-24T10:04:05+07:00")
        try verifier.verifyAccessTokenRequest(signature: signature.value, clientKey: "2026112400000000000001", timestamp: "2026-11-24T10:04:05+07:00")
        #expect(throws: SNAPSignatureError.self) {
            try verifier.verifyAccessTokenRequest(
                signature: signature.value, clientKey: "2026112400000000000002", timestamp: "2026-11-24T10:04:05+07:00")
        }
    }

    @Test func hmacModeMasksTheTokenAndNeedsOne() throws {
        let signer = try SNAPHMACSigner(clientSecret: SecretBytes(utf8: "test-only-client-secret-0123456789"))
        let token = SecretBytes(utf8: "gp9HjjEj813Y9JGoqwOeOPWbnt4CUpvIJbU1mMU4a11MNDZ7Sg5u9a")
        let body = Array(#"{"originalPartnerReferenceNo":"WB-ORDER-0001","serviceCode":"54","merchantId":"216620000000000000001"}"#.utf8)
        let signature = try signer.sign(
            method: "POST", path: "/payment-gateway/v1.0/debit/status.htm", body: body,
            timestamp: "2026-11-24T10:04:05+07:00", accessToken: token)
        #expect(signature.value == "cerYaPuJj49w6HzX/vGdplvmX6rVwJkx+EJiXu9CI8GnFsFgKDj0/LEG9heAmxs4cfyFwH1AnZeUToeje9ZpjQ==")
        #expect(!signature.redactedStringToSign.contains("gp9HjjEj813Y9JGoqwOeOPWbnt4CUpvIJbU1mMU4a11MNDZ7Sg5u9a"))
        #expect(!"\(signature)".contains("gp9HjjEj"))
        #expect(
            signer.verify(
                signature: signature.value, method: "POST", path: "/payment-gateway/v1.0/debit/status.htm", body: body,
                timestamp: "2026-11-24T10:04:05+07:00", accessToken: token))
        #expect(
            !signer.verify(
                signature: signature.value, method: "POST", path: "/payment-gateway/v1.0/debit/status.htm", body: body,
                timestamp: "2026-11-24T10:04:06+07:00", accessToken: token))
        #expect(!signer.verify(signature: "not base64", method: "POST", path: "/", body: [], timestamp: "T", accessToken: token))
        #expect(throws: SNAPSignatureError.self) { try signer.sign(method: "POST", path: "/", body: [], timestamp: "T", accessToken: nil) }
    }

    @Test func malformedSignaturesAreRejectedWithReason() {
        for bad in ["", "!!!!", "QUJD", String(repeating: "A", count: 344)] {
            #expect(throws: SNAPSignatureError.self) {
                try verifier.verifyTransaction(signature: bad, method: "POST", path: "/", body: [], timestamp: "T")
            }
        }
    }
}
