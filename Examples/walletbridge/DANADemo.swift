import Foundation
import WalletBridgeCore
import WalletBridgeHTTP
import WalletBridgeSandbox
import WalletBridgeSNAP

/// The DANA-style part of `walletbridge demo`: a direct debit in RSA mode resolved by query, its
/// signed finish notification, a refund and a cancel, then token mode: one B2B token shared by
/// 20 concurrent payments, renewed once after the sandbox expires it.
enum DANADemo {
    /// Runs the story; true when every step behaved as expected.
    static func run(sandbox: WalletSandbox, transport: any HTTPTransport, trace: Bool) async throws -> Bool {
        let wire: any HTTPTransport = trace ? TranscriptTransport(base: transport, write: { print($0) }) : transport
        let adapter = SNAPAdapter(configuration: try SNAPConfiguration(profile: try sandbox.clientProfile(wallet: "dana")), transport: wire)
        // The story shows each first answer, so this client does not settle inline (a production
        // client settles an open payment by the wallet's rule before returning).
        let client = WalletClient(adapter: adapter, configuration: WalletClient.Configuration(settleWithin: .zero))
        return try await DemoInbox.withWebhook({ notification in
            do throws(WalletError) {
                return try client.verifyNotification(notification).acknowledgement
            } catch {
                return NotificationAcknowledgement(status: 401, headerFields: [:], body: [])
            }
        }) { inbox, url in
            try await story(sandbox: sandbox, client: client, transport: transport, inbox: inbox, notifyURL: url + "/v1.0/debit/notify")
        }
    }

    private static func story(
        sandbox: WalletSandbox, client: WalletClient, transport: any HTTPTransport, inbox: DemoInbox, notifyURL: String
    ) async throws -> Bool {
        print(
            "DANA-style wallet on the same sandbox (Bank Indonesia's SNAP standard, partner \(SandboxCredentials.danaPartnerID)): every request is signed, and every answer's signature is checked\n"
        )
        let reference = "WB-DEMO-DANA-\(UUID().uuidString.prefix(8))"
        let amount = try Money(parsing: "10000", currency: .idr)
        print("12. direct debit of \(amount) from customer dana-pays (partnerReferenceNo \(reference))")
        let created = try await client.pay(
            PaymentRequest(
                merchantReference: reference, amount: amount, customer: CustomerCredential("dana-pays"),
                orderDescription: "Kopi susu", notifyURL: notifyURL))
        print("   → \(created.status.name) (\(created.partnerResult?.code ?? "-")): the order exists; the query says how the debit went")
        let queried = try await client.inquire(
            PaymentQuery(merchantReference: reference, walletReference: created.walletReference, expectedAmount: amount))
        print(
            "   → query: \(queried.status.name) (\(queried.partnerResult?.code ?? "-"), latestTransactionStatus \(queried.partnerResult?.status ?? "-"))\n"
        )

        print("13. DANA sends the finish notify (service 56), signed with its key")
        let deadline = ContinuousClock.now + .seconds(5)
        while await inbox.received.isEmpty, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        var notified = false
        if let inbound = await inbox.received.first {
            let received = try await client.receiveNotification(inbound, deduplicator: InMemoryNotificationDeduplicator())
            notified = received.fulfilsOrder
            print(
                "   → X-SIGNATURE verified: \(received.notification.payment.status.name) \(received.notification.payment.amount.map(\.description) ?? "-"); acknowledged with 2005600\n"
            )
        } else {
            print("   → no notification within 5 s\n")
        }

        print("14. refund \(try Money(parsing: "4000", currency: .idr)); cancel a payment still in progress (dana-slow)")
        let refund = try await client.refund(
            RefundRequest(merchantReference: reference, refundReference: reference + "-R1", amount: try Money(parsing: "4000", currency: .idr)))
        print("   → refund \(refund.status.name) (\(refund.partnerResult?.code ?? "-"))")
        let slow = reference + "-S"
        _ = try await client.pay(
            PaymentRequest(merchantReference: slow, amount: amount, customer: CustomerCredential("dana-slow"), orderDescription: "Kopi susu"))
        let cancelled = try await client.cancel(PaymentQuery(merchantReference: slow))
        print("   → cancel \(cancelled.status.name) (\(cancelled.partnerResult?.code ?? "-"))\n")

        print("15. token mode (other SNAP providers): B2B token plus HMAC-SHA512; 20 payments at once, then the token expires early")
        let tokenAdapter = SNAPAdapter(
            configuration: try SNAPConfiguration(profile: try sandbox.clientProfile(wallet: "dana", snapMode: "token")), transport: transport)
        let tokenClient = WalletClient(adapter: tokenAdapter, configuration: WalletClient.Configuration(settleWithin: .zero))
        let before = try await payConcurrently(tokenClient, count: 20, prefix: reference + "-T", amount: amount)
        sandbox.expireSNAPTokens()
        let after = try await payConcurrently(tokenClient, count: 20, prefix: reference + "-U", amount: amount)
        let requests = await tokenAdapter.accessTokenRequests
        print("   → \(before) + \(after) of 40 orders created; access-token requests: \(requests) (one, then one renewal shared by all 20)\n")

        return created.status.name == "pending" && queried.status == .succeeded && notified && refund.status == .succeeded
            && cancelled.status == .cancelled && before == 20 && after == 20 && requests == 2
    }

    private static func payConcurrently(_ client: WalletClient, count: Int, prefix: String, amount: Money) async throws -> Int {
        try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<count {
                group.addTask {
                    let result = try await client.pay(
                        PaymentRequest(
                            merchantReference: "\(prefix)\(index)", amount: amount, customer: CustomerCredential("dana-pays"),
                            orderDescription: "Kopi susu"))
                    return result.partnerResult?.code == "2005400"
                }
            }
            var created = 0
            for try await ok in group where ok { created += 1 }
            return created
        }
    }
}
