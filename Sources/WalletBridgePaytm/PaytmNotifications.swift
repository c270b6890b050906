import Foundation
import HTTPTypes
import WalletBridgeCore

/// Paytm's callbacks and webhooks.
///
/// - Form callbacks (`application/x-www-form-urlencoded`: ORDERID, TXNID, STATUS,
///   TXNAMOUNT, ..., CHECKSUMHASH) are verified with the map form over every received field.
/// - JSON webhooks (`{"head":{"signature":…},"body":{…}}`) are verified over the body text
///   as received. A body with a `refId` is a refund result; otherwise a payment result.
///
/// The checksum has no timestamp, so a callback proves only who wrote it, not when: every
/// verified callback is marked `requiresConfirmation`, and `WalletClient` confirms it with a
/// status query before anyone fulfils an order. Redeliveries share a deduplication key built
/// from orderId, TXNID and STATUS. The acknowledgement is a plain HTTP 200.
extension PaytmAdapter {
    /// Verifies a callback or webhook; see the extension's overview.
    /// - Throws: `WalletError` `authenticationFailed` for a missing or wrong checksum,
    ///   `invalidRequest` for a malformed body or one for another merchant id.
    public func verifyNotification(_ notification: InboundNotification) throws(WalletError) -> VerifiedNotification {
        let contentType = notification.headerFields[.contentType]?.lowercased() ?? ""
        let first = notification.body.first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }
        let event: WalletNotification
        if contentType.contains("json") || first == UInt8(ascii: "{") {
            event = try verifyWebhook(notification.body)
        } else {
            event = try verifyCallbackForm(notification.body)
        }
        let acknowledgement = NotificationAcknowledgement(
            status: 200, headerFields: [.contentType: "text/plain; charset=UTF-8"], body: Array("OK".utf8))
        return VerifiedNotification(notification: event, acknowledgement: acknowledgement)
    }

    private func verifyCallbackForm(_ body: [UInt8]) throws(WalletError) -> WalletNotification {
        let fields: [String: String]
        do {
            fields = try PaytmForm.decode(body)
        } catch {
            throw WalletError(.invalidRequest, "the callback is not a form: \(error.message)", mayHaveCharged: false)
        }
        guard let checksum = fields["CHECKSUMHASH"], !checksum.isEmpty else {
            throw WalletError(.authenticationFailed, "the callback has no CHECKSUMHASH", mayHaveCharged: false)
        }
        var signed: [String: String?] = [:]
        for (key, value) in fields where key != "CHECKSUMHASH" { signed[key] = value }
        guard configuration.checksum.verify(checksum, forParams: signed) else {
            throw WalletError(.authenticationFailed, "the callback's CHECKSUMHASH does not verify over its fields", mayHaveCharged: false)
        }
        guard let orderID = fields["ORDERID"], !orderID.isEmpty, let status = fields["STATUS"], !status.isEmpty else {
            throw WalletError(.invalidRequest, "the callback lacks ORDERID or STATUS", mayHaveCharged: false)
        }
        if let mid = fields["MID"], mid != configuration.merchantID {
            throw WalletError(.invalidRequest, "the callback is for mid \(mid), not ours", mayHaveCharged: false)
        }
        let txnID = fields["TXNID"].flatMap { $0.isEmpty ? nil : $0 }
        let info = PaytmWire.ResultInfo(resultStatus: status, resultCode: fields["RESPCODE"], resultMsg: fields["RESPMSG"])
        var payment = PaymentResult(
            status: PaytmResultMapping.paymentStatus(info), merchantReference: orderID, walletReference: txnID, amount: nil,
            partnerResult: PaytmResultMapping.partnerResult(info), completedAt: fields["TXNDATE"],
            completedAtInstant: fields["TXNDATE"].flatMap(PaytmTimestamp.parse))
        if let text = fields["TXNAMOUNT"], !text.isEmpty {
            payment.amount = try Self.notifiedAmount(text, currency: fields["CURRENCY"])
        }
        return WalletNotification(
            kind: status == "PENDING" ? .paymentPending : .paymentResult, payment: payment,
            deduplicationKey: "paytm|\(orderID)|\(txnID ?? "")|\(status)", requiresConfirmation: true)
    }

    private func verifyWebhook(_ bytes: [UInt8]) throws(WalletError) -> WalletNotification {
        let envelope: PaytmEnvelope
        do {
            envelope = try PaytmEnvelope(received: bytes)
        } catch {
            throw WalletError(.invalidRequest, "the webhook is not a Paytm envelope: \(error.message)", mayHaveCharged: false)
        }
        guard let signature = envelope.signature, !signature.isEmpty else {
            throw WalletError(.authenticationFailed, "the webhook has no head.signature", mayHaveCharged: false)
        }
        guard configuration.checksum.verify(signature, for: envelope.bodyText) else {
            throw WalletError(.authenticationFailed, "the webhook's checksum does not verify over its body as received", mayHaveCharged: false)
        }
        let body: PaytmWire.WebhookBody
        do throws(WalletError) {
            body = try StrictJSON.decode(PaytmWire.WebhookBody.self, from: envelope.bodyText, what: "the webhook body")
        } catch {
            throw WalletError(.invalidRequest, error.message, mayHaveCharged: false)
        }
        if let mid = body.mid, mid != configuration.merchantID {
            throw WalletError(.invalidRequest, "the webhook is for mid \(mid), not ours", mayHaveCharged: false)
        }
        guard let orderID = body.orderId, !orderID.isEmpty, let status = body.resultInfo?.resultStatus ?? body.status, !status.isEmpty else {
            throw WalletError(.invalidRequest, "the webhook lacks orderId or a status", mayHaveCharged: false)
        }
        let info = PaytmWire.ResultInfo(resultStatus: status, resultCode: body.resultInfo?.resultCode, resultMsg: body.resultInfo?.resultMsg)
        let txnID = body.txnId.flatMap { $0.isEmpty ? nil : $0 }
        if let refID = body.refId, !refID.isEmpty {
            var refund = RefundResult(
                status: PaytmResultMapping.refundStatus(info), refundReference: refID, walletRefundReference: body.refundId,
                merchantReference: orderID, amount: nil, partnerResult: PaytmResultMapping.partnerResult(info))
            if let text = body.refundAmount, !text.isEmpty { refund.amount = try Self.notifiedAmount(text, currency: nil) }
            return WalletNotification(
                kind: .refundResult,
                payment: PaymentResult(status: .succeeded, merchantReference: orderID, walletReference: txnID, amount: nil),
                refund: refund, deduplicationKey: "paytm|refund|\(orderID)|\(refID)|\(status)", requiresConfirmation: true)
        }
        var payment = PaymentResult(
            status: PaytmResultMapping.paymentStatus(info), merchantReference: orderID, walletReference: txnID, amount: nil,
            partnerResult: PaytmResultMapping.partnerResult(info), completedAt: body.txnDate,
            completedAtInstant: body.txnDate.flatMap(PaytmTimestamp.parse))
        if let text = body.txnAmount, !text.isEmpty { payment.amount = try Self.notifiedAmount(text, currency: nil) }
        return WalletNotification(
            kind: status == "PENDING" ? .paymentPending : .paymentResult, payment: payment,
            deduplicationKey: "paytm|\(orderID)|\(txnID ?? "")|\(status)", requiresConfirmation: true)
    }
}

extension PaytmWire {
    /// A JSON webhook's body: a payment result or (with `refId`) a refund result.
    struct WebhookBody: Decodable, Sendable {
        var mid: String?
        var orderId: String?
        var txnId: String?
        var txnAmount: String?
        var txnDate: String?
        var status: String?
        var resultInfo: ResultInfo?
        var refId: String?
        var refundId: String?
        var refundAmount: String?
    }
}

extension PaytmAdapter {
    /// A notified amount; a malformed one makes the whole notification invalid.
    static func notifiedAmount(_ text: String, currency: String?) throws(WalletError) -> Money {
        do {
            return try PaytmAmount.money(text, currency: currency)
        } catch {
            throw WalletError(.invalidRequest, "the notification is unusable: \(error.message)", mayHaveCharged: false)
        }
    }
}
