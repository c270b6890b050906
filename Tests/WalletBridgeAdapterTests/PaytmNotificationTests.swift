import Foundation
import HTTPTypes
import Logging
import Testing
import WalletBridgeCore
import WalletBridgeCrypto
import WalletBridgePaytm
import WalletBridgeSandbox

/// A webhook receiver that only records what arrives and answers HTTP 200.
func recordingReceiver(_ inbox: Inbox) async throws -> WebhookReceiver {
    try await WebhookReceiver.start { notification in
        await inbox.add(notification)
        return NotificationAcknowledgement(status: 200, headerFields: [:], body: Array("OK".utf8))
    }
}

/// Paytm callbacks: verified, confirmed by a status query, deduplicated.
@Suite("Paytm-style callbacks")
struct PaytmNotificationTests {
    /// Pays `amount` with a callback URL and returns the callback the sandbox posted.
    func callback(
        _ sandbox: WalletSandbox, _ adapter: PaytmAdapter, _ ref: String, _ amount: Money, customer: String = "paytm-pays"
    ) async throws -> InboundNotification {
        let inbox = Inbox()
        let receiver = try await recordingReceiver(inbox)
        _ = try await adapter.pay(payment(ref, amount, customer: customer, notifyURL: receiver.url(path: "/paytm/callback")))
        #expect(await eventually { sandbox.notificationDeliveries.contains { $0.label.hasSuffix(ref) && $0.acknowledged } })
        await receiver.shutdown()
        return try #require(await inbox.received.first)
    }

    @Test func aCallbackIsConfirmedByAStatusQueryBeforeItFulfilsTheOrder() async throws {
        try await withPaytm { sandbox, adapter, counting in
            let ref = orderID("cb")
            let inbound = try await callback(sandbox, adapter, ref, try inr("12.34"))
            #expect(inbound.headerFields[.contentType] == "application/x-www-form-urlencoded")
            #expect(inbound.path == "/paytm/callback")

            let verified = try adapter.verifyNotification(inbound)
            #expect(verified.notification.requiresConfirmation)
            #expect(verified.notification.payment.status.isSucceeded)
            #expect(verified.acknowledgement.status == 200)

            let client = WalletClient(adapter: adapter)
            let store = InMemoryNotificationDeduplicator()
            let before = counting.count("/v3/order/status")
            let received = try await client.receiveNotification(inbound, deduplicator: store, expectedAmount: { _ in try? inr("12.34") })
            #expect(counting.count("/v3/order/status") == before + 1)
            #expect(received.disposition == .apply)
            #expect(received.fulfilsOrder)
            #expect(received.notification.payment.amount == (try inr("12.34")))
            #expect(received.notification.payment.partnerResult?.code == "01")
        }
    }

    @Test func receivingLogsOneCorrelationIDAndNoChecksumOrToken() async throws {
        try await withPaytm { sandbox, adapter, _ in
            let ref = orderID("log")
            let inbound = try await callback(sandbox, adapter, ref, try inr("10.00"))
            let checksum = try #require(try PaytmForm.decode(inbound.body)["CHECKSUMHASH"])
            let capture = LogCapture()
            let client = WalletClient(adapter: adapter, logger: Logger(label: "test", factory: { _ in capture }))
            let received = try await client.receiveNotification(inbound, deduplicator: InMemoryNotificationDeduplicator())
            #expect(received.disposition == .apply)
            let lines = capture.lines
            #expect(lines.count >= 3)
            let ids = Set(lines.compactMap { line in line.split(separator: " ").first { $0.hasPrefix("correlationID=") } })
            #expect(ids.count == 1, "verification, status query and confirmation share one correlation id: \(ids)")
            #expect(!lines.joined().contains(checksum))
            #expect(lines.joined().contains(ref))
        }
    }

    @Test func aDuplicateCallbackIsRecognisedAndNotAppliedTwice() async throws {
        try await withPaytm { sandbox, adapter, counting in
            let ref = orderID("dup")
            let inbound = try await callback(sandbox, adapter, ref, try inr("10.00"))
            let client = WalletClient(adapter: adapter)
            let store = InMemoryNotificationDeduplicator()
            let first = try await client.receiveNotification(inbound, deduplicator: store)
            let queries = counting.count("/v3/order/status")
            let second = try await client.receiveNotification(inbound, deduplicator: store)
            #expect(first.disposition == .apply)
            #expect(second.disposition == .duplicate)
            #expect(!second.fulfilsOrder)
            #expect(second.acknowledgement.status == 200)
            #expect(counting.count("/v3/order/status") == queries)
            #expect(first.notification.deduplicationKey == "paytm|\(ref)|\(first.notification.payment.walletReference ?? "")|TXN_SUCCESS")
        }
    }

    @Test func aCallbackTheStatusQueryCannotConfirmIsNotAppliedAndIsRetriedLater() async throws {
        try await withPaytm { sandbox, adapter, _ in
            let ref = orderID("unconf")
            let inbound = try await callback(sandbox, adapter, ref, try inr("10.00"))
            // No resend of the status query within the call: the one untrusted reply decides this receipt.
            let client = fastClient(adapter, retry: .none)
            let store = InMemoryNotificationDeduplicator()
            sandbox.injectFault(.tamperResponseSignature, path: "/v3/order/status")
            let doubtful = try await client.receiveNotification(inbound, deduplicator: store)
            guard case .unconfirmed(let reason) = doubtful.disposition else {
                Issue.record("expected unconfirmed, got \(doubtful.disposition)"); return
            }
            #expect(reason.category == .invalidPartnerResponse)
            #expect(!doubtful.fulfilsOrder)
            // The claim was given back: the redelivery is confirmed and applied.
            let redelivered = try await client.receiveNotification(inbound, deduplicator: store)
            #expect(redelivered.disposition == .apply)
            #expect(redelivered.fulfilsOrder)
        }
    }

    @Test func aCallbackForAnotherAmountThanTheOrderIsNotConfirmed() async throws {
        try await withPaytm { sandbox, adapter, _ in
            let ref = orderID("amt")
            let inbound = try await callback(sandbox, adapter, ref, try inr("10.00"))
            let client = WalletClient(adapter: adapter)
            let received = try await client.receiveNotification(
                inbound, deduplicator: InMemoryNotificationDeduplicator(), expectedAmount: { _ in try? inr("100.00") })
            guard case .unconfirmed = received.disposition else { Issue.record("expected unconfirmed, got \(received.disposition)"); return }
            #expect(!received.fulfilsOrder)
        }
    }

    @Test func aFailedPaymentsCallbackIsConfirmedAsFailed() async throws {
        try await withPaytm { sandbox, adapter, _ in
            let ref = orderID("cbfail")
            let inbound = try await callback(sandbox, adapter, ref, try inr("10.00"), customer: "paytm-low-balance")
            let received = try await WalletClient(adapter: adapter).receiveNotification(inbound, deduplicator: InMemoryNotificationDeduplicator())
            #expect(received.disposition == .apply)
            #expect(received.notification.payment.status.failureCategory == .insufficientFunds)
            #expect(!received.fulfilsOrder)
        }
    }

    @Test(arguments: ["TXNAMOUNT", "STATUS", "ORDERID", "CHECKSUMHASH"])
    func aTamperedCallbackIsRejected(_ field: String) async throws {
        try await withPaytm { sandbox, adapter, _ in
            let inbound = try await callback(sandbox, adapter, orderID("tamper"), try inr("10.00"))
            var fields = try PaytmForm.decode(inbound.body)
            switch field {
            case "TXNAMOUNT": fields[field] = "1000.00"
            case "STATUS": fields[field] = "TXN_SUCCESS" == fields[field] ? "PENDING" : "TXN_SUCCESS"
            case "CHECKSUMHASH": fields[field] = nil
            default: fields[field] = "WB-someone-else"
            }
            var tampered = inbound
            tampered.body = PaytmForm.encode(fields)
            let error = #expect(throws: WalletError.self) { _ = try adapter.verifyNotification(tampered) }
            #expect(error?.category == .authenticationFailed)
            let client = WalletClient(adapter: adapter)
            await #expect(throws: WalletError.self) {
                _ = try await client.receiveNotification(tampered, deduplicator: InMemoryNotificationDeduplicator())
            }
        }
    }

    @Test func jsonWebhooksAreVerifiedOverTheBodyAsReceived() async throws {
        try await withPaytm { sandbox, adapter, _ in
            let ref = orderID("json")
            _ = try await adapter.pay(payment(ref, try inr("40.00"), customer: "paytm-pays"))
            let paid = try await adapter.inquire(PaymentQuery(merchantReference: ref))
            let refund = try await adapter.refund(
                RefundRequest(merchantReference: ref, walletReference: paid.walletReference, refundReference: ref + "-R1", amount: try inr("15.00")))
            let key = try PaytmChecksum(merchantKey: SecretBytes(utf8: SandboxCredentials.paytmMerchantKey))
            // Spaces and key order as a server might send them: verified over these exact bytes.
            let body =
                #"{ "mid":"WBSANDBOX00000000001", "orderId":"\#(ref)", "txnId":"\#(paid.walletReference ?? "")", "refId":"\#(ref)-R1", "refundId":"\#(refund.walletRefundReference ?? "")", "refundAmount":"15.00", "status":"TXN_SUCCESS" }"#
            let signature = try key.generate(for: Array(body.utf8)).checksum
            let webhook = #"{"head":{"signature":"\#(signature)","version":"v1"},"body":\#(body)}"#
            let inbound = InboundNotification(path: "/paytm/refunds", headerFields: [.contentType: "application/json"], body: Array(webhook.utf8))
            let verified = try adapter.verifyNotification(inbound)
            #expect(verified.notification.kind == .refundResult)
            #expect(verified.notification.refund?.amount == (try inr("15.00")))

            let received = try await WalletClient(adapter: adapter).receiveNotification(inbound, deduplicator: InMemoryNotificationDeduplicator())
            #expect(received.disposition == .apply)
            #expect(received.notification.refund?.status == .succeeded)
            #expect(received.notification.refund?.partnerResult?.code == "10")
            #expect(!received.fulfilsOrder)

            let reformatted = #"{"head":{"signature":"\#(signature)","version":"v1"},"body":\#(body.replacingOccurrences(of: ", ", with: ","))}"#
            let error = #expect(throws: WalletError.self) {
                _ = try adapter.verifyNotification(
                    InboundNotification(path: "/paytm/refunds", headerFields: [.contentType: "application/json"], body: Array(reformatted.utf8)))
            }
            #expect(error?.category == .authenticationFailed)
            _ = sandbox
        }
    }
}
