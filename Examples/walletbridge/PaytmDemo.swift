import Foundation
import HTTPTypes
import WalletBridgeCore
import WalletBridgeHTTP
import WalletBridgePaytm
import WalletBridgeSandbox

/// The Paytm-style part of `walletbridge demo`: initiate with a txnToken, a checksummed
/// callback confirmed by a status query (and its redelivery recognised), a pending order
/// resolving, refunds, and a tampered reply treated as unknown.
enum PaytmDemo {
    /// Runs the story; true when every step behaved as expected.
    static func run(sandbox: WalletSandbox, transport: any HTTPTransport, trace: Bool) async throws -> Bool {
        let wire: any HTTPTransport = trace ? TranscriptTransport(base: transport, write: { print($0) }) : transport
        let adapter = PaytmAdapter(configuration: try PaytmConfiguration(profile: try sandbox.clientProfile(wallet: "paytm")), transport: wire)
        // The story shows each first answer, so this client does not settle inline (a production
        // client settles an open payment by the wallet's rule before returning).
        let client = WalletClient(adapter: adapter, configuration: WalletClient.Configuration(settleWithin: .zero))
        return try await DemoInbox.withWebhook({ _ in
            NotificationAcknowledgement(status: 200, headerFields: [.contentType: "text/plain"], body: Array("OK".utf8))
        }) { inbox, url in
            try await story(sandbox: sandbox, client: client, inbox: inbox, callbackURL: url + "/paytm/callback")
        }
    }

    private static func story(sandbox: WalletSandbox, client: WalletClient, inbox: DemoInbox, callbackURL: String) async throws -> Bool {
        print(
            "Paytm-style wallet on the same sandbox (merchant \(SandboxCredentials.paytmMerchantID)): every request carries a checksum made with the merchant key, and every answer's is checked\n"
        )

        let reference = "WB-DEMO-PTM-\(UUID().uuidString.prefix(8))"
        let amount = try Money(parsing: "10.00", currency: .inr)
        print("7. initiate \(amount) for customer paytm-pays (order \(reference))")
        let started = try await client.pay(
            PaymentRequest(
                merchantReference: reference, amount: amount, customer: CustomerCredential("paytm-pays"),
                orderDescription: "Demo order", notifyURL: callbackURL))
        if case .pending(let action?) = started.status {
            print("   → pending; next action: \(action.kind) \(action.value.prefix(16))… (the customer completes Paytm's checkout with it)\n")
        } else {
            print("   → \(started.status.name)\n")
        }

        print("8. Paytm posts a form callback (CHECKSUMHASH); a callback alone never fulfils an order")
        let deadline = ContinuousClock.now + .seconds(5)
        while await inbox.received.isEmpty, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        let store = InMemoryNotificationDeduplicator()
        var applied = false, duplicate = false
        if let callback = await inbox.received.first {
            let received = try await client.receiveNotification(callback, deduplicator: store, expectedAmount: { _ in amount })
            applied = received.fulfilsOrder
            print(
                "   → checksum verified, confirmed by a status query: \(received.notification.payment.status.name) \(received.notification.payment.amount.map(\.description) ?? "-"); fulfil the order: \(applied ? "yes" : "no")"
            )
            let again = try await client.receiveNotification(callback, deduplicator: store, expectedAmount: { _ in amount })
            duplicate = again.disposition == .duplicate
            print(
                "   → the same callback again: \(duplicate ? "recognised as a duplicate (orderId, TXNID, STATUS), not applied twice" : "NOT recognised")\n"
            )
        } else {
            print("   → no callback arrived within 5 s\n")
        }

        let slowRef = reference + "-S"
        print("9. customer paytm-slow: the status query says PENDING for a while (never a failure)")
        _ = try await client.pay(
            PaymentRequest(merchantReference: slowRef, amount: amount, customer: CustomerCredential("paytm-slow"), orderDescription: "Demo order"))
        var statuses: [String] = []
        for _ in 0..<3 {
            let status = try await client.inquire(PaymentQuery(merchantReference: slowRef, expectedAmount: amount))
            statuses.append("\(status.status.name) (\(status.partnerResult?.code ?? "-"))")
        }
        print("   → \(statuses.joined(separator: ", "))\n")

        let part = try Money(parsing: "4.00", currency: .inr)
        print("10. refund \(part), then query the refund; then try to refund \(try Money(parsing: "7.00", currency: .inr)) more")
        let refund = try await client.refund(RefundRequest(merchantReference: reference, refundReference: reference + "-R1", amount: part))
        let refunded = try await client.inquireRefund(RefundQuery(refundReference: reference + "-R1", merchantReference: reference))
        print(
            "   → \(refund.status.name) (\(refund.partnerResult?.code ?? "-")), then \(refunded.status.name) (\(refunded.partnerResult?.code ?? "-"))"
        )
        let over = try await client.refund(
            RefundRequest(merchantReference: reference, refundReference: reference + "-R2", amount: try Money(parsing: "7.00", currency: .inr)))
        print("   → over-refund: \(over.status.name), \(over.status.error?.category.rawValue ?? "-") (\(over.partnerResult?.code ?? "-"))\n")

        print("11. a status reply with a tampered checksum (injected fault) is never success")
        sandbox.injectFault(.tamperResponseSignature, path: PaytmConfiguration.Paths().transactionStatus)
        let tampered = try await client.inquire(PaymentQuery(merchantReference: reference, expectedAmount: amount))
        // The tampered reply is never trusted: the retry policy asks again (had every attempt
        // failed, the payment would keep its known status, with the error in lastError).
        print("   → the tampered reply was refused and the status query resent: \(tampered.status.name)")
        let reconciled = try await client.inquire(PaymentQuery(merchantReference: reference, expectedAmount: amount))
        print("   → queried again: \(reconciled.status.name)\n")

        return started.status.name == "pending" && applied && duplicate && statuses.last?.hasPrefix("succeeded") == true
            && statuses.first?.hasPrefix("pending") == true && refund.status == .pending && refunded.status == .succeeded
            && over.status.error?.category == .limitExceeded && tampered.status == .succeeded && reconciled.status == .succeeded
    }
}

/// What a demo webhook received.
actor DemoInbox {
    var received: [InboundNotification] = []
    func add(_ notification: InboundNotification) { received.append(notification) }

    /// Runs `body` with a local webhook (base URL `http://127.0.0.1:PORT`) that records into an
    /// inbox and answers with `acknowledge`; the webhook is shut down afterwards, also on error.
    static func withWebhook<T: Sendable>(
        _ acknowledge: @escaping @Sendable (InboundNotification) -> NotificationAcknowledgement,
        _ body: (DemoInbox, String) async throws -> T
    ) async throws -> T {
        let inbox = DemoInbox()
        let webhook = try await WebhookReceiver.start { notification in
            await inbox.add(notification)
            return acknowledge(notification)
        }
        do {
            let result = try await body(inbox, webhook.url(path: ""))
            await webhook.shutdown()
            return result
        } catch {
            await webhook.shutdown()
            throw error
        }
    }
}
