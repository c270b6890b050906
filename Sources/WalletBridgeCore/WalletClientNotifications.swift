import Foundation
import Logging

extension WalletClient {
    /// Receives a notification end to end: verifies it, recognises a redelivery, and, when the
    /// wallet's scheme says a notification alone proves nothing about the payment (Paytm),
    /// confirms it with a status query before reporting it to apply.
    ///
    /// Confirmation checks that the status query is about the same order, the same wallet
    /// reference and the expected amount, and takes the query's state as the truth. A
    /// notification that cannot be confirmed yet is ``ReceivedNotification/Disposition/unconfirmed(_:)``
    /// and its deduplication claim is given back, so a redelivery is processed again.
    ///
    /// - Parameters:
    ///   - inbound: The request as received: path, header fields and the raw body bytes.
    ///   - deduplicator: Where applied notifications are remembered.
    ///   - expectedAmount: Looks up the order's amount by merchant reference; a notification or
    ///     status for another amount is not confirmed. Without it the notified amount is checked
    ///     against the status query.
    ///   - correlationID: Ties the verification and the confirming query's log lines together;
    ///     a fresh one by default.
    /// - Throws: ``WalletError`` when the notification does not verify (see
    ///   ``WalletAdapter/verifyNotification(_:)``); answer such a request with an HTTP error.
    public func receiveNotification(
        _ inbound: InboundNotification,
        deduplicator: any NotificationDeduplicator,
        expectedAmount: (@Sendable (String) async -> Money?)? = nil,
        correlationID: String? = nil
    ) async throws(WalletError) -> ReceivedNotification {
        try await receive(inbound, deduplicator: deduplicator, expectedAmount: expectedAmount, correlationID: correlationID, verified: { _ in })
    }

    /// The receiving steps; `verified` sees the notification once it is verified, before it is
    /// claimed or confirmed.
    func receive(
        _ inbound: InboundNotification,
        deduplicator: any NotificationDeduplicator,
        expectedAmount: (@Sendable (String) async -> Money?)?,
        correlationID: String?,
        verified onVerified: (WalletNotification) async -> Void
    ) async throws(WalletError) -> ReceivedNotification {
        // One correlation id for the verification and the confirmation that follows it.
        let correlation = correlationID ?? RandomIdentifier.uuid()
        let verified = try verifyNotification(inbound, correlationID: correlation)
        let event = verified.notification
        await onVerified(event)
        var log = operationLogger("notification", correlation, ["merchantReference": "\(event.payment.merchantReference)"])
        log[metadataKey: "kind"] = "\(event.kind.rawValue)"
        func received(_ notification: WalletNotification, _ disposition: ReceivedNotification.Disposition) -> ReceivedNotification {
            ReceivedNotification(notification: notification, acknowledgement: verified.acknowledgement, disposition: disposition)
        }
        guard await deduplicator.claim(event.deduplicationKey) else {
            log.info("duplicate notification acknowledged, not applied again")
            return received(event, .duplicate)
        }
        guard event.requiresConfirmation else { return received(event, .apply) }
        let confirmation = await confirm(event, expectedAmount: expectedAmount, correlationID: correlation)
        switch confirmation {
        case .success(let confirmed):
            var metadata = WalletClient.metadata(confirmed.payment)
            if let refund = confirmed.refund { metadata["refundStatus"] = "\(refund.status.name)" }
            log.info("notification confirmed by a status query", metadata: metadata)
            return received(confirmed, .apply)
        case .failure(let reason):
            await deduplicator.release(event.deduplicationKey)
            log.warning("notification not confirmed", metadata: WalletClient.metadata(reason))
            return received(event, .unconfirmed(reason))
        }
    }

    /// The notification as the status query tells it, or why it could not be confirmed.
    private func confirm(
        _ event: WalletNotification, expectedAmount: (@Sendable (String) async -> Money?)?, correlationID: String
    ) async -> Result<WalletNotification, WalletError> {
        let reference = event.payment.merchantReference
        if event.kind == .refundResult, let refund = event.refund {
            let query = RefundQuery(
                refundReference: refund.refundReference, walletRefundReference: refund.walletRefundReference, merchantReference: reference)
            let confirmed: RefundResult
            do throws(WalletError) { confirmed = try await inquireRefund(query, correlationID: correlationID) } catch { return .failure(error) }
            switch confirmed.status {
            case .pending, .unknown:
                return .failure(
                    confirmed.status.error
                        ?? WalletError(
                            .unknownOutcome, "the refund status query says \(confirmed.status.name); not confirmed yet", mayHaveCharged: false))
            case .succeeded, .failed:
                if let conflict = confirmed.lastError, conflict.category == .invalidPartnerResponse { return .failure(conflict) }
                if let notified = refund.amount, let amount = confirmed.amount, notified != amount {
                    return .failure(
                        WalletError(.invalidPartnerResponse, "the notification says \(notified) was refunded, the status query \(amount)"))
                }
                var result = event
                result.refund = confirmed
                return .success(result)
            }
        }
        let order = await expectedAmount?(reference)
        if let order, let notified = event.payment.amount, notified != order {
            return .failure(WalletError(.invalidPartnerResponse, "the notification is for \(notified), the order is \(order)"))
        }
        let query = PaymentQuery(
            merchantReference: reference, walletReference: event.payment.walletReference, expectedAmount: order ?? event.payment.amount)
        let confirmed: PaymentResult
        do throws(WalletError) { confirmed = try await inquire(query, correlationID: correlationID) } catch { return .failure(error) }
        if let notified = event.payment.walletReference, let queried = confirmed.walletReference, notified != queried {
            return .failure(WalletError(.invalidPartnerResponse, "the notification names wallet reference \(notified), the status query \(queried)"))
        }
        switch confirmed.status {
        case .unknown(let error):
            return .failure(error)
        case .pending:
            guard event.kind == .paymentPending else {
                return .failure(
                    WalletError(
                        .unknownOutcome, "the status query still says pending; not confirmed yet", partnerCode: confirmed.partnerResult?.code,
                        mayHaveCharged: true))
            }
            var result = event
            result.payment = confirmed
            return .success(result)
        case .succeeded, .failed, .cancelled:
            var result = event
            result.kind = .paymentResult
            result.payment = confirmed
            return .success(result)
        }
    }
}
