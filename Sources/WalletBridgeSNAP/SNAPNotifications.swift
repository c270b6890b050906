import Foundation
import HTTPTypes
import WalletBridgeCore

/// The finish notification (service 56): signed by the wallet with SHA256withRSA over
/// `POST:path:sha256hex(body):X-TIMESTAMP`, where the path is the one our endpoint received.
/// The body is verified as received (then in one minified form that keeps every character).
/// Redeliveries share a deduplication key: partnerReferenceNo and latestTransactionStatus.
/// The acknowledgement is HTTP 200 with `{"responseCode":"2005600","responseMessage":"Successful"}`.
extension SNAPAdapter {
    /// Verifies a finish notification; see the extension's overview.
    /// - Throws: `WalletError` `authenticationFailed` for a missing or wrong signature,
    ///   `invalidRequest` for a malformed body or one for another merchant.
    public func verifyNotification(_ notification: InboundNotification) throws(WalletError) -> VerifiedNotification {
        guard let signature = notification.headerFields[.snapSignature], let timestamp = notification.headerFields[.snapTimestamp] else {
            throw WalletError(.authenticationFailed, "the notification lacks X-SIGNATURE or X-TIMESTAMP", mayHaveCharged: false)
        }
        do {
            try configuration.walletKey.verifyTransaction(
                signature: signature, method: notification.method, path: notification.path,
                body: notification.body, timestamp: timestamp)
        } catch {
            throw WalletError(
                .authenticationFailed, "the notification's signature is not valid (\(error.kind.rawValue)): \(error.message)", mayHaveCharged: false)
        }
        if let tolerance = configuration.notificationClockTolerance {
            try NotificationFreshness.check(timestamp, header: "X-TIMESTAMP", now: clock(), tolerance: tolerance)
        }
        let body: SNAPWire.FinishNotify
        do throws(WalletError) {
            body = try StrictJSON.decode(SNAPWire.FinishNotify.self, from: notification.body, what: "the signed notification")
        } catch {
            throw WalletError(.invalidRequest, error.message, mayHaveCharged: false)
        }
        guard let reference = body.originalPartnerReferenceNo, !reference.isEmpty, let latest = body.latestTransactionStatus, !latest.isEmpty else {
            throw WalletError(.invalidRequest, "the notification lacks originalPartnerReferenceNo or latestTransactionStatus", mayHaveCharged: false)
        }
        if let merchant = body.merchantId, merchant != configuration.merchantID {
            throw WalletError(.invalidRequest, "the notification is for merchantId \(merchant), not ours", mayHaveCharged: false)
        }
        var payment = PaymentResult(
            status: Self.paymentStatus(latest, description: body.transactionStatusDesc, code: nil),
            merchantReference: reference, walletReference: body.originalReferenceNo, amount: nil,
            partnerResult: PartnerResult(code: latest, status: body.transactionStatusDesc, message: nil), completedAt: body.finishedTime,
            completedAtInstant: body.finishedTime.flatMap(TimestampText.parse))
        if let amount = body.amount {
            do {
                payment.amount = try SNAPAmount.money(amount)
            } catch {
                throw WalletError(.invalidRequest, "the notification is unusable: \(error.message)", mayHaveCharged: false)
            }
        }
        let kind: WalletNotification.Kind = payment.status.isFinal ? .paymentResult : .paymentPending
        let acknowledgement = NotificationAcknowledgement(
            status: 200, headerFields: [.contentType: "application/json"],
            body: Array(#"{"responseCode":"2005600","responseMessage":"Successful"}"#.utf8))
        return VerifiedNotification(
            notification: WalletNotification(kind: kind, payment: payment, deduplicationKey: "snap|\(reference)|\(latest)"),
            acknowledgement: acknowledgement)
    }
}
