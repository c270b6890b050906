import Testing
import WalletBridgeCore
import WalletBridgeHTTP

@Suite("WalletError taxonomy")
struct WalletErrorTests {
    @Test func transportFailuresSayWhetherTheCustomerMayHaveBeenCharged() {
        let refused = WalletError.transport(TransportError(.couldNotConnect, "refused", mayHaveReachedServer: false))
        #expect(refused.category == .partnerUnavailable)
        #expect(!refused.mayHaveCharged && refused.isRetryable)

        let timedOut = WalletError.transport(TransportError(.timeout, "slow", mayHaveReachedServer: true))
        #expect(timedOut.category == .timeout)
        #expect(timedOut.mayHaveCharged && timedOut.isRetryable)

        let connectTimeout = WalletError.transport(TransportError(.timeout, "no connect", mayHaveReachedServer: false))
        #expect(connectTimeout.category == .partnerUnavailable && !connectTimeout.mayHaveCharged)

        let tls = WalletError.transport(TransportError(.tls, "bad cert", mayHaveReachedServer: false))
        #expect(tls.category == .partnerUnavailable && !tls.mayHaveCharged)

        // A TLS failure after the request was written (an alert on the first read) is never
        // "not sent": the payment is unknown, settled by inquiry.
        let tlsLate = WalletError.transport(TransportError(.tls, "alert certificate required", mayHaveReachedServer: true))
        #expect(tlsLate.category == .unknownOutcome)
        #expect(tlsLate.mayHaveCharged)
        let broken = WalletError.transport(TransportError(.other, "reset", mayHaveReachedServer: true))
        #expect(broken.category == .unknownOutcome && broken.mayHaveCharged)

        let cancelledLate = WalletError.transport(TransportError(.cancelled, "cancelled", mayHaveReachedServer: true))
        #expect(cancelledLate.mayHaveCharged)
    }

    @Test(arguments: WalletError.Category.allCases)
    func everyCategoryHasADefinedPolicy(category: WalletError.Category) {
        let error = WalletError(category, "m", partnerCode: "P", partnerMessage: "pm")
        let retryable: Set<WalletError.Category> = [.rateLimited, .partnerUnavailable, .timeout, .unknownOutcome, .invalidPartnerResponse]
        let charged: Set<WalletError.Category> = [.timeout, .unknownOutcome, .invalidPartnerResponse, .inconsistentRequest, .duplicate]
        #expect(error.isRetryable == retryable.contains(category))
        #expect(error.mayHaveCharged == charged.contains(category))
        #expect(error.description.contains("P"))
        #expect(!error.description.isEmpty)
    }

    @Test func statusesNameThemselvesAndOnlyFinalOnesAreFinal() {
        let reason = WalletError(.declined, "no")
        #expect(PaymentStatus.succeeded.isFinal && PaymentStatus.failed(reason).isFinal && PaymentStatus.cancelled.isFinal)
        #expect(!PaymentStatus.pending(nil).isFinal && !PaymentStatus.unknown(reason).isFinal)
        #expect(PaymentStatus.unknown(reason).name == "unknown")
        #expect(NextAction.token("t").kind == "token")
    }

    @Test func capabilitiesCheckCurrencyAndLimits() throws {
        let capabilities = WalletCapabilities(operations: [.pay], walletCurrency: .php, currencies: [.php], amountLimits: ["PHP": 100...1_000_000])
        #expect(throws: Never.self) { try capabilities.check(try Money(parsing: "10.00", currency: .php)) }
        let currency = #expect(throws: WalletError.self) { try capabilities.check(try Money(parsing: "10.00", currency: .usd)) }
        #expect(currency?.category == .invalidRequest)
        let limit = #expect(throws: WalletError.self) { try capabilities.check(try Money(parsing: "0.50", currency: .php)) }
        #expect(limit?.category == .limitExceeded)
        #expect(!capabilities.supports(.refund))
    }

    @Test func customerCredentialsNeverPrint() {
        let credential = CustomerCredential("access-token-123456")
        #expect(!"\(credential)".contains("123456"))
        #expect(!String(reflecting: credential).contains("123456"))
        var dumped = ""
        dump(credential, to: &dumped)
        #expect(!dumped.contains("123456"))
    }
}
