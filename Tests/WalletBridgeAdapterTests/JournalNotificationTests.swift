import Foundation
import HTTPTypes
import Testing
import WalletBridgeSQLite
import WalletBridgeCore
import WalletBridgeCrypto
import WalletBridgePaytm
import WalletBridgeSandbox
import WalletBridgeSNAP

// MARK: Harness

/// Where the notifications of these tests are posted, per wallet.
func hookPath(_ wallet: SandboxWallet) -> String { "/hooks/\(wallet.rawValue)" }

/// The first notification `inbox` received about `ref` whose verified kind is `kind` (waiting for
/// the sandbox to deliver it).
func deliveredNotification(
    _ w: WalletUnderTest, _ inbox: Inbox, _ ref: String, kind: WalletNotification.Kind = .paymentResult
) async throws -> InboundNotification {
    let adapter = w.adapter
    func matching() async -> InboundNotification? {
        await inbox.received.first { inbound in
            guard let verified = try? adapter.verifyNotification(inbound) else { return false }
            return verified.notification.kind == kind && verified.notification.payment.merchantReference == ref
        }
    }
    _ = await eventually { await matching() != nil }
    return try #require(await matching(), "no \(kind) notification about \(ref) arrived")
}

/// A Paytm form callback with `fields` (CHECKSUMHASH computed with the sandbox's test-only merchant key).
func signedPaytmCallback(_ fields: [String: String], path: String = hookPath(.paytm)) throws -> InboundNotification {
    let key = try PaytmChecksum(merchantKey: SecretBytes(utf8: SandboxCredentials.paytmMerchantKey))
    var signed: [String: String?] = [:]
    for (name, value) in fields where name != "CHECKSUMHASH" { signed[name] = value }
    var all = fields
    all["CHECKSUMHASH"] = try key.generate(forParams: signed).checksum
    return InboundNotification(path: path, headerFields: [.contentType: "application/x-www-form-urlencoded"], body: PaytmForm.encode(all))
}

/// A SNAP finish notify with `body`, signed now with the sandbox's test-only wallet key.
func signedSNAPNotify(_ body: [UInt8], path: String = hookPath(.dana)) throws -> InboundNotification {
    let timestamp = TimestampText.iso8601(Date(), offsetHours: 7)
    let signer = SNAPRSASigner(privateKey: try RSAPrivateKey(text: SandboxCredentials.platformPrivateKeyPEM))
    let signature = try signer.sign(method: "POST", path: path, body: body, timestamp: timestamp)
    return InboundNotification(
        path: path, headerFields: [.contentType: "application/json", .xTimestamp: timestamp, .xSignature: signature.value], body: body)
}

/// A late "still in process" notification about a payment, built from the wallet's real final
/// notification `final`: GCash's own PAYMENT_PENDING (the sandbox sends it when the payment starts,
/// so delivering it after the result is a late one), or, for the wallets whose sandbox sends only
/// final states, the same notification re-signed with a pending status (Paytm `STATUS=PENDING`,
/// SNAP `latestTransactionStatus` 02).
func latePendingNotification(_ w: WalletUnderTest, _ inbox: Inbox, _ ref: String, final: InboundNotification) async throws -> InboundNotification {
    switch w.wallet {
    case .gcash:
        return try await deliveredNotification(w, inbox, ref, kind: .paymentPending)
    case .paytm:
        var fields = try PaytmForm.decode(final.body)
        fields["STATUS"] = "PENDING"
        fields["RESPCODE"] = "402"
        fields["RESPMSG"] = "Looks like the payment is not complete."
        fields["BANKTXNID"] = ""
        return try signedPaytmCallback(fields, path: final.path)
    case .dana:
        var object = try #require(try JSONSerialization.jsonObject(with: Data(final.body)) as? [String: Any])
        object["latestTransactionStatus"] = "02"
        object["transactionStatusDesc"] = "PAYING"
        object.removeValue(forKey: "finishedTime")
        let body = Array(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
        return try signedSNAPNotify(body, path: final.path)
    }
}

/// Runs `body` with a webhook receiver that verifies with the wallet's adapter, acknowledges
/// (so the sandbox stops redelivering) and records what arrives.
func withWebhook<T: Sendable>(_ w: WalletUnderTest, _ body: (Inbox, WebhookReceiver) async throws -> T) async throws -> T {
    let inbox = Inbox()
    let receiver = try await verifyingReceiver(w.adapter, inbox)
    do {
        let result = try await body(inbox, receiver)
        await receiver.shutdown()
        return result
    } catch {
        await receiver.shutdown()
        throw error
    }
}

extension WalletUnderTest {
    /// The journal id of payment `ref`.
    func entryID(_ ref: String) -> JournalEntry.ID { JournalEntry.paymentID(wallet: wallet.rawValue, merchantReference: ref) }

    /// A client on `journal` with a freshly built adapter for this wallet, as another process
    /// (same profile and keys, its own adapter and policy objects) would have.
    func secondClient(journal: any PaymentJournal) throws -> WalletClient {
        fastClient(try adapter { _ in }, journal: journal)
    }

    /// Pays `ref` with the slow customer through `client` (pending, nothing settled inline),
    /// then lets the wallet decide by inquiring it with the adapter alone (nothing journalled),
    /// and returns the final notification the wallet sent.
    func payPendingThenDecide(_ client: WalletClient, _ ref: String, inbox: Inbox, receiver: WebhookReceiver) async throws -> InboundNotification {
        let started = try await client.pay(
            payment(ref, wallet.amount, customer: wallet.slowCustomer, notifyURL: receiver.url(path: hookPath(wallet))))
        #expect(started.status.isPending, "\(wallet): \(started.status)")
        for _ in 0..<3 { _ = try? await adapter.inquire(query(ref)) }
        #expect(ledger(ref)?.state == "succeeded")
        return try await deliveredNotification(self, inbox, ref)
    }

    /// Pays `ref` with the paying customer through the adapter alone (the journal is not told)
    /// and returns the final notification the wallet sent.
    func payDirectly(_ ref: String, receiver: WebhookReceiver, inbox: Inbox) async throws -> InboundNotification {
        _ = try await adapter.pay(payment(ref, wallet.amount, customer: wallet.paysCustomer, notifyURL: receiver.url(path: hookPath(wallet))))
        return try await deliveredNotification(self, inbox, ref)
    }
}

extension ReceivedNotification.Disposition {
    var unconfirmedReason: WalletError? { if case .unconfirmed(let error) = self { return error } else { return nil } }
}

// MARK: Tests

/// `WalletClient.receiveNotification(_:correlationID:)`, the journal overload, end to end: the
/// wallets' own notifications (GCash Alipay+ notifyPayment, Paytm callbacks confirmed by a status
/// query, DANA SNAP finish notify) from the sandbox to a local webhook, received by a client whose
/// journal holds the payment.
///
/// Two processes share a journal by sharing its storage: the redelivery test opens a second
/// `SQLitePaymentJournal` handle on the same file for the second client.
@Suite("Notifications through the payment journal")
struct JournalNotificationTests {
    @Test(arguments: SandboxWallet.allCases)
    func theFirstDeliveryAdvancesTheJournalAndARedeliveryIsADuplicateEvenThroughAnotherClient(_ wallet: SandboxWallet) async throws {
        try await withWallet(wallet) { w in
            try await withWebhook(w) { inbox, receiver in
                let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wb-notify-\(UUID().uuidString)")
                defer { try? FileManager.default.removeItem(at: directory) }
                let path = directory.appendingPathComponent("journal.sqlite").path
                let journal: any PaymentJournal = try SQLitePaymentJournal(path: path)
                let client = fastClient(w.adapter, journal: journal, settleWithin: .zero)
                let ref = reference("jn-apply")
                let inbound = try await w.payPendingThenDecide(client, ref, inbox: inbox, receiver: receiver)
                #expect(try await journal.entry(w.entryID(ref))?.state == .pending, "the journal has not heard of the result yet")

                let first = try await client.receiveNotification(inbound)
                #expect(first.disposition == .apply)
                #expect(first.fulfilsOrder)
                #expect(first.notification.payment.status.isSucceeded)
                let entry = try #require(try await journal.entry(w.entryID(ref)))
                #expect(entry.state == .succeeded, "advanced to the notified final state")
                #expect(entry.walletReference == w.ledger(ref)?.walletReference)
                #expect(try await journal.events(w.entryID(ref)).contains { $0.operation == "notifications" })

                let again = try await client.receiveNotification(inbound)
                #expect(again.disposition == .duplicate)
                #expect(!again.fulfilsOrder)
                #expect(again.acknowledgement.status == 200, "a duplicate is still acknowledged, so the wallet stops resending")

                // Another process on the same journal: the claim is the journal's, so still a duplicate.
                let other = try w.secondClient(journal: try SQLitePaymentJournal(path: path))
                let elsewhere = try await other.receiveNotification(inbound)
                #expect(elsewhere.disposition == .duplicate)
                #expect(!elsewhere.fulfilsOrder)
                #expect(elsewhere.acknowledgement.status == 200)
                #expect(try await journal.entry(w.entryID(ref))?.state == .succeeded)
            }
        }
    }

    @Test(arguments: SandboxWallet.allCases)
    func aLatePendingNotificationNeverUndoesTheFinalState(_ wallet: SandboxWallet) async throws {
        try await withWallet(wallet) { w in
            try await withWebhook(w) { inbox, receiver in
                let journal: any PaymentJournal = InMemoryPaymentJournal()
                let client = fastClient(w.adapter, journal: journal, settleWithin: .zero)
                let ref = reference("jn-late")
                let final = try await w.payPendingThenDecide(client, ref, inbox: inbox, receiver: receiver)
                #expect(try await client.receiveNotification(final).disposition == .apply)
                #expect(try await journal.entry(w.entryID(ref))?.state == .succeeded)

                let pending = try await latePendingNotification(w, inbox, ref, final: final)
                #expect(
                    try w.adapter.verifyNotification(pending).notification.kind == .paymentPending, "the late notification verifies and says pending")
                let late = try await client.receiveNotification(pending)
                let entry = try #require(try await journal.entry(w.entryID(ref)))
                #expect(entry.state == .succeeded, "a late pending never overwrites a final state")
                #expect(
                    !late.notification.payment.status.isPending,
                    "the client reports the journal's state, not the late pending: \(late.notification.payment.status)")
                let events = try await journal.events(w.entryID(ref))
                #expect(
                    events.contains { $0.kind == "kept" && $0.operation == "notifications" },
                    "\(events.map { "\($0.kind) \($0.operation) \($0.detail)" })")
                #expect(!events.contains { $0.kind == "refused" })
            }
        }
    }

    @Test(arguments: SandboxWallet.allCases)
    func aNotificationForAnotherAmountIsUnconfirmedLeavesTheJournalAndReleasesItsClaim(_ wallet: SandboxWallet) async throws {
        try await withWallet(wallet) { w in
            try await withWebhook(w) { inbox, receiver in
                let ref = reference("jn-amount")
                let inbound = try await w.payDirectly(ref, receiver: receiver, inbox: inbox)
                // The journal holds the order for twice the amount the wallet was asked for (and notified).
                let journal: any PaymentJournal = InMemoryPaymentJournal()
                let ordered = Money(minorUnits: wallet.amount.minorUnits * 2, currency: wallet.amount.currency)
                _ = try await journal.begin(
                    JournalEntry.intent(wallet: wallet.rawValue, payment(ref, ordered, customer: wallet.paysCustomer), at: Date()))
                try await journal.recordAttempt(w.entryID(ref), operation: .pay, attempt: 1, at: Date())
                let before = try #require(try await journal.entry(w.entryID(ref)))
                let client = fastClient(w.adapter, journal: journal)

                let received = try await client.receiveNotification(inbound)
                #expect(received.disposition.unconfirmedReason?.category == .invalidPartnerResponse, "\(received.disposition)")
                #expect(!received.fulfilsOrder)
                #expect(try await journal.entry(w.entryID(ref)) == before, "the journal is unchanged")

                // The claim was given back: a redelivery is processed again (and again not confirmed).
                let key = received.notification.deduplicationKey
                let redelivered = try await client.receiveNotification(inbound)
                #expect(redelivered.disposition.unconfirmedReason != nil, "processed again, not a duplicate: \(redelivered.disposition)")
                #expect(try await journal.claimNotification(key, wallet: wallet.rawValue, at: Date()), "no claim is left behind")
                try await journal.releaseNotification(key, wallet: wallet.rawValue)
                #expect(try await journal.entry(w.entryID(ref)) == before)
            }
        }
    }

    @Test func aClaimTheJournalCannotRecordIsAnErrorNeverAnAcknowledgedDuplicate() async throws {
        try await withWallet(.gcash) { w in
            try await withWebhook(w) { inbox, receiver in
                let inbound = try await w.payDirectly(reference("jn-broken"), receiver: receiver, inbox: inbox)
                let client = fastClient(w.adapter, journal: UnclaimableJournal())
                let error = await #expect(throws: WalletError.self) { _ = try await client.receiveNotification(inbound) }
                #expect(error?.category == .journalUnavailable, "answer with an error: the wallet redelivers")
            }
        }
    }

    @Test(arguments: SandboxWallet.allCases)
    func aNotificationContradictingAFinalStateIsRefusedAndRecorded(_ wallet: SandboxWallet) async throws {
        try await withWallet(wallet) { w in
            try await withWebhook(w) { inbox, receiver in
                let ref = reference("jn-contra")
                let inbound = try await w.payDirectly(ref, receiver: receiver, inbox: inbox)
                #expect(try w.adapter.verifyNotification(inbound).notification.payment.status.isSucceeded)
                // The journal says the payment failed (recorded directly), the wallet says it succeeded.
                let journal: any PaymentJournal = InMemoryPaymentJournal()
                _ = try await journal.begin(
                    JournalEntry.intent(wallet: wallet.rawValue, payment(ref, wallet.amount, customer: wallet.paysCustomer), at: Date()))
                try await journal.recordAttempt(w.entryID(ref), operation: .pay, attempt: 1, at: Date())
                let (failed, verdict) = try await journal.recordOutcome(
                    w.entryID(ref),
                    JournalOutcome(
                        operation: .pay, state: .failed,
                        error: WalletError(.declined, "declined", mayHaveCharged: false)), at: Date())
                #expect(failed.state == .failed && verdict == .applied)
                let client = fastClient(w.adapter, journal: journal)

                let received = try await client.receiveNotification(inbound)
                #expect(
                    received.disposition.unconfirmedReason?.category == .invalidPartnerResponse,
                    "\(wallet): a notification contradicting a final state must be unconfirmed, got \(received.disposition) with status \(received.notification.payment.status)"
                )
                #expect(!received.fulfilsOrder)
                #expect(try await journal.entry(w.entryID(ref))?.state == .failed, "a final state is never overwritten")
                let events = try await journal.events(w.entryID(ref))
                #expect(events.contains { $0.kind == "refused" }, "\(events.map { "\($0.kind) \($0.operation) \($0.detail)" })")
            }
        }
    }

    /// The refund leg of the same rule: a Paytm refund webhook (confirmed by a refund status
    /// query) that says succeeded, while the journal holds the refund as failed.
    @Test func aPaytmRefundWebhookContradictingAFinalRefundIsRefusedAndRecorded() async throws {
        try await withWallet(.paytm) { w in
            let ref = reference("jn-refund")
            let paid = try await w.succeededPayment(ref)
            let txnID = try #require(paid.walletReference)
            let request = RefundRequest(
                merchantReference: ref, walletReference: txnID, refundReference: ref + "-R1", amount: SandboxWallet.paytm.refundAmount)
            let refunded = try await w.adapter.refund(request)
            let refundID = try #require(refunded.walletRefundReference)
            // The journal says the refund failed (recorded directly); the wallet refunded it.
            let journal: any PaymentJournal = InMemoryPaymentJournal()
            let id = w.refundEntryID(request.refundReference)
            _ = try await journal.begin(JournalEntry.intent(wallet: "paytm", request, at: Date()))
            try await journal.recordAttempt(id, operation: .refund, attempt: 1, at: Date())
            _ = try await journal.recordOutcome(
                id, JournalOutcome(operation: .refund, state: .failed, error: WalletError(.declined, "declined", mayHaveCharged: false)), at: Date())

            let key = try PaytmChecksum(merchantKey: SecretBytes(utf8: SandboxCredentials.paytmMerchantKey))
            let body =
                #"{"mid":"\#(SandboxCredentials.paytmMerchantID)","orderId":"\#(ref)","txnId":"\#(txnID)","refId":"\#(request.refundReference)","refundId":"\#(refundID)","refundAmount":"\#(request.amount.decimalString)","status":"TXN_SUCCESS"}"#
            let webhook = #"{"head":{"signature":"\#(try key.generate(for: Array(body.utf8)).checksum)","version":"v1"},"body":\#(body)}"#
            let inbound = InboundNotification(
                path: "/hooks/paytm/refunds", headerFields: [.contentType: "application/json"], body: Array(webhook.utf8))
            #expect(try w.adapter.verifyNotification(inbound).notification.refund?.status == .succeeded)

            let received = try await fastClient(w.adapter, journal: journal).receiveNotification(inbound)
            #expect(
                received.disposition.unconfirmedReason?.category == .invalidPartnerResponse,
                "a refund notification contradicting a final refund must be unconfirmed, got \(received.disposition) with refund status \(String(describing: received.notification.refund?.status))"
            )
            #expect(try await journal.entry(id)?.state == .failed, "a final state is never overwritten")
            let events = try await journal.events(id)
            #expect(events.contains { $0.kind == "refused" }, "\(events.map { "\($0.kind) \($0.operation) \($0.detail)" })")
        }
    }
}

/// A journal whose notification claims fail (a database that is down).
private struct UnclaimableJournal: PaymentJournal {
    let base = InMemoryPaymentJournal()
    struct Down: Error {}
    func begin(_ intent: JournalEntry) async throws -> JournalEntry { await base.begin(intent) }
    func entry(_ id: JournalEntry.ID) async throws -> JournalEntry? { await base.entry(id) }
    func recordAttempt(_ id: JournalEntry.ID, operation: WalletCapabilities.Operation, attempt: Int, at: Date) async throws {
        await base.recordAttempt(id, operation: operation, attempt: attempt, at: at)
    }
    func recordOutcome(_ id: JournalEntry.ID, _ outcome: JournalOutcome, at: Date) async throws -> (JournalEntry, JournalTransition.Verdict) {
        try await base.recordOutcome(id, outcome, at: at)
    }
    func openEntries(wallet: String?) async throws -> [JournalEntry] { await base.openEntries(wallet: wallet) }
    func allEntries(wallet: String?) async throws -> [JournalEntry] { await base.allEntries(wallet: wallet) }
    func events(_ id: JournalEntry.ID) async throws -> [JournalEvent] { await base.events(id) }
    func claimNotification(_ key: String, wallet: String, at: Date) async throws -> Bool { throw Down() }
    func releaseNotification(_ key: String, wallet: String) async throws { throw Down() }
    func purge(before cutoff: Date) async throws -> Int { await base.purge(before: cutoff) }
}
