import Foundation
import HTTPTypes
import Testing
import WalletBridgeCore
import WalletBridgeHTTP
import WalletBridgeSandbox
import WalletBridgeSNAP
import WalletBridgeTransport

/// The DANA-style SNAP adapter against the sandbox, end to end through `CurlTransport`.
@Suite("DANA-style SNAP end to end")
struct DANAEndToEndTests {
    @Test(arguments: ["rsa", "token"])
    func payThenQueryEndToEnd(_ mode: String) async throws {
        try await withDANA(mode: mode) { _, adapter in
            let ref = reference("dana-\(mode)")
            let created = try await adapter.pay(payment(ref, try idr("10000"), customer: "dana-pays"))
            #expect(created.status.isPending)
            #expect(created.partnerResult?.code == "2005400")
            let queried = try await adapter.inquire(
                PaymentQuery(merchantReference: ref, walletReference: created.walletReference, expectedAmount: try idr("10000")))
            #expect(queried.status.isSucceeded)
            #expect(queried.amount == (try idr("10000.00")))
            #expect(queried.partnerResult == PartnerResult(code: "2005500", status: "00", message: "SUCCESS"))
            #expect(queried.walletReference == created.walletReference)
        }
    }

    @Test func tokenModeReusesOneTokenAcrossCalls() async throws {
        try await withDANA(mode: "token") { sandbox, adapter in
            let ref = reference("dana-token")
            _ = try await adapter.pay(payment(ref, try idr("20000"), customer: "dana-pays"))
            _ = try await adapter.inquire(PaymentQuery(merchantReference: ref))
            _ = try await adapter.refund(RefundRequest(merchantReference: ref, refundReference: ref + "-R1", amount: try idr("5000")))
            _ = try await adapter.inquire(PaymentQuery(merchantReference: ref))
            #expect(await adapter.accessTokenRequests == 1)
            #expect(sandbox.snapTokensIssued == 1)
        }
    }

    @Test func anExpiredTokenIsRenewedExactlyOnceFor50ConcurrentPayments() async throws {
        try await withDANA(mode: "token") { sandbox, adapter in
            _ = try await adapter.inquire(PaymentQuery(merchantReference: reference("warm")))
            #expect(sandbox.snapTokensIssued == 1)
            sandbox.expireSNAPTokens()
            let results = try await withThrowingTaskGroup(of: PaymentResult.self) { group in
                for index in 0..<50 {
                    group.addTask { try await adapter.pay(payment(reference("c\(index)"), try idr("1000"), customer: "dana-pays")) }
                }
                var all: [PaymentResult] = []
                for try await result in group { all.append(result) }
                return all
            }
            #expect(results.count == 50)
            #expect(results.allSatisfy { $0.partnerResult?.code == "2005400" })
            #expect(sandbox.snapTokensIssued == 2)
            #expect(await adapter.accessTokenRequests == 2)
        }
    }

    @Test func aTamperedRequestSignatureIsRejectedWithASignedReply() async throws {
        try await withDANA { sandbox, _ in
            let body = danaPaymentBody(reference("tamper"), "10000.00")
            let reply = try await rawSNAP(
                sandbox, path: SNAPConfiguration.Paths().payment, body: body, externalID: UUID().uuidString,
                customer: "dana-pays", signature: String(repeating: "A", count: 344))
            #expect(reply.status == 401)
            #expect(reply.code == "4015400")
            #expect(reply.body.contains("Invalid Signature"))
        }
        // A merchant holding the wrong private key: refused, not processed, nothing to reconcile.
        try await withDANA(adjust: { $0.merchantKey = .string(SandboxCredentials.platformPrivateKeyPEM) }) { _, adapter in
            let result = try await adapter.pay(payment(reference("wrongkey"), try idr("10000"), customer: "dana-pays"))
            #expect(result.status.failureCategory == .authenticationFailed)
            #expect(result.status.error?.partnerCode == "4015400")
            #expect(result.status.error?.mayHaveCharged == false)
        }
    }

    @Test(arguments: [SandboxFault.tamperResponseSignature, .omitResponseSignature, .resultUnknown, .httpStatus(504)])
    func aReplyThatCannotBeTrustedIsUnknownThenReconciled(_ fault: SandboxFault) async throws {
        try await withDANA { sandbox, adapter in
            let ref = reference("fault")
            sandbox.injectFault(fault, path: SNAPConfiguration.Paths().payment)
            let doubtful = try await adapter.pay(payment(ref, try idr("10000"), customer: "dana-pays"))
            #expect(doubtful.status.name == "unknown")
            #expect(doubtful.status.error?.mayHaveCharged == true)
            let reconciled = try await adapter.inquire(PaymentQuery(merchantReference: ref, expectedAmount: try idr("10000")))
            if case .httpStatus = fault {
                // That fault answers before processing: the query finds nothing, still not a failure.
                #expect(reconciled.status.unknownCategory == .notFound)
            } else {
                #expect(reconciled.status.isSucceeded)
            }
        }
    }

    @Test func withoutResponsesSignedAnUnsignedReplyIsAcceptedButATamperedOneNever() async throws {
        try await withDANA(adjust: { $0.settings["responsesSigned"] = "false" }) { sandbox, adapter in
            sandbox.injectFault(.omitResponseSignature, path: SNAPConfiguration.Paths().payment)
            let unsigned = try await adapter.pay(payment(reference("unsigned"), try idr("10000"), customer: "dana-pays"))
            #expect(unsigned.status.isPending)
            sandbox.injectFault(.tamperResponseSignature, path: SNAPConfiguration.Paths().payment)
            let tampered = try await adapter.pay(payment(reference("tampered"), try idr("10000"), customer: "dana-pays"))
            #expect(tampered.status.unknownCategory == .invalidPartnerResponse)
        }
    }

    @Test func insufficientFundsAndDeclinesFailWithTheirCodes() async throws {
        try await withDANA { _, adapter in
            let poor = try await adapter.pay(payment(reference("poor"), try idr("10000"), customer: "dana-low-balance"))
            #expect(poor.status.failureCategory == .insufficientFunds)
            #expect(poor.status.error?.partnerCode == "4035414")
            let declined = try await adapter.pay(payment(reference("declined"), try idr("10000"), customer: "dana-declines"))
            #expect(declined.status.failureCategory == .declined)
            #expect(declined.status.error?.partnerCode == "4035405")
            let queried = try await adapter.inquire(PaymentQuery(merchantReference: poor.merchantReference))
            #expect(queried.status.failureCategory == .declined)
            #expect(queried.partnerResult?.status == "06")
        }
    }

    @Test func anInProgressPaymentIsResolvedByQuery() async throws {
        try await withDANA { _, adapter in
            let ref = reference("slow")
            let created = try await adapter.pay(payment(ref, try idr("15000"), customer: "dana-slow"))
            #expect(created.status.isPending)
            #expect(created.partnerResult?.code == "2025400")
            let first = try await adapter.inquire(PaymentQuery(merchantReference: ref))
            let second = try await adapter.inquire(PaymentQuery(merchantReference: ref))
            let third = try await adapter.inquire(PaymentQuery(merchantReference: ref))
            #expect(first.status.isPending && second.status.isPending)
            #expect(first.partnerResult?.status == "02")
            #expect(third.status.isSucceeded)
        }
    }

    @Test func anUnknownPaymentIsUnknownNotFailed() async throws {
        try await withDANA { _, adapter in
            let result = try await adapter.inquire(PaymentQuery(merchantReference: reference("nobody")))
            #expect(result.status.unknownCategory == .notFound)
            #expect(result.status.error?.partnerCode == "4045501")
        }
    }
}

/// The standard's idempotency rule, row by row.
@Suite("DANA-style SNAP idempotency")
struct DANAIdempotencyTests {
    @Test func aReusedExternalIDOnTheSameDayIsAConflict() async throws {
        try await withDANA { sandbox, adapter in
            let externalID = UUID().uuidString
            let path = SNAPConfiguration.Paths().payment
            let ref = reference("ext")
            let first = try await rawSNAP(sandbox, path: path, body: danaPaymentBody(ref, "10000.00"), externalID: externalID, customer: "dana-pays")
            #expect(first.code == "2005400")
            let again = try await rawSNAP(
                sandbox, path: path, body: danaPaymentBody(reference("ext2"), "10000.00"), externalID: externalID, customer: "dana-pays")
            #expect(again.status == 409)
            #expect(again.code == "4095400")
            // The conflicting message created nothing.
            let other = try await adapter.inquire(PaymentQuery(merchantReference: "never"))
            #expect(other.status.unknownCategory == .notFound)
        }
    }

    @Test func aNewExternalIDWithTheSameReferenceAndBodyGetsTheOriginalResult() async throws {
        try await withDANA { _, adapter in
            let ref = reference("replay")
            let first = try await adapter.pay(payment(ref, try idr("10000"), customer: "dana-pays"))
            let replay = try await adapter.pay(payment(ref, try idr("10000"), customer: "dana-pays"))
            #expect(first.walletReference != nil)
            #expect(replay.walletReference == first.walletReference)
            #expect(replay.partnerResult?.code == "2005400")
            let poor = reference("replay-poor")
            let refused = try await adapter.pay(payment(poor, try idr("10000"), customer: "dana-low-balance"))
            let refusedAgain = try await adapter.pay(payment(poor, try idr("10000"), customer: "dana-low-balance"))
            #expect(refused.status.error?.partnerCode == "4035414" && refusedAgain.status.error?.partnerCode == "4035414")
        }
    }

    @Test func theSameReferenceWithAnotherBodyIsInconsistent() async throws {
        try await withDANA { _, adapter in
            let ref = reference("inconsistent")
            _ = try await adapter.pay(payment(ref, try idr("10000"), customer: "dana-pays"))
            let error = await #expect(throws: WalletError.self) { _ = try await adapter.pay(payment(ref, try idr("20000"), customer: "dana-pays")) }
            #expect(error?.category == .inconsistentRequest)
            #expect(error?.partnerCode == "4045418")
            #expect(error?.mayHaveCharged == true)
            let original = try await adapter.inquire(PaymentQuery(merchantReference: ref, expectedAmount: try idr("10000")))
            #expect(original.status.isSucceeded)
        }
    }

    @Test func aNewReferenceIsANewPayment() async throws {
        try await withDANA { _, adapter in
            let first = try await adapter.pay(payment(reference("new1"), try idr("10000"), customer: "dana-pays"))
            let second = try await adapter.pay(payment(reference("new2"), try idr("10000"), customer: "dana-pays"))
            #expect(first.walletReference != nil && second.walletReference != nil && first.walletReference != second.walletReference)
        }
    }

    @Test func tokensThatAreMalformedForeignOrExpiredAreRefused() async throws {
        try await withDANA(mode: "token") { sandbox, adapter in
            let path = SNAPConfiguration.Paths().status
            let body = #"{"merchantId":"\#(SandboxCredentials.danaMerchantID)","originalPartnerReferenceNo":"x","serviceCode":"54"}"#
            let foreign = try await rawSNAP(
                sandbox, path: path, body: body, externalID: UUID().uuidString, authorization: "Bearer notIssuedByThisSandbox")
            #expect(foreign.code == "4015503")
            let malformed = try await rawSNAP(sandbox, path: path, body: body, externalID: UUID().uuidString, authorization: "Basic abc")
            #expect(malformed.code == "4015501")
            _ = try await adapter.inquire(PaymentQuery(merchantReference: "warm"))
            sandbox.expireSNAPTokens()
            // The adapter renews once and succeeds; the old token stays refused.
            let after = try await adapter.inquire(PaymentQuery(merchantReference: "warm"))
            #expect(after.status.unknownCategory == .notFound)
            #expect(sandbox.snapTokensIssued == 2)
        }
    }
}

@Suite("DANA-style SNAP refunds and cancels")
struct DANARefundCancelTests {
    @Test func partialRefundsThenAnOverRefundThenReplays() async throws {
        try await withDANA { _, adapter in
            let ref = reference("refund")
            _ = try await adapter.pay(payment(ref, try idr("100000"), customer: "dana-pays"))
            let first = try await adapter.refund(RefundRequest(merchantReference: ref, refundReference: ref + "-R1", amount: try idr("30000")))
            #expect(first.status == .succeeded)
            #expect(first.partnerResult?.code == "2005800")
            let replay = try await adapter.refund(RefundRequest(merchantReference: ref, refundReference: ref + "-R1", amount: try idr("30000")))
            #expect(replay.walletRefundReference == first.walletRefundReference)
            let second = try await adapter.refund(RefundRequest(merchantReference: ref, refundReference: ref + "-R2", amount: try idr("70000")))
            #expect(second.status == .succeeded)
            let over = try await adapter.refund(RefundRequest(merchantReference: ref, refundReference: ref + "-R3", amount: try idr("1")))
            #expect(over.status.error?.category == .limitExceeded)
            #expect(over.status.error?.partnerCode == "4035802")
            let error = await #expect(throws: WalletError.self) {
                _ = try await adapter.refund(RefundRequest(merchantReference: ref, refundReference: ref + "-R1", amount: try idr("1000")))
            }
            #expect(error?.partnerCode == "4045818")
            let refunded = try await adapter.inquire(PaymentQuery(merchantReference: ref))
            #expect(refunded.partnerResult?.status == "04")
        }
    }

    @Test func cancelStopsAPendingPaymentAndAPaidOneReportsItsRealState() async throws {
        try await withDANA { _, adapter in
            let amount = try idr("10000")
            // The adapter alone: the cancel reply names no amount, so it is not bound (unknown);
            // the query proves the cancellation.
            let slow = reference("cancel")
            _ = try await adapter.pay(payment(slow, amount, customer: "dana-slow"))
            let unconfirmed = try await adapter.cancel(PaymentQuery(merchantReference: slow, expectedAmount: amount))
            #expect(unconfirmed.status.unknownCategory == .invalidPartnerResponse)
            #expect(unconfirmed.partnerResult?.code == "2005700")
            #expect(try await adapter.inquire(PaymentQuery(merchantReference: slow, expectedAmount: amount)).status.isCancelled)

            // Through the client the cancel is confirmed by that query.
            let client = fastClient(adapter, settleWithin: .zero)
            let slow2 = reference("cancel2")
            #expect(try await client.pay(payment(slow2, amount, customer: "dana-slow")).status.isPending)
            let cancelled = try await client.cancel(PaymentQuery(merchantReference: slow2))
            #expect(cancelled.status.isCancelled)

            // A paid order: the wallet refuses the cancel (thrown by the adapter); the client
            // reports the payment's real state with the refusal beside it.
            let paid = reference("cancel-paid")
            _ = try await client.pay(payment(paid, amount, customer: "dana-pays"))
            let refusal = await #expect(throws: WalletError.self) { _ = try await adapter.cancel(PaymentQuery(merchantReference: paid)) }
            #expect(refusal?.partnerCode == "4035715")
            #expect(refusal?.mayHaveCharged == false)
            let refused = try await client.cancel(PaymentQuery(merchantReference: paid))
            #expect(refused.status.isSucceeded)
            #expect(refused.lastError?.partnerCode == "4035715")
        }
    }
}

@Suite("DANA-style sandbox refusals")
struct DANASandboxRefusalTests {
    @Test func missingHeadersMalformedTimestampsAndBodiesAreRefused() async throws {
        try await withDANA { sandbox, _ in
            let transport = try CurlTransport()
            let path = SNAPConfiguration.Paths().status
            let bare = try await transport.send(TransportRequest(method: .post, url: sandbox.baseURL + path, body: Array("{}".utf8)))
            #expect(String(decoding: bare.body, as: UTF8.self).contains(#""responseCode":"4005502""#))
            #expect(bare.status == 400)
            let badTime = try await transport.send(
                TransportRequest(
                    method: .post, url: sandbox.baseURL + path,
                    headerFields: [.xTimestamp: "yesterday", .xSignature: "x"], body: Array("{}".utf8)))
            #expect(String(decoding: badTime.body, as: UTF8.self).contains(#""responseCode":"4005501""#))
            await transport.shutdown()
            // Signed but not the expected body: a parameter error, not a crash or a success.
            let malformed = try await rawSNAP(sandbox, path: path, body: #"{"merchantId":1}"#, externalID: UUID().uuidString)
            #expect(malformed.code == "4005502")
            let foreignMerchant = try await rawSNAP(
                sandbox, path: path, body: #"{"merchantId":"OTHER","serviceCode":"54"}"#, externalID: UUID().uuidString)
            #expect(foreignMerchant.code == "4045508")
        }
    }

    @Test func aTimeoutAfterSendingIsUnknownThenReconciled() async throws {
        try await withDANA(adjust: { $0.requestTimeout = .milliseconds(300) }) { sandbox, adapter in
            let ref = reference("dana-timeout")
            sandbox.injectFault(.delay(.milliseconds(900)), path: SNAPConfiguration.Paths().payment)
            let result = try await adapter.pay(payment(ref, try idr("10000"), customer: "dana-pays"))
            #expect(result.status.unknownCategory == .timeout)
            // The wallet committed; an inquiry settles it. The 300 ms deadline is tight on a
            // loaded machine, and a failed inquiry says nothing: ask again, a few times.
            var settled = false
            for _ in 0..<20 where !settled {
                try await Task.sleep(for: .milliseconds(200))
                settled = (try? await adapter.inquire(PaymentQuery(merchantReference: ref)))?.status.isSucceeded ?? false
            }
            #expect(settled)
        }
    }
}
