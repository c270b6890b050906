import Foundation
import HTTPTypes
import Testing
import WalletBridgeCore
import WalletBridgeCrypto
import WalletBridgeHTTP
import WalletBridgePaytm
import WalletBridgeSandbox
import WalletBridgeTransport

/// The Paytm-style adapter against the sandbox, end to end through `CurlTransport`.
@Suite("Paytm-style end to end")
struct PaytmEndToEndTests {
    @Test func initiateIsPendingWithTheTokenThenTheStatusQuerySaysSucceeded() async throws {
        try await withPaytm { _, adapter, _ in
            let ref = orderID("pay")
            let started = try await adapter.pay(payment(ref, try inr("10.00"), customer: "paytm-pays"))
            let token = try #require(started.status.token)
            #expect(token.count == 64)
            #expect(started.partnerResult?.code == "0000")
            let status = try await adapter.inquire(PaymentQuery(merchantReference: ref, expectedAmount: try inr("10.00")))
            #expect(status.status.isSucceeded)
            #expect(status.amount == (try inr("10.00")))
            #expect(status.walletReference?.hasPrefix("PTM") == true)
            #expect(status.partnerResult == PartnerResult(code: "01", status: "TXN_SUCCESS", message: "Txn Success"))
        }
    }

    @Test func insufficientFundsFailsWithPaytmsCode() async throws {
        try await withPaytm { _, adapter, _ in
            let ref = orderID("low")
            _ = try await adapter.pay(payment(ref, try inr("10.00"), customer: "paytm-low-balance"))
            let status = try await adapter.inquire(PaymentQuery(merchantReference: ref))
            #expect(status.status.failureCategory == .insufficientFunds)
            #expect(status.status.error?.partnerCode == "235")
            #expect(status.status.error?.mayHaveCharged == false)
        }
    }

    @Test func aDeclinedCheckoutFailsAsDeclined() async throws {
        try await withPaytm { _, adapter, _ in
            let ref = orderID("decline")
            _ = try await adapter.pay(payment(ref, try inr("10.00"), customer: "paytm-declines"))
            let status = try await adapter.inquire(PaymentQuery(merchantReference: ref))
            #expect(status.status.failureCategory == .declined)
            #expect(status.status.error?.partnerCode == "227")
        }
    }

    @Test func pendingResolvesOnALaterStatusQuery() async throws {
        try await withPaytm { _, adapter, _ in
            let ref = orderID("slow")
            _ = try await adapter.pay(payment(ref, try inr("25.50"), customer: "paytm-slow"))
            let first = try await adapter.inquire(PaymentQuery(merchantReference: ref))
            let second = try await adapter.inquire(PaymentQuery(merchantReference: ref))
            let third = try await adapter.inquire(PaymentQuery(merchantReference: ref))
            #expect(first.status.isPending && second.status.isPending)
            #expect(first.partnerResult?.code == "402")
            #expect(third.status.isSucceeded)
            #expect(third.amount == (try inr("25.50")))
        }
    }

    @Test(arguments: [
        (SandboxFault.tamperResponseSignature, WalletError.Category.invalidPartnerResponse), (.omitResponseSignature, .invalidPartnerResponse),
        (.resultUnknown, .unknownOutcome), (.httpStatus(503), .unknownOutcome),
    ])
    func aStatusReplyThatCannotBeTrustedIsNeverSuccessThenReconciles(_ fault: SandboxFault, _ category: WalletError.Category) async throws {
        try await withPaytm { sandbox, adapter, _ in
            let amount = try inr("10.00")
            let ref = orderID("fault")
            _ = try await adapter.pay(payment(ref, amount, customer: "paytm-pays"))
            sandbox.injectFault(fault, path: "/v3/order/status")
            let query = PaymentQuery(merchantReference: ref, expectedAmount: amount)
            // No verified reply, or a verified one that says the status is not known: the
            // inquiry itself failed, and says nothing about the payment.
            let error = await #expect(throws: WalletError.self) { _ = try await adapter.inquire(query) }
            #expect(error?.category == category)
            let reconciled = try await adapter.inquire(query)
            #expect(reconciled.status.isSucceeded)

            // Through the client (which pays and so knows the order), the failed inquiry leaves
            // the payment as last known (pending), with the error beside it; the next one settles it.
            let client = fastClient(adapter, retry: .none)
            let second = orderID("fault2")
            #expect(try await client.pay(payment(second, amount, customer: "paytm-pays")).status.token != nil)
            sandbox.injectFault(fault, path: "/v3/order/status")
            let kept = try await client.inquire(PaymentQuery(merchantReference: second))
            #expect(kept.status.isPending)
            #expect(kept.lastError?.category == category)
            #expect(try await client.inquire(PaymentQuery(merchantReference: second)).status.isSucceeded)
        }
    }

    @Test func aTamperedInitiateReplyIsUnknownNotPending() async throws {
        try await withPaytm { sandbox, adapter, _ in
            sandbox.injectFault(.tamperResponseSignature, path: "/theia/api/v1/initiateTransaction")
            let result = try await adapter.pay(payment(orderID("tamper"), try inr("10.00"), customer: "paytm-pays"))
            #expect(result.status.unknownCategory == .invalidPartnerResponse)
        }
    }

    @Test func aTimeoutAfterSendingIsUnknown() async throws {
        try await withPaytm(requestTimeout: .milliseconds(300)) { sandbox, adapter, _ in
            sandbox.injectFault(.delay(.milliseconds(900)), path: "/theia/api/v1/initiateTransaction")
            let result = try await adapter.pay(payment(orderID("timeout"), try inr("10.00"), customer: "paytm-pays"))
            #expect(result.status.unknownCategory == .timeout)
        }
    }

    @Test func anUnknownAmountForTheOrderIsUnknownNotSuccess() async throws {
        try await withPaytm { _, adapter, _ in
            let ref = orderID("amount")
            _ = try await adapter.pay(payment(ref, try inr("10.00"), customer: "paytm-pays"))
            let status = try await adapter.inquire(PaymentQuery(merchantReference: ref, expectedAmount: try inr("11.00")))
            #expect(status.status.unknownCategory == .invalidPartnerResponse)
        }
    }

    @Test func orderIdIsIdempotentAndOtherContentIsRefused() async throws {
        try await withPaytm { _, adapter, _ in
            let ref = orderID("idem")
            let first = try await adapter.pay(payment(ref, try inr("10.00"), customer: "paytm-pays"))
            let replay = try await adapter.pay(payment(ref, try inr("10.00"), customer: "paytm-pays"))
            #expect(first.status.token != nil && first.status.token == replay.status.token)
            let error = await #expect(throws: WalletError.self) {
                _ = try await adapter.pay(payment(ref, try inr("99.00"), customer: "paytm-pays"))
            }
            #expect(error?.category == .inconsistentRequest)
            #expect(error?.partnerCode == "325")
            #expect(error?.mayHaveCharged == true)
        }
    }

    @Test func anUnknownOrderIsUnknownNotFailed() async throws {
        try await withPaytm { _, adapter, _ in
            let status = try await adapter.inquire(PaymentQuery(merchantReference: orderID("nobody")))
            #expect(status.status.unknownCategory == .notFound)
            #expect(status.status.error?.partnerCode == "334")
        }
    }

    @Test func aWrongRequestChecksumGetsPaytmsChecksumErrorSigned() async throws {
        try await withPaytm { sandbox, _, _ in
            let transport = try CurlTransport()
            let key = try PaytmChecksum(merchantKey: SecretBytes(utf8: SandboxCredentials.paytmMerchantKey))
            let body = #"{"mid":"WBSANDBOX00000000001","orderId":"WB-1"}"#
            let wrong = try PaytmChecksum(merchantKey: SecretBytes(utf8: "0123456789abcdef")).generate(for: Array(body.utf8)).checksum
            let envelope = #"{"head":{"signature":""# + wrong + #""},"body":"# + body + "}"
            for (path, code) in [("/v3/order/status", "330"), ("/theia/api/v1/initiateTransaction", "2005")] {
                let response = try await transport.send(
                    TransportRequest(
                        method: .post, url: sandbox.baseURL + path, headerFields: [.contentType: "application/json"], body: Array(envelope.utf8)))
                let reply = try PaytmEnvelope(received: response.body)
                #expect(key.verify(try #require(reply.signature), for: reply.bodyText))
                let text = String(decoding: reply.bodyText, as: UTF8.self)
                #expect(text.contains(#""resultCode":"\#(code)""#))
                #expect(text.contains("Checksum provided is invalid"))
            }
            await transport.shutdown()
        }
    }

    @Test func aWrongMerchantKeyNeverYieldsSuccess() async throws {
        let sandbox = try await WalletSandbox.start()
        let transport = try CurlTransport()
        var profile = try sandbox.clientProfile(wallet: "paytm")
        profile.merchantKey = .string("0123456789abcdef")
        let adapter = PaytmAdapter(configuration: try PaytmConfiguration(profile: profile), transport: transport)
        let result = try await adapter.pay(payment(orderID("wrongkey"), try inr("10.00"), customer: "paytm-pays"))
        #expect(result.status.unknownCategory == .invalidPartnerResponse)
        await transport.shutdown()
        await sandbox.shutdown()
    }
}

@Suite("Paytm-style refunds")
struct PaytmRefundTests {
    @Test func aPartialRefundThenASecondThenAnOverRefundIsRejected() async throws {
        try await withPaytm { _, adapter, _ in
            let ref = orderID("refund")
            _ = try await adapter.pay(payment(ref, try inr("100.00"), customer: "paytm-pays"))
            let paid = try await adapter.inquire(PaymentQuery(merchantReference: ref))
            #expect(paid.status.isSucceeded)

            let first = try await adapter.refund(
                RefundRequest(merchantReference: ref, walletReference: paid.walletReference, refundReference: ref + "-R1", amount: try inr("30.00")))
            #expect(first.status == .pending)
            #expect(first.partnerResult?.code == "601")
            let settled = try await adapter.inquireRefund(RefundQuery(refundReference: ref + "-R1", merchantReference: ref))
            #expect(settled.status == .succeeded)
            #expect(settled.amount == (try inr("30.00")))

            // Without the wallet reference the adapter refuses before sending (one wire call per
            // method); the client finds the txnId by a status query first.
            let unsent = await #expect(throws: WalletError.self) {
                _ = try await adapter.refund(RefundRequest(merchantReference: ref, refundReference: ref + "-R2", amount: try inr("70.00")))
            }
            #expect(unsent?.category == .invalidRequest)
            let second = try await fastClient(adapter).refund(
                RefundRequest(merchantReference: ref, refundReference: ref + "-R2", amount: try inr("70.00")))
            #expect(second.status == .pending)

            let over = try await adapter.refund(
                RefundRequest(merchantReference: ref, walletReference: paid.walletReference, refundReference: ref + "-R3", amount: try inr("0.01")))
            guard case .failed(let error) = over.status else { Issue.record("expected failed, got \(over.status)"); return }
            #expect(error.category == .limitExceeded)
            #expect(error.partnerCode == "619")
        }
    }

    @Test func aRetriedRefIdReturnsTheOriginalAndAReusedOneIsRefused() async throws {
        try await withPaytm { _, adapter, counting in
            let ref = orderID("dupref")
            _ = try await adapter.pay(payment(ref, try inr("50.00"), customer: "paytm-pays"))
            let paid = try await adapter.inquire(PaymentQuery(merchantReference: ref))
            let request = RefundRequest(
                merchantReference: ref, walletReference: paid.walletReference, refundReference: ref + "-R1", amount: try inr("5.00"))
            let client = fastClient(adapter)
            #expect(try await client.refund(request).status == .pending)
            // The adapter makes one call: Paytm's 617 (refId taken) is thrown as a duplicate.
            let taken = await #expect(throws: WalletError.self) { _ = try await adapter.refund(request) }
            #expect(taken?.category == .duplicate)
            #expect(taken?.partnerCode == "617")
            // A retry of the same refund through the client (after a timeout, say): Paytm says
            // 617, the client reads the original refund, and the original stands.
            let retried = try await client.refund(request)
            #expect(retried.status == .succeeded)
            #expect(retried.amount == (try inr("5.00")))
            // The same refId for another amount: the client's journal refuses it without sending...
            var other = request
            other.amount = try inr("6.00")
            let sent = counting.count("/refund/apply")
            let inconsistent = await #expect(throws: WalletError.self) { _ = try await client.refund(other) }
            #expect(inconsistent?.category == .inconsistentRequest)
            #expect(counting.count("/refund/apply") == sent)
            // ...and a client that never saw the original gets Paytm's refusal: the original
            // refund (5.00) is not this one (6.00), so it is not silently merged.
            let error = await #expect(throws: WalletError.self) { _ = try await fastClient(adapter).refund(other) }
            #expect(error?.category == .duplicate)
            #expect(error?.partnerCode == "617")
        }
    }

    @Test func refundsOfAnUnpaidOrderAreRefusedBeforeSending() async throws {
        try await withPaytm { _, adapter, counting in
            let ref = orderID("unpaid")
            _ = try await adapter.pay(payment(ref, try inr("10.00"), customer: "paytm-declines"))
            let error = await #expect(throws: WalletError.self) {
                _ = try await adapter.refund(RefundRequest(merchantReference: ref, refundReference: ref + "-R1", amount: try inr("1.00")))
            }
            #expect(error?.category == .invalidRequest)
            #expect(counting.count("/refund/apply") == 0)
        }
    }
}

@Suite("Paytm sandbox refusals")
struct PaytmSandboxRefusalTests {
    @Test func malformedSignedRequestsGetASignedParameterError() async throws {
        try await withPaytm { sandbox, _, _ in
            let transport = try CurlTransport()
            let key = try PaytmChecksum(merchantKey: SecretBytes(utf8: SandboxCredentials.paytmMerchantKey))
            for (body, code) in [
                (#"{"mid":"WBSANDBOX00000000001"}"#, "1001"), (#"{"mid":"SOMEONEELSE000000001","orderId":"x"}"#, "335"), ("[]", "1001"),
            ] {
                let signature = try key.generate(for: Array(body.utf8)).checksum
                let envelope = #"{"head":{"signature":"\#(signature)"},"body":\#(body)}"#
                let response = try await transport.send(
                    TransportRequest(method: .post, url: sandbox.baseURL + "/v3/order/status", body: Array(envelope.utf8)))
                let reply = try PaytmEnvelope(received: response.body)
                #expect(key.verify(try #require(reply.signature), for: reply.bodyText))
                #expect(String(decoding: reply.bodyText, as: UTF8.self).contains(#""resultCode":"\#(code)""#), "\(body)")
            }
            let garbage = try await transport.send(
                TransportRequest(method: .post, url: sandbox.baseURL + "/v3/order/status", body: Array("not an envelope".utf8)))
            #expect(String(decoding: garbage.body, as: UTF8.self).contains(#""resultCode":"1001""#))
            await transport.shutdown()
        }
    }
}
