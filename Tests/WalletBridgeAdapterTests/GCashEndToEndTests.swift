import Foundation
import Testing
import WalletBridgeAlipayPlus
import WalletBridgeCore
import WalletBridgeSandbox
import WalletBridgeTransport

/// The GCash-style adapter end to end: `CurlTransport` to the sandbox on loopback.
@Suite("GCash-style adapter against the sandbox")
struct GCashEndToEndTests {
    @Test func paySucceedsWithVerifiedResponse() async throws {
        try await withGCash { _, adapter in
            let ref = reference("pay")
            let result = try await adapter.pay(payment(ref, try php("10.00"), customer: "gcash-pays"))
            #expect(result.status.isSucceeded)
            #expect(result.merchantReference == ref)
            #expect(result.walletReference?.hasPrefix("GC") == true)
            #expect(result.amount == (try php("10.00")))
            #expect(result.customerAmount == nil && result.quote == nil)
            #expect(result.partnerResult?.code == "SUCCESS")
        }
    }

    @Test func insufficientFundsMapsToItsCategory() async throws {
        try await withGCash { _, adapter in
            let result = try await adapter.pay(payment(reference("poor"), try php("10.00"), customer: "gcash-low-balance"))
            #expect(result.status.failureCategory == .insufficientFunds)
            #expect(result.status.error?.partnerCode == "USER_BALANCE_NOT_ENOUGH")
            #expect(result.status.error?.mayHaveCharged == false)
            // Below the balance the same customer pays.
            let small = try await adapter.pay(payment(reference("poor-ok"), try php("4.00"), customer: "gcash-low-balance"))
            #expect(small.status.isSucceeded)
        }
    }

    @Test func declineIsAFailureNotAnUnknown() async throws {
        try await withGCash { _, adapter in
            let result = try await adapter.pay(payment(reference("decline"), try php("10.00"), customer: "gcash-declines"))
            #expect(result.status.failureCategory == .declined)
            #expect(result.status.error?.partnerCode == "USER_PAYMENT_VERIFICATION_FAILED")
        }
    }

    @Test func inProcessIsPendingUntilInquiryResolvesIt() async throws {
        try await withGCash { _, adapter in
            let ref = reference("slow")
            let amount = try php("25.50")
            let first = try await adapter.pay(payment(ref, amount, customer: "gcash-slow"))
            #expect(first.status.isPending)
            #expect(first.partnerResult?.code == "PAYMENT_IN_PROCESS")
            let query = PaymentQuery(merchantReference: ref, expectedAmount: amount)
            #expect(try await adapter.inquire(query).status.isPending)
            #expect(try await adapter.inquire(query).status.isPending)
            let final = try await adapter.inquire(query)
            #expect(final.status.isSucceeded)
            #expect(final.walletReference == first.walletReference)
        }
    }

    @Test func aCustomerWhoMustConfirmGetsADeeplinkNextAction() async throws {
        try await withGCash { _, adapter in
            let ref = reference("confirm")
            let first = try await adapter.pay(payment(ref, try php("15.00"), customer: "gcash-confirm"))
            guard case .pending(let action?) = first.status else {
                Issue.record("expected pending with a next action, got \(first.status)")
                return
            }
            #expect(action.kind == "deeplink")
            #expect(action.value.hasPrefix("gcash://") && action.value.contains(first.walletReference ?? "?"))
            #expect(try await adapter.inquire(PaymentQuery(merchantReference: ref)).status.isSucceeded)
        }
    }

    @Test func otherUResultsAreUnknownAndReconciledByInquiry() async throws {
        try await withGCash { sandbox, adapter in
            let paths = AlipayPlusConfiguration.Paths()
            sandbox.injectFault(.resultUnknown, path: paths.pay)
            let ref = reference("u")
            let amount = try php("12.00")
            let result = try await adapter.pay(payment(ref, amount, customer: "gcash-pays"))
            #expect(result.status.unknownCategory == .unknownOutcome)
            #expect(result.status.error?.partnerCode == "UNKNOWN_EXCEPTION")
            #expect(result.status.error?.mayHaveCharged == true)
            // The sandbox did charge: the inquiry finds the payment succeeded.
            let reconciled = try await adapter.inquire(PaymentQuery(merchantReference: ref, expectedAmount: amount))
            #expect(reconciled.status.isSucceeded)
        }
    }

    @Test(arguments: [SandboxFault.tamperResponseSignature, .omitResponseSignature])
    func badResponseSignatureIsUnknownNeverSuccess(fault: SandboxFault) async throws {
        try await withGCash { sandbox, adapter in
            sandbox.injectFault(fault, path: AlipayPlusConfiguration.Paths().pay)
            let ref = reference("sig")
            let result = try await adapter.pay(payment(ref, try php("10.00"), customer: "gcash-pays"))
            #expect(result.status.unknownCategory == .invalidPartnerResponse)
            #expect(result.walletReference == nil, "nothing from an unverified reply is trusted")
            let reconciled = try await adapter.inquire(PaymentQuery(merchantReference: ref))
            #expect(reconciled.status.isSucceeded)
        }
    }

    @Test func serverErrorAndTimeoutAreUnknown() async throws {
        try await withGCash { sandbox, adapter in
            let pay = AlipayPlusConfiguration.Paths().pay
            sandbox.injectFault(.httpStatus(503), path: pay)
            let crashed = try await adapter.pay(payment(reference("503"), try php("10.00"), customer: "gcash-pays"))
            #expect(crashed.status.unknownCategory == .unknownOutcome)

            sandbox.injectFault(.delay(.milliseconds(1500)), path: pay)
            let ref = reference("slowreply")
            var impatient = adapter.configuration
            impatient.requestTimeout = .milliseconds(300)
            let timedOut = try await withCurlTransport { transport in
                try await AlipayPlusAdapter(configuration: impatient, transport: transport).pay(
                    payment(ref, try php("10.00"), customer: "gcash-pays"))
            }
            #expect(timedOut.status.unknownCategory == .timeout)
            #expect(timedOut.status.error?.mayHaveCharged == true)
            // Retrying under the same reference with the same body is safe: the replay gets
            // the original result.
            let retried = try await adapter.pay(payment(ref, try php("10.00"), customer: "gcash-pays"))
            #expect(retried.status.isSucceeded)
        }
    }

    @Test func idempotentReplayGetsTheSameResult() async throws {
        try await withGCash { _, adapter in
            let request = payment(reference("replay"), try php("99.99"), customer: "gcash-pays")
            let first = try await adapter.pay(request)
            let second = try await adapter.pay(request)
            #expect(first.status.isSucceeded && second.status.isSucceeded)
            #expect(first.walletReference == second.walletReference)
            #expect(first.completedAt == second.completedAt)
            let failing = payment(reference("replay-f"), try php("99.99"), customer: "gcash-low-balance")
            let f1 = try await adapter.pay(failing)
            let f2 = try await adapter.pay(failing)
            #expect(f1.status == f2.status)
        }
    }

    @Test func inconsistentReplayIsRejected() async throws {
        try await withGCash { _, adapter in
            let ref = reference("inconsistent")
            _ = try await adapter.pay(payment(ref, try php("10.00"), customer: "gcash-pays"))
            let error = await #expect(throws: WalletError.self) {
                _ = try await adapter.pay(payment(ref, try php("11.00"), customer: "gcash-pays"))
            }
            #expect(error?.category == .inconsistentRequest)
            #expect(error?.partnerCode == "REPEAT_REQ_INCONSISTENT")
            #expect(error?.mayHaveCharged == true, "the original payment under this reference stands")
            // The original is untouched.
            let original = try await adapter.inquire(PaymentQuery(merchantReference: ref, expectedAmount: try php("10.00")))
            #expect(original.status.isSucceeded)
        }
    }

    @Test func crossBorderQuoteComesThrough() async throws {
        try await withGCash { _, adapter in
            let yen = try Money(parsing: "1000", currency: .jpy)
            let result = try await adapter.pay(payment(reference("jpy"), yen, customer: "gcash-pays"))
            #expect(result.status.isSucceeded)
            #expect(result.amount == yen)
            #expect(result.customerAmount == (try php("385.00")))
            #expect(result.quote?.currencyPair == "JPY/PHP")
            #expect(result.quote?.rate == "0.385")
            #expect(result.quote?.id != nil)

            // A customer whose wallet holds USD pays a PHP price through a PHP/USD quote.
            let usdWallet = try await adapter.pay(payment(reference("usd"), try php("100.00"), customer: "gcash-usd"))
            #expect(usdWallet.customerAmount == (try Money(parsing: "1.72", currency: .usd)))
            #expect(usdWallet.quote?.currencyPair == "PHP/USD")
        }
    }

    @Test func wrongMerchantKeyIsRejectedBySignature() async throws {
        let sandbox = try await WalletSandbox.start()
        let transport = try CurlTransport()
        var profile = try sandbox.clientProfile(wallet: "gcash")
        // Sign with the platform's key instead of the merchant's: the sandbox must refuse.
        profile.merchantKey = .string(SandboxCredentials.platformPrivateKeyPEM)
        let adapter = AlipayPlusAdapter(configuration: try AlipayPlusConfiguration(profile: profile), transport: transport)
        let result = try await adapter.pay(payment(reference("badkey"), try php("10.00"), customer: "gcash-pays"))
        #expect(result.status.failureCategory == .authenticationFailed)
        #expect(result.status.error?.partnerCode == "INVALID_SIGNATURE")
        #expect(
            result.status.error?.partnerMessage?.contains("POST /aps/api/v1/payments/pay\\n\(SandboxCredentials.gcashClientID).") == true,
            "the sandbox says what it verified")
        await transport.shutdown()
        await sandbox.shutdown()
    }

    @Test func refundsArePartialAndBounded() async throws {
        try await withGCash { _, adapter in
            let ref = reference("refund")
            let paid = try await adapter.pay(payment(ref, try php("100.00"), customer: "gcash-pays"))
            #expect(paid.status.isSucceeded)
            // The adapter makes one wire call: without the payment's paymentId it refuses before sending.
            let unsent = await #expect(throws: WalletError.self) {
                _ = try await adapter.refund(RefundRequest(merchantReference: ref, refundReference: ref + "-R0", amount: try php("1.00")))
            }
            #expect(unsent?.category == .invalidRequest)
            #expect(unsent?.mayHaveCharged == false)
            // Through the client, a refund without the wallet reference finds it by inquiry first.
            let first = try await fastClient(adapter).refund(
                RefundRequest(merchantReference: ref, refundReference: ref + "-R1", amount: try php("30.00")))
            #expect(first.status == .succeeded)
            #expect(first.walletRefundReference != nil)
            // With the wallet reference, the adapter refunds directly.
            let second = try await adapter.refund(
                RefundRequest(merchantReference: ref, walletReference: paid.walletReference, refundReference: ref + "-R2", amount: try php("70.00")))
            #expect(second.status == .succeeded)
            let over = try await adapter.refund(
                RefundRequest(merchantReference: ref, walletReference: paid.walletReference, refundReference: ref + "-R3", amount: try php("0.01")))
            #expect(over.status.error?.category == .limitExceeded)
            #expect(over.status.error?.partnerCode == "REFUND_AMOUNT_EXCEED")
            let inquired = try await adapter.inquireRefund(RefundQuery(refundReference: ref + "-R1", expectedAmount: try php("30.00")))
            #expect(inquired.status == .succeeded)
            #expect(inquired.amount == (try php("30.00")))
            #expect(inquired.walletRefundReference == first.walletRefundReference)
        }
    }

    @Test func cancelStopsAPendingPaymentButNotASucceededOne() async throws {
        try await withGCash { _, adapter in
            let amount = try php("10.00")
            // The adapter alone: a cancel reply names no amount, so it is not bound (unknown);
            // the inquiry that follows proves the cancellation.
            let slow = reference("cancel")
            #expect(try await adapter.pay(payment(slow, amount, customer: "gcash-slow")).status.isPending)
            let unconfirmed = try await adapter.cancel(PaymentQuery(merchantReference: slow, expectedAmount: amount))
            #expect(unconfirmed.status.unknownCategory == .invalidPartnerResponse)
            #expect(try await adapter.inquire(PaymentQuery(merchantReference: slow, expectedAmount: amount)).status.isCancelled)

            // Through the client the cancel is confirmed by that inquiry.
            let client = fastClient(adapter, settleWithin: .zero)
            let slow2 = reference("cancel2")
            #expect(try await client.pay(payment(slow2, amount, customer: "gcash-slow")).status.isPending)
            let cancelled = try await client.cancel(PaymentQuery(merchantReference: slow2))
            #expect(cancelled.status.isCancelled)
            #expect(cancelled.walletReference?.hasPrefix("GC") == true)

            // A succeeded payment: the wallet refuses the cancel (the adapter throws the refusal);
            // the client reports the payment's real state, with the refusal beside it.
            let paid = reference("cancel-paid")
            #expect(try await client.pay(payment(paid, amount, customer: "gcash-pays")).status.isSucceeded)
            let refusal = await #expect(throws: WalletError.self) { _ = try await adapter.cancel(PaymentQuery(merchantReference: paid)) }
            #expect(refusal?.partnerCode == "ORDER_STATUS_INVALID")
            #expect(refusal?.mayHaveCharged == false)
            let refused = try await client.cancel(PaymentQuery(merchantReference: paid))
            #expect(refused.status.isSucceeded, "a succeeded payment cannot be cancelled; the inquiry says so")
            #expect(refused.lastError?.partnerCode == "ORDER_STATUS_INVALID")
        }
    }

    @Test func unknownPaymentInquiryIsNotAFailure() async throws {
        try await withGCash { _, adapter in
            let result = try await adapter.inquire(PaymentQuery(merchantReference: reference("nobody")))
            #expect(result.status.unknownCategory == .notFound)
        }
    }

    @Test func invalidRequestsNeverLeave() async throws {
        try await withGCash { _, adapter in
            let idrWithSen = try Money(parsing: "10000.50", currency: .idr)
            let error = await #expect(throws: WalletError.self) {
                _ = try await adapter.pay(payment(reference("idr"), idrWithSen, customer: "gcash-pays"))
            }
            #expect(error?.category == .invalidRequest)
            #expect(error?.mayHaveCharged == false)
            let tooLong = await #expect(throws: WalletError.self) {
                _ = try await adapter.pay(payment(String(repeating: "x", count: 65), try php("1.00"), customer: "gcash-pays"))
            }
            #expect(tooLong?.category == .invalidRequest)
        }
    }
}
