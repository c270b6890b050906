import Foundation
import WalletBridgeAlipayPlus
import WalletBridgeCore
import WalletBridgeCrypto
import WalletBridgeSNAP
import HTTPTypes
import WalletBridgeHTTP

extension WalletSandbox {
    /// `notification`, as one of the sandbox's wallets sent it, signed again with the wallet's
    /// test key as if sent at `date`: what a captured notification replayed later (a stale one)
    /// looks like. The body and path are unchanged, so its signature is genuine; only the
    /// signed time (`Request-Time` for Alipay+ wallets, `X-TIMESTAMP` for DANA) gives it away.
    ///
    /// Nil for Paytm, whose checksum covers no time (a replay there is told by deduplication
    /// alone), and for a wallet the sandbox does not serve.
    public static func resigned(_ notification: InboundNotification, wallet: String, at date: Date) -> InboundNotification? {
        var copy = notification
        switch wallet {
        case "gcash", "tng":
            guard let clientID = notification.headerFields[.alipayClientID],
                let key = try? RSAPrivateKey(text: SandboxCredentials.platformPrivateKeyPEM)
            else { return nil }
            let time = TimestampText.iso8601(date, offsetHours: 8)
            let message = AlipayPlusSignedMessage.notification(
                method: notification.method, path: notification.path, clientId: clientID,
                requestTime: time, body: notification.body)
            guard let signature = try? AlipayPlusSigner(privateKey: key, keyVersion: SandboxCredentials.keyVersion).sign(message) else { return nil }
            copy.headerFields[.alipayRequestTime] = time
            copy.headerFields[.alipaySignature] = signature.headerValue
        case "dana":
            guard let key = try? RSAPrivateKey(text: SandboxCredentials.platformPrivateKeyPEM) else { return nil }
            let timestamp = TimestampText.iso8601(date, offsetHours: 7)
            guard
                let signature = try? SNAPRSASigner(privateKey: key).sign(
                    method: notification.method, path: notification.path,
                    body: notification.body, timestamp: timestamp)
            else { return nil }
            copy.headerFields[.snapTimestamp] = timestamp
            copy.headerFields[.snapSignature] = signature.value
        default:
            return nil
        }
        return copy
    }
}
