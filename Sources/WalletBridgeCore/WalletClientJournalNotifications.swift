import Foundation
import Logging

extension WalletClient {
    /// Receives a notification through the journal: verifies it from its raw bytes, claims its
    /// deduplication key in the journal (a redelivery is acknowledged, not applied again),
    /// confirms it by a status query when the wallet's scheme requires it, checks it against
    /// the payment the journal holds (reference, wallet reference, amount and currency), and
    /// advances the payment's state. A late `pending` never overwrites a final state; a
    /// notification that contradicts a final state is refused and logged; one about a payment
    /// that was already final is acknowledged as a duplicate, so an order is fulfilled once.
    ///
    /// A notification about a payment the journal does not hold is verified, deduplicated and
    /// confirmed as with ``receiveNotification(_:deduplicator:expectedAmount:correlationID:)``.
    /// - Throws: ``WalletError`` when the notification does not verify; answer with an HTTP error.
    public func receiveNotification(_ inbound: InboundNotification, correlationID: String? = nil) async throws(WalletError) -> ReceivedNotification {
        let correlation = correlationID ?? RandomIdentifier.uuid()
        let deduplicator = JournalNotificationDeduplicator(journal: journal, wallet: adapter.walletName, now: configuration.clock.now)
        let client = self
        // Whether the payment (or refund) was final before this delivery: a confirming status
        // query may make it final on the way, and that must not count as already applied.
        var wasFinal = false
        let received = try await receive(
            inbound, deduplicator: deduplicator,
            expectedAmount: { reference in await client.knownPayment(reference)?.amount },
            correlationID: correlation,
            verified: { event in
                let id =
                    event.kind == .refundResult
                    ? event.refund.map { JournalEntry.refundID(wallet: client.adapter.walletName, refundReference: $0.refundReference) }
                    : JournalEntry.paymentID(wallet: client.adapter.walletName, merchantReference: event.payment.merchantReference)
                if let id, let entry = try? await client.journal.entry(id) { wasFinal = entry.state.isFinal }
            })
        if let failure = await deduplicator.failure {
            // The claim could not be checked: never acknowledge (the wallet must redeliver).
            throw WalletError(
                .journalUnavailable,
                "the payment journal could not claim the notification (\(failure)); answer with an error so the wallet redelivers",
                mayHaveCharged: false)
        }
        guard case .apply = received.disposition else { return received }
        // A journal that claims with the effect has only checked the key so far: the claim is
        // made below, in the transaction that records the notification (or alone, for a payment
        // the journal does not hold).
        let claimsWithOutcome = journal.claimsNotificationsWithOutcome
        let key = received.notification.deduplicationKey
        let wallet = adapter.walletName
        let now = configuration.clock.now
        func record(_ id: JournalEntry.ID, _ outcome: JournalOutcome) async throws -> (JournalEntry, JournalTransition.Verdict)? {
            guard claimsWithOutcome else { return try await journal.recordOutcome(id, outcome, at: now()) }
            return try await journal.recordOutcome(id, outcome, claimingNotification: key, wallet: wallet, at: now())
        }
        func duplicate() -> ReceivedNotification {
            ReceivedNotification(notification: received.notification, acknowledgement: received.acknowledgement, disposition: .duplicate)
        }
        let log = operationLogger("notification", correlation, ["merchantReference": "\(received.notification.payment.merchantReference)"])
        var notification = received.notification
        func unconfirmed(_ error: WalletError) async -> ReceivedNotification {
            await deduplicator.release(notification.deduplicationKey)
            log.warning("notification not applied", metadata: WalletClient.metadata(error))
            return ReceivedNotification(
                notification: received.notification, acknowledgement: received.acknowledgement, disposition: .unconfirmed(error))
        }
        if notification.kind == .refundResult, let refund = notification.refund,
            let entry = try? await journal.entry(JournalEntry.refundID(wallet: adapter.walletName, refundReference: refund.refundReference))
        {
            let binding = ReplyBinding(
                references: [
                    .ours("refund reference", held: entry.refundReference ?? "", named: refund.refundReference),
                    .wallets("wallet refund reference", held: entry.walletRefundReference, named: refund.walletRefundReference),
                ],
                expectedAmount: entry.amount, statedAmount: refund.amount.map { .stated($0) } ?? .absent)
            let status = binding.refund(refund.status)
            if case .unknown(let error) = status, error.category == .invalidPartnerResponse { return await unconfirmed(error) }
            if let conflict = refund.lastError, conflict.category == .invalidPartnerResponse { return await unconfirmed(conflict) }
            do {
                guard let recorded = try await record(entry.id, JournalOutcome(.notifications, refund)) else { return duplicate() }
                let (stored, verdict) = recorded
                metrics?.recorded(stored, verdict: verdict)
                if case .refused(let why) = verdict { return await unconfirmed(WalletError(.invalidPartnerResponse, why)) }
                notification.refund = JournalMiddleware.merged(.refund(refund), with: stored).refund
            } catch {
                return await unconfirmed(WalletError(.journalUnavailable, "the payment journal could not record the notification: \(error)"))
            }
            // Already final before this delivery: nothing new to apply (acknowledge only).
            return ReceivedNotification(
                notification: notification, acknowledgement: received.acknowledgement,
                disposition: wasFinal ? .duplicate : .apply)
        }
        guard notification.kind != .refundResult, let entry = await knownPayment(notification.payment.merchantReference) else {
            guard claimsWithOutcome else { return received }
            // Nothing of the journal's to change: the claim is the whole effect.
            do {
                return try await journal.claimNotification(key, wallet: wallet, at: now()) ? received : duplicate()
            } catch {
                throw WalletError(
                    .journalUnavailable,
                    "the payment journal could not claim the notification (\(error)); answer with an error so the wallet redelivers",
                    mayHaveCharged: false)
            }
        }
        let payment = notification.payment
        if let conflict = payment.lastError, conflict.category == .invalidPartnerResponse {
            // The confirming status query contradicted the journal's final state.
            return await unconfirmed(conflict)
        }
        let binding = ReplyBinding(
            references: [
                .ours("merchant reference", held: entry.merchantReference, named: payment.merchantReference),
                .wallets("wallet reference", held: entry.walletReference, named: payment.walletReference),
            ],
            expectedAmount: entry.amount, statedAmount: payment.amount.map { .stated($0) } ?? .absent)
        let status = binding.payment(payment.status)
        if case .unknown(let error) = status, error.category == .invalidPartnerResponse, !(payment.status.error?.category == .invalidPartnerResponse)
        {
            return await unconfirmed(error)
        }
        do {
            guard let recorded = try await record(entry.id, JournalOutcome(.notifications, payment)) else { return duplicate() }
            let (stored, verdict) = recorded
            metrics?.recorded(stored, verdict: verdict)
            if case .refused(let why) = verdict {
                log.error("notification contradicts a final state", metadata: ["reason": "\(why)"])
                return await unconfirmed(WalletError(.invalidPartnerResponse, "the notification contradicts the payment's final state: \(why)"))
            }
            if let merged = JournalMiddleware.merged(.payment(payment), with: stored).payment { notification.payment = merged }
        } catch {
            return await unconfirmed(WalletError(.journalUnavailable, "the payment journal could not record the notification: \(error)"))
        }
        // A payment already final before this delivery (a late pending, a second callback with
        // another key): nothing new to apply, so it is acknowledged as a duplicate and an order
        // is never fulfilled twice.
        return ReceivedNotification(
            notification: notification, acknowledgement: received.acknowledgement,
            disposition: wasFinal ? .duplicate : .apply)
    }
}

/// The journal's notification claims as a ``NotificationDeduplicator`` (shared by every
/// process on the same journal).
actor JournalNotificationDeduplicator: NotificationDeduplicator {
    let journal: any PaymentJournal
    let wallet: String
    let now: @Sendable () -> Date
    /// Why a claim or release could not be recorded, if one could not.
    private(set) var failure: String?

    init(journal: any PaymentJournal, wallet: String, now: @escaping @Sendable () -> Date) {
        self.journal = journal
        self.wallet = wallet
        self.now = now
    }

    func claim(_ key: String) async -> Bool {
        do {
            // Claimed later, with the effect: only recognise a redelivery here.
            if journal.claimsNotificationsWithOutcome { return try await !journal.isNotificationClaimed(key, wallet: wallet) }
            return try await journal.claimNotification(key, wallet: wallet, at: now())
        } catch {
            // Not applied now; the caller turns this into an error so the wallet redelivers.
            failure = "\(error)"
            return false
        }
    }

    func release(_ key: String) async {
        // Nothing was claimed yet by a journal that claims with the effect.
        if journal.claimsNotificationsWithOutcome { return }
        do {
            try await journal.releaseNotification(key, wallet: wallet)
        } catch {
            failure = "\(error)"
        }
    }
}
