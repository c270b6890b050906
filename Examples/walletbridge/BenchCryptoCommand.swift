import ArgumentParser
import Foundation
import WalletBridgeAlipayPlus
import WalletBridgeCore
import WalletBridgeCrypto
import WalletBridgePaytm
import WalletBridgeSNAP
import WalletBridgeSandbox

/// `walletbridge bench crypto`: every scheme's sign and verify beside the raw OpenSSL calls
/// they are made of (through the COpenSSL module, measured in the same run), and the primitives
/// beside `openssl speed`.
struct BenchCryptoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crypto",
        abstract: "Each scheme's sign and verify in µs, as a ratio to the raw OpenSSL EVP calls (same run) and `openssl speed`."
    )

    @Option(help: "Seconds per measurement.")
    var seconds: Double = 1

    @Option(help: "PEM file of an RSA-2048 private key (default: the built-in test-only merchant key).")
    var privateKey: String?

    @Flag(help: "Skip the openssl speed baseline.")
    var noOpenSSL = false

    @Flag(help: "Print one JSON object.")
    var json = false

    /// One operation: its cost, the raw OpenSSL calls' cost, and what they were.
    struct Row {
        let operation: String
        let micros: Double
        let rawMicros: Double?
        let raw: String
        var speedMicros: Double? = nil
        var ratio: Double? { rawMicros.flatMap { $0 > 0 ? micros / $0 : nil } }
    }

    func validate() throws {
        guard seconds > 0, seconds.isFinite else { throw ValidationError("--seconds must be a positive number") }
    }

    func run() throws {
        let pem = try privateKey.map { try KeySource.file(path: $0).loadText() } ?? SandboxCredentials.merchantPrivateKeyPEM
        let rows = try measure(pem: pem)
        if json {
            let objects: [[String: Any]] = rows.map { row in
                var object: [String: Any] = ["operation": row.operation, "us": BenchFormat.round(row.micros), "raw": row.raw]
                object["raw_us"] = row.rawMicros.map { BenchFormat.round($0) } ?? NSNull()
                object["ratio"] = row.ratio.map { BenchFormat.round($0) } ?? NSNull()
                object["openssl_speed_us"] = row.speedMicros.map { BenchFormat.round($0) } ?? NSNull()
                return object
            }
            let data = try JSONSerialization.data(withJSONObject: ["bench": "crypto", "rows": objects], options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
            return
        }
        print("CPU µs per operation (getrusage), beside the raw OpenSSL EVP calls it is made of, measured in this run")
        print(
            BenchFormat.pad("operation", 38) + BenchFormat.leftPad("µs", 9) + BenchFormat.leftPad("raw µs", 9) + BenchFormat.leftPad("ratio", 7)
                + "  raw = ")
        for row in rows {
            print(
                BenchFormat.pad(row.operation, 38) + BenchFormat.leftPad(BenchFormat.fixed(row.micros), 9)
                    + BenchFormat.leftPad(row.rawMicros.map { BenchFormat.fixed($0) } ?? "-", 9)
                    + BenchFormat.leftPad(row.ratio.map { BenchFormat.fixed($0) + "x" } ?? "-", 7) + "  " + row.raw
                    + (row.speedMicros.map { String(format: " (openssl speed: %.2f µs)", $0) } ?? ""))
        }
    }

    private func measure(pem: String) throws -> [Row] {
        let key = try RSAPrivateKey(text: pem)
        let publicKey = key.publicKey
        let duration = Duration.milliseconds(Int(seconds * 1000))
        func micros(_ body: () throws -> Void) rethrows -> Double {
            try BenchSample.measure(for: duration, body).cpuMicrosPerOperation
        }
        let secretText = "test-only-client-secret-0123456789"
        let raw = try BenchRawOpenSSL(privateKeyPEM: pem, hmacKey: Array(secretText.utf8))
        let path = "/aps/api/v1/payments/pay"
        let body = Array(
            #"{"partnerReferenceNo":"WB-ORDER-0001","merchantId":"216620000000000000001","amount":{"value":"10000.00","currency":"IDR"}}"#.utf8)
        let hmacInput = try SecureRandom.bytes(count: 256)
        var rows: [Row] = []

        // The primitives.
        let alipayMessage = AlipayPlusSignedMessage.request(
            path: path, clientId: "SANDBOX_5YC47N2ZQHJ004124", requestTime: "2026-11-24T10:04:05+00:00", body: body)
        let content = alipayMessage.contentToSign
        let signature = try key.signSHA256(content)
        let rawSign = content.withUnsafeBytes { bytes in micros { raw.rsaSign(bytes) } }
        let rawVerify = content.withUnsafeBytes { bytes in micros { _ = raw.rsaVerify(signature, bytes) } }
        let rawHMAC = hmacInput.withUnsafeBytes { bytes in micros { raw.hmacSHA512(bytes) } }
        rows.append(
            Row(
                operation: "RSA-2048 SHA-256 sign", micros: try micros { _ = try key.signSHA256(content) }, rawMicros: rawSign,
                raw: "EVP_DigestSignInit_ex + EVP_DigestSign"))
        rows.append(
            Row(
                operation: "RSA-2048 SHA-256 verify", micros: micros { _ = publicKey.verifySHA256(signature: signature, data: content) },
                rawMicros: rawVerify, raw: "EVP_DigestVerifyInit_ex + EVP_DigestVerify"))
        let hmacKey = try HMACKey(SecretBytes(utf8: secretText), digest: .sha512)
        rows.append(
            Row(
                operation: "HMAC-SHA512, 256 B", micros: try micros { _ = try hmacKey.authenticate(hmacInput) }, rawMicros: rawHMAC,
                raw: "EVP_MAC_CTX_dup + update + final"))
        if !noOpenSSL, let speed = opensslSpeed() {
            rows[0].speedMicros = 1e6 / speed.sign
            rows[1].speedMicros = 1e6 / speed.verify
            rows[2].speedMicros = 256 * 1e6 / speed.hmac256
        }

        // Alipay+ (GCash-style): RSA over `POST path\nclientId.requestTime.body`, base64 header.
        let alipaySigner = AlipayPlusSigner(privateKey: key)
        let alipayVerifier = AlipayPlusVerifier(keys: PublicKeyStore(version: "1", key: publicKey))
        let header = try alipaySigner.sign(alipayMessage).headerValue
        rows.append(
            Row(
                operation: "Alipay+ sign", micros: try micros { _ = try alipaySigner.sign(alipayMessage).headerValue },
                rawMicros: rawSign, raw: "RSA sign of the same content"))
        rows.append(
            Row(
                operation: "Alipay+ verify", micros: try micros { try alipayVerifier.verify(alipayMessage, signatureHeader: header) },
                rawMicros: rawVerify, raw: "RSA verify of the same content"))

        // SNAP (DANA-style): RSA or HMAC-SHA512 over `METHOD:path:[token:]sha256hex(body):timestamp`.
        let snapPath = "/payment-gateway/v1.0/debit/payment-host-to-host.htm"
        let timestamp = "2026-11-24T10:04:05+07:00"
        let snapSigner = SNAPRSASigner(privateKey: key)
        let snapText = Array(SNAPStringToSign.transaction(method: "POST", path: snapPath, body: body, timestamp: timestamp).utf8)
        let rawSNAPSign = body.withUnsafeBytes { b in
            snapText.withUnsafeBytes { t in
                micros {
                    raw.sha256(b)
                    raw.rsaSign(t)
                }
            }
        }
        rows.append(
            Row(
                operation: "SNAP RSA sign",
                micros: try micros { _ = try snapSigner.sign(method: "POST", path: snapPath, body: body, timestamp: timestamp) },
                rawMicros: rawSNAPSign, raw: "SHA-256 of body + RSA sign"))
        let snapSignature = try snapSigner.sign(method: "POST", path: snapPath, body: body, timestamp: timestamp).value
        let snapVerifier = SNAPSignatureVerifier(publicKey: publicKey)
        let snapSignatureBytes = Base64.decode(snapSignature) ?? []
        let rawSNAPVerify = body.withUnsafeBytes { b in
            snapText.withUnsafeBytes { t in
                micros {
                    raw.sha256(b)
                    _ = raw.rsaVerify(snapSignatureBytes, t)
                }
            }
        }
        rows.append(
            Row(
                operation: "SNAP RSA verify",
                micros: try micros {
                    try snapVerifier.verifyTransaction(signature: snapSignature, method: "POST", path: snapPath, body: body, timestamp: timestamp)
                },
                rawMicros: rawSNAPVerify, raw: "SHA-256 of body + RSA verify"))
        let hmacSigner = try SNAPHMACSigner(clientSecret: SecretBytes(utf8: secretText))
        let tokenText = "gp9HjjEj813Y9JGoqwOeOPWbnt4CUpvIJbU1mMU4a11MNDZ7Sg5u9a"
        let token = SecretBytes(utf8: tokenText)
        let statusPath = "/payment-gateway/v1.0/debit/status.htm"
        let hmacText = Array(
            SNAPStringToSign.symmetric(method: "POST", path: statusPath, accessToken: tokenText, body: body, timestamp: timestamp).utf8)
        let rawSNAPHMAC = body.withUnsafeBytes { b in
            hmacText.withUnsafeBytes { t in
                micros {
                    raw.sha256(b)
                    raw.hmacSHA512(t)
                }
            }
        }
        rows.append(
            Row(
                operation: "SNAP HMAC-SHA512 sign",
                micros: try micros {
                    _ = try hmacSigner.sign(method: "POST", path: statusPath, body: body, timestamp: timestamp, accessToken: token)
                },
                rawMicros: rawSNAPHMAC, raw: "SHA-256 of body + HMAC-SHA512"))

        // Paytm-style: AES-128-CBC of sha256hex(body|salt)+salt under a fixed IV, base64.
        let merchantKey = "SDOr4vU+L2wkTaKX"
        let paytm = try PaytmChecksum(merchantKey: SecretBytes(utf8: merchantKey))
        let generated = try paytm.generate(for: body)
        let checksum = generated.checksum
        let salted = body + Array("|\(generated.salt.value)".utf8)
        let plaintext = Array(generated.hashString.utf8)
        let ciphertext = Base64.decode(checksum) ?? []
        let keyBytes = Array(merchantKey.utf8)
        let rawPaytmGenerate = salted.withUnsafeBytes { s in
            plaintext.withUnsafeBytes { p in
                micros {
                    raw.random(4)
                    raw.sha256(s)
                    raw.aes128CBC(p, key: keyBytes, iv: PaytmChecksum.iv, encrypt: true)
                }
            }
        }
        let rawPaytmVerify = salted.withUnsafeBytes { s in
            ciphertext.withUnsafeBytes { c in
                micros {
                    raw.aes128CBC(c, key: keyBytes, iv: PaytmChecksum.iv, encrypt: false)
                    raw.sha256(s)
                }
            }
        }
        rows.append(
            Row(
                operation: "Paytm checksum generate", micros: try micros { _ = try paytm.generate(for: body) }, rawMicros: rawPaytmGenerate,
                raw: "RAND_bytes + SHA-256 + AES-128-CBC encrypt"))
        rows.append(
            Row(
                operation: "Paytm checksum verify", micros: micros { _ = paytm.verify(checksum, for: body) }, rawMicros: rawPaytmVerify,
                raw: "AES-128-CBC decrypt + SHA-256"))
        rows.append(
            Row(
                operation: "Money parse \"123456.78\" PHP", micros: try micros { _ = try Money(parsing: "123456.78", currency: .php) },
                rawMicros: nil, raw: ""))
        return rows
    }

    /// Runs `openssl speed -mr` for RSA-2048 and HMAC-SHA512 (operations or bytes per second);
    /// `nil` when openssl is unavailable.
    private func opensslSpeed() -> (sign: Double, verify: Double, hmac256: Double)? {
        let whole = String(max(1, Int(seconds.rounded())))
        func run(_ arguments: [String]) -> String? {
            Subprocess.output(["openssl", "speed", "-mr", "-seconds", whole] + arguments)
        }
        guard let rsa = run(["rsa2048"]), let hmac = run(["-hmac", "sha512"]) else { return nil }
        // +F2:<i>:2048:<sign/s>:<verify/s> and +F:<i>:hmac(sha512):<bytes/s for 16,64,256,...>
        guard let rsaLine = rsa.split(separator: "\n").first(where: { $0.hasPrefix("+F2:") }),
            let hmacLine = hmac.split(separator: "\n").first(where: { $0.hasPrefix("+F:") })
        else { return nil }
        let r = rsaLine.split(separator: ":")
        let h = hmacLine.split(separator: ":")
        guard r.count >= 5, h.count >= 6, let sign = Double(r[3]), let verify = Double(r[4]), let hmac256 = Double(h[5]) else { return nil }
        return (sign, verify, hmac256)
    }
}
