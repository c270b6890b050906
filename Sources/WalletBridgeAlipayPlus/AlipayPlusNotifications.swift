import Foundation
import HTTPTypes
import WalletBridgeCore

extension AlipayPlusAdapter {
    /// Verifies a `notifyPayment` (PAYMENT_RESULT or PAYMENT_PENDING) from the raw bytes, the
    /// received headers and the path, and builds the signed acknowledgement the platform waits
    /// for (without it, it resends).
    public func verifyNotification(_ notification: InboundNotification) throws(WalletError) -> VerifiedNotification {
        try checkNotificationSignature(notification)
        let reply: AlipayPlusWire.PaymentReply
        do throws(WalletError) {
            reply = try StrictJSON.decode(AlipayPlusWire.PaymentReply.self, from: notification.body, what: "the signed notification")
        } catch {
            throw WalletError(.invalidRequest, error.message, mayHaveCharged: false)
        }
        guard let reference = reply.paymentRequestId, let result = reply.result, let notifyType = reply.notifyType else {
            throw WalletError(.invalidRequest, "the notification lacks paymentRequestId, result or notifyType", mayHaveCharged: false)
        }
        let kind: WalletNotification.Kind
        let status: PaymentStatus
        switch notifyType {
        case "PAYMENT_RESULT":
            kind = .paymentResult
            status = mapping.paymentStatus(result, nextAction: nil)
        case "PAYMENT_PENDING":
            kind = .paymentPending
            status = .pending(nil)
        default:
            throw WalletError(.invalidRequest, "unsupported notifyType \(notifyType)", mayHaveCharged: false)
        }
        var payment = bound(reply, status: status, query: PaymentQuery(merchantReference: reference), partner: result)
        if payment.amount == nil {
            payment.status = .unknown(WalletError(.invalidPartnerResponse, "the notification states no paymentAmount"))
        }
        let key = [reference, reply.paymentId ?? "", notifyType, result.resultStatus].joined(separator: "|")
        return VerifiedNotification(
            notification: WalletNotification(kind: kind, payment: payment, deduplicationKey: key),
            acknowledgement: try acknowledgement(path: notification.path, method: notification.method)
        )
    }

    /// Checks a notification's signature (over method, path, Client-Id, Request-Time and the
    /// raw body), its client id and, when configured, the freshness of its `Request-Time`:
    /// shared by payment and authorization notifications.
    func checkNotificationSignature(_ notification: InboundNotification) throws(WalletError) {
        guard let signature = notification.headerFields[.signature] else {
            throw WalletError(.authenticationFailed, "the notification has no Signature header", mayHaveCharged: false)
        }
        guard let requestTime = notification.headerFields[.requestTime], let clientID = notification.headerFields[.clientID] else {
            throw WalletError(
                .authenticationFailed, "the notification lacks Request-Time or Client-Id, so its signature cannot be checked", mayHaveCharged: false)
        }
        guard clientID == configuration.clientID else {
            throw WalletError(.authenticationFailed, "the notification is for client id \(clientID), not ours", mayHaveCharged: false)
        }
        let message = AlipayPlusSignedMessage.notification(
            method: notification.method, path: notification.path, clientId: clientID, requestTime: requestTime, body: notification.body)
        do {
            try configuration.verifier.verify(message, signatureHeader: signature)
        } catch {
            throw WalletError(
                .authenticationFailed, "the notification signature is not valid (\(error.kind.rawValue)): \(error.message)", mayHaveCharged: false)
        }
        if let tolerance = configuration.notificationClockTolerance {
            try NotificationFreshness.check(requestTime, header: "Request-Time", now: exchange.clock(), tolerance: tolerance)
        }
    }

    /// The signed `{"result":{"resultCode":"SUCCESS","resultStatus":"S",...}}` reply.
    func acknowledgement(path: String, method: String) throws(WalletError) -> NotificationAcknowledgement {
        let body: [UInt8]
        do {
            body = try WireFormat.json(
                AlipayPlusWire.Acknowledgement(result: .init(resultCode: "SUCCESS", resultStatus: "S", resultMessage: "success")))
        } catch {
            throw WalletError(.invalidRequest, "could not encode the acknowledgement: \(error)", mayHaveCharged: false)
        }
        let responseTime = TimestampText.iso8601(exchange.clock())
        let message = AlipayPlusSignedMessage.response(
            requestMethod: method, requestPath: path, clientId: configuration.clientID, responseTime: responseTime, body: body)
        let signature: AlipayPlusSignatureHeader
        do {
            signature = try configuration.signer.sign(message)
        } catch {
            throw WalletError(.invalidRequest, "could not sign the acknowledgement: \(error.message)", mayHaveCharged: false)
        }
        return NotificationAcknowledgement(
            status: 200,
            headerFields: [
                .contentType: "application/json; charset=UTF-8",
                .clientID: configuration.clientID,
                .responseTime: responseTime,
                .signature: signature.headerValue,
            ], body: body)
    }
}
