import ArgumentParser
import Foundation
import WalletBridgeAlipayPlus
import WalletBridgeCore
import WalletBridgeCrypto
import WalletBridgePaytm
import WalletBridgeSNAP
import WalletBridgeSandbox

/// `walletbridge bench`: throughput of the signing core, as ratios against baselines measured
/// in the same run: `openssl speed` for the primitives, our own raw primitive for the schemes.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure signing and HTTP throughput as ratios against `openssl speed`, the raw primitives and a plain libcurl loop."
    )

    @Option(help: "Seconds per measurement.")
    var seconds: Int = 1

    @Option(help: "PEM file of an RSA-2048 private key (default: the built-in test-only merchant key).")
    var privateKey: String?

    @Flag(help: "Skip the openssl speed baseline.")
    var noOpenSSL = false

    @Flag(help: "Skip the HTTP round-trip measurements.")
    var noHTTP = false

    func run() async throws {
        let key =
            try privateKey.map { try RSAPrivateKey(text: KeySource.file(path: $0).loadText()) }
            ?? RSAPrivateKey(text: SandboxCredentials.merchantPrivateKeyPEM)
        let publicKey = key.publicKey
        let duration = Duration.seconds(seconds)
        let message = Array(
            #"POST /aps/api/v1/payments/pay\#nSANDBOX_5YC47N2ZQHJ004124.2026-11-24T10:04:05+00:00.{"paymentRequestId":"WB-PAY-0001"}"#.utf8)
        let signature = try key.signSHA256(message)
        let body = Array(
            #"{"partnerReferenceNo":"WB-ORDER-0001","merchantId":"216620000000000000001","amount":{"value":"10000.00","currency":"IDR"}}"#.utf8)
        let hmacInput = try SecureRandom.bytes(count: 256)
        let secret = SecretBytes(utf8: "test-only-client-secret-0123456789")

        var rows: [(String, Double, String)] = []
        let rsaSign = try measure(duration) { _ = try key.signSHA256(message) }
        let rsaVerify = try measure(duration) { _ = publicKey.verifySHA256(signature: signature, data: message) }
        let hmacKey = try HMACKey(secret, digest: .sha512)
        let hmac = try measure(duration) { _ = try hmacKey.authenticate(hmacInput) }

        var baseline: (sign: Double, verify: Double, hmac256: Double)? = nil
        if !noOpenSSL { baseline = opensslSpeed(seconds: seconds) }
        rows.append(("RSA-2048 SHA-256 sign", rsaSign, ratio(rsaSign, baseline?.sign, "openssl speed rsa2048 sign")))
        rows.append(("RSA-2048 SHA-256 verify", rsaVerify, ratio(rsaVerify, baseline?.verify, "openssl speed rsa2048 verify")))
        rows.append(("HMAC-SHA512, 256 B", hmac, ratio(hmac, baseline.map { $0.hmac256 / 256 }, "openssl speed -hmac sha512 (256 B)")))

        let alipaySigner = AlipayPlusSigner(privateKey: key)
        let alipayVerifier = AlipayPlusVerifier(keys: PublicKeyStore(version: "1", key: publicKey))
        let alipayMessage = AlipayPlusSignedMessage.request(
            path: "/aps/api/v1/payments/pay", clientId: "SANDBOX_5YC47N2ZQHJ004124",
            requestTime: "2026-11-24T10:04:05+00:00", body: body)
        let header = try alipaySigner.sign(alipayMessage).headerValue
        let alipaySign = try measure(duration) { _ = try alipaySigner.sign(alipayMessage).headerValue }
        let alipayVerify = try measure(duration) { try alipayVerifier.verify(alipayMessage, signatureHeader: header) }
        rows.append(("Alipay+ sign (content, RSA, header)", alipaySign, ratio(alipaySign, rsaSign, "raw RSA sign, this run")))
        rows.append(("Alipay+ verify (parse header, RSA)", alipayVerify, ratio(alipayVerify, rsaVerify, "raw RSA verify, this run")))

        let snapSigner = SNAPRSASigner(privateKey: key)
        let snapSign = try measure(duration) {
            _ = try snapSigner.sign(
                method: "POST", path: "/payment-gateway/v1.0/debit/payment-host-to-host.htm", body: body, timestamp: "2026-11-24T10:04:05+07:00")
        }
        rows.append(("SNAP RSA sign", snapSign, ratio(snapSign, rsaSign, "raw RSA sign, this run")))
        let hmacSigner = try SNAPHMACSigner(clientSecret: secret)
        let token = SecretBytes(utf8: "gp9HjjEj813Y9JGoqwOeOPWbnt4CUpvIJbU1mMU4a11MNDZ7Sg5u9a")
        let snapHMAC = try measure(duration) {
            _ = try hmacSigner.sign(
                method: "POST", path: "/payment-gateway/v1.0/debit/status.htm", body: body, timestamp: "2026-11-24T10:04:05+07:00", accessToken: token
            )
        }
        rows.append(("SNAP HMAC-SHA512 sign", snapHMAC, ratio(snapHMAC, hmac, "raw HMAC-SHA512, this run")))

        let paytm = try PaytmChecksum(merchantKey: SecretBytes(utf8: "SDOr4vU+L2wkTaKX"))
        let checksum = try paytm.generate(for: body).checksum
        let paytmSign = try measure(duration) { _ = try paytm.generate(for: body) }
        let paytmVerify = try measure(duration) { _ = paytm.verify(checksum, for: body) }
        rows.append(("Paytm checksum generate", paytmSign, ""))
        rows.append(("Paytm checksum verify", paytmVerify, ratio(paytmVerify, paytmSign, "Paytm generate, this run")))

        let parse = try measure(duration) { _ = try Money(parsing: "123456.78", currency: .php) }
        rows.append(("Money parse \"123456.78\" PHP", parse, ""))

        print("operation".padding(toLength: 40, withPad: " ", startingAt: 0) + "ops/s".leftPad(14) + "   ratio")
        for (name, rate, note) in rows {
            print(name.padding(toLength: 40, withPad: " ", startingAt: 0) + String(format: "%.0f", rate).leftPad(14) + "   " + note)
        }
        guard !noHTTP else { return }
        print("\nHTTP over loopback to the in-process sandbox (GET /sandbox/health unless noted)")
        for row in try await TransportBench.run(seconds: seconds) {
            print(row.name.padding(toLength: 40, withPad: " ", startingAt: 0) + String(format: "%.0f", row.rate).leftPad(14) + "   " + row.note)
        }
    }

    /// Runs `body` repeatedly for `duration` and returns operations per second.
    private func measure(_ duration: Duration, _ body: () throws -> Void) throws -> Double {
        for _ in 0..<10 { try body() }
        let clock = ContinuousClock()
        let start = clock.now
        var count = 0
        var elapsed = Duration.zero
        repeat {
            for _ in 0..<16 { try body() }
            count += 16
            elapsed = clock.now - start
        } while elapsed < duration
        let secondsElapsed = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return Double(count) / secondsElapsed
    }

    private func ratio(_ value: Double, _ baseline: Double?, _ label: String) -> String {
        guard let baseline, baseline > 0 else { return "" }
        return String(format: "%.2fx %@", value / baseline, label)
    }

    /// Runs `openssl speed -mr` for RSA-2048 and HMAC-SHA512; `nil` when openssl is unavailable.
    private func opensslSpeed(seconds: Int) -> (sign: Double, verify: Double, hmac256: Double)? {
        func run(_ arguments: [String]) -> String? {
            Subprocess.output(["openssl", "speed", "-mr", "-seconds", String(seconds)] + arguments)
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

extension String {
    fileprivate func leftPad(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}
