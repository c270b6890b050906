import ArgumentParser
import Foundation
import WalletBridgeAlipayPlus
import WalletBridgeCore
import WalletBridgeCrypto
import WalletBridgePaytm
import WalletBridgeSNAP
import WalletBridgeSandbox

/// `walletbridge demo --signatures`: one message signed and verified in each partner scheme,
/// and a tampered one rejected, with the built-in test-only merchant key.
enum SignatureDemo {
    static func run() throws {
        let key = try RSAPrivateKey(text: SandboxCredentials.merchantPrivateKeyPEM)
        print("merchant key: \(key)")

        // Alipay+ (GCash-style): a pay request for PHP 100.50.
        let amount = try Money(parsing: "100.50", currency: .php)
        let wire = try AlipayPlusAmount(amount)
        let body = Array(#"{"paymentRequestId":"WB-DEMO-0001","paymentAmount":{"currency":"\#(wire.currency)","value":"\#(wire.value)"}}"#.utf8)
        let message = AlipayPlusSignedMessage.request(
            path: "/aps/api/v1/payments/pay", clientId: "SANDBOX_DEMO", requestTime: "2026-11-24T10:04:05+00:00", body: body)
        let header = try AlipayPlusSigner(privateKey: key).sign(message)
        let verifier = AlipayPlusVerifier(keys: PublicKeyStore(version: "1", key: key.publicKey))
        try verifier.verify(message, signature: header)
        print("\nAlipay+ pay request for \(amount): Signature: \(header.headerValue.prefix(72))...  verified")
        let tampered = AlipayPlusSignedMessage.request(
            path: message.path, clientId: message.clientId, requestTime: message.time,
            body: Array(String(decoding: body, as: UTF8.self).replacingOccurrences(of: "10050", with: "99999").utf8))
        do {
            try verifier.verify(tampered, signature: header)
            print("  tampered amount: ACCEPTED (this is a bug)")
        } catch {
            print("  tampered amount rejected: \(error)")
        }

        // Paytm: checksum of a status body.
        let paytm = try PaytmChecksum(merchantKey: SecretBytes(utf8: "DEMOdemoDEMOdemo"))
        let statusBody = Array(#"{"mid":"WBDEMO","orderId":"WB-DEMO-0001"}"#.utf8)
        let checksum = try paytm.generate(for: statusBody)
        print("\nPaytm status body checksum (salt \(checksum.salt)): \(checksum.checksum)")
        print(
            "  verifies: \(paytm.verify(checksum.checksum, for: statusBody)); with one byte changed: \(paytm.verify(checksum.checksum, for: statusBody.dropLast() + [UInt8(ascii: " ")]))"
        )

        // SNAP (DANA-style): RSA transaction signature for IDR 10000.
        let idr = try Money(parsing: "10000", currency: .idr)
        let snapBody = Array(
            #"{"partnerReferenceNo":"WB-DEMO-0001","amount":{"value":"\#(try idr.decimalString(fractionDigits: 2))","currency":"IDR"}}"#.utf8)
        let signature = try SNAPRSASigner(privateKey: key).sign(
            method: "POST", path: "/payment-gateway/v1.0/debit/payment-host-to-host.htm",
            body: snapBody, timestamp: "2026-11-24T17:04:05+07:00")
        print("\nSNAP string to sign: \(signature.stringToSign)")
        print("  X-SIGNATURE: \(signature.value.prefix(60))...")
        try SNAPSignatureVerifier(publicKey: key.publicKey).verifyTransaction(
            signature: signature.value, method: "POST", path: "/payment-gateway/v1.0/debit/payment-host-to-host.htm",
            body: snapBody, timestamp: "2026-11-24T17:04:05+07:00")
        print("  verified")
    }
}
