import Foundation
import Testing
import WalletBridgeAlipayPlus
import WalletBridgeCore
import WalletBridgeCrypto
import WalletBridgeHTTP
import WalletBridgePaytm
import WalletBridgeSandbox
import WalletBridgeSNAP
import WalletBridgeTesting
import WalletBridgeTransport

// MARK: Harness

/// One of the sandbox's wallets, for tests that run against each of them.
enum SandboxWallet: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case gcash, paytm, dana

    var testDescription: String { rawValue }

    /// What a test payment charges.
    var amount: Money {
        switch self {
        case .gcash: return Money(minorUnits: 1000, currency: .php)
        case .paytm: return Money(minorUnits: 1000, currency: .inr)
        case .dana: return Money(minorUnits: 1_000_000, currency: .idr)
        }
    }

    /// What a test refund returns (part of ``amount``).
    var refundAmount: Money { Money(minorUnits: amount.minorUnits * 4 / 10, currency: amount.currency) }

    /// The customer who pays at once, and the one who stays in process for 3 inquiries.
    var paysCustomer: String { "\(rawValue)-pays" }
    var slowCustomer: String { "\(rawValue)-slow" }

    var payPath: String {
        switch self {
        case .gcash: return AlipayPlusConfiguration.Paths().pay
        case .paytm: return PaytmConfiguration.Paths().initiateTransaction
        case .dana: return SNAPConfiguration.Paths().payment
        }
    }

    var inquiryPath: String {
        switch self {
        case .gcash: return AlipayPlusConfiguration.Paths().inquiryPayment
        case .paytm: return PaytmConfiguration.Paths().transactionStatus
        case .dana: return SNAPConfiguration.Paths().status
        }
    }

    /// Paytm has no cancel in this flow.
    var cancelPath: String? {
        switch self {
        case .gcash: return AlipayPlusConfiguration.Paths().cancelPayment
        case .paytm: return nil
        case .dana: return SNAPConfiguration.Paths().cancel
        }
    }

    var refundPath: String {
        switch self {
        case .gcash: return AlipayPlusConfiguration.Paths().refund
        case .paytm: return PaytmConfiguration.Paths().refund
        case .dana: return SNAPConfiguration.Paths().refund
        }
    }

    /// DANA publishes no refund query.
    var refundInquiryPath: String? {
        switch self {
        case .gcash: return AlipayPlusConfiguration.Paths().inquiryRefund
        case .paytm: return PaytmConfiguration.Paths().refundStatus
        case .dana: return nil
        }
    }

    func adapter(_ profile: PartnerProfile, _ transport: any HTTPTransport) throws -> any WalletAdapter {
        switch self {
        case .gcash: return AlipayPlusAdapter(configuration: try AlipayPlusConfiguration(profile: profile), transport: transport)
        case .paytm: return PaytmAdapter(configuration: try PaytmConfiguration(profile: profile), transport: transport)
        case .dana: return SNAPAdapter(configuration: try SNAPConfiguration(profile: profile), transport: transport)
        }
    }
}

/// A sandbox on an ephemeral loopback port and one wallet's adapter on a `CurlTransport`.
struct WalletUnderTest: Sendable {
    let wallet: SandboxWallet
    let sandbox: WalletSandbox
    let profile: PartnerProfile
    let transport: CurlTransport
    let adapter: any WalletAdapter

    /// Another adapter for the same wallet, from the sandbox profile after `adjust`.
    func adapter(_ adjust: (inout PartnerProfile) -> Void) throws -> any WalletAdapter {
        var profile = self.profile
        adjust(&profile)
        return try wallet.adapter(profile, transport)
    }

    /// A payment request of the wallet's test amount.
    func request(_ ref: String, customer: String? = nil) -> PaymentRequest {
        payment(ref, wallet.amount, customer: customer ?? wallet.paysCustomer)
    }

    /// The query a caller holding `walletReference` makes.
    func query(_ ref: String, walletReference: String? = nil) -> PaymentQuery {
        PaymentQuery(merchantReference: ref, walletReference: walletReference, expectedAmount: wallet.amount)
    }

    /// Pays (adapter alone) with the paying customer and inquires until succeeded; returns the
    /// succeeded payment with its wallet reference.
    func succeededPayment(_ ref: String) async throws -> PaymentResult {
        let paid = try await adapter.pay(request(ref))
        if paid.status.isSucceeded { return paid }
        let inquired = try await adapter.inquire(query(ref, walletReference: paid.walletReference))
        #expect(inquired.status.isSucceeded, "\(wallet) \(ref): \(inquired.status)")
        return inquired
    }

    /// The sandbox ledger's record of `ref`.
    func ledger(_ ref: String) -> SandboxPayment? { sandbox.payment(wallet: wallet.rawValue, merchantReference: ref) }

    /// The paying customer's balance in the sandbox.
    var balance: Int64? { sandbox.balance(customer: wallet.paysCustomer) }
}

/// Runs `body` against `wallet` in a fresh sandbox; shuts everything down afterwards.
func withWallet<T: Sendable>(_ wallet: SandboxWallet, requestTimeout: Duration? = nil, _ body: (WalletUnderTest) async throws -> T) async throws -> T
{
    let sandbox = try await WalletSandbox.start()
    let transport = try CurlTransport()
    do {
        var profile = try sandbox.clientProfile(wallet: wallet.rawValue)
        if let requestTimeout { profile.requestTimeout = requestTimeout }
        let harness = WalletUnderTest(
            wallet: wallet, sandbox: sandbox, profile: profile, transport: transport, adapter: try wallet.adapter(profile, transport))
        let result = try await body(harness)
        await transport.shutdown()
        await sandbox.shutdown()
        return result
    } catch {
        await transport.shutdown()
        await sandbox.shutdown()
        throw error
    }
}

// MARK: Tests

/// Hostile but validly signed replies, end to end through `CurlTransport` to the sandbox's
/// wallets: whatever they say, a reply that is not bound to the operation (our reference or the
/// wallet reference we hold, every named reference agreeing byte for byte, our amount) never
/// makes a payment succeeded, cancelled or failed, nor a refund succeeded.
@Suite("Reply binding, end to end")
struct ReplyBindingEndToEndTests {
    // 1. A signed refund (or refund status) reply about another refund or another amount.
    @Test(arguments: SandboxWallet.allCases, [SandboxFault.foreignReference, .foreignAmount])
    func aSignedRefundReplyAboutAnotherRefundOrAmountIsNeverSucceeded(_ wallet: SandboxWallet, _ fault: SandboxFault) async throws {
        try await withWallet(wallet) { w in
            let ref = reference("refund")
            let paid = try await w.succeededPayment(ref)
            let request = RefundRequest(
                merchantReference: ref, walletReference: paid.walletReference, refundReference: ref + "-R1", amount: wallet.refundAmount)
            w.sandbox.injectFault(fault, path: wallet.refundPath)
            let refund = try await w.adapter.refund(request)
            #expect(refund.status.unknownCategory == .invalidPartnerResponse, "\(refund.status)")
            #expect(refund.status.error?.mayHaveCharged == true)

            guard let refundInquiryPath = wallet.refundInquiryPath else { return }
            let query = RefundQuery(refundReference: request.refundReference, merchantReference: ref, expectedAmount: wallet.refundAmount)
            w.sandbox.injectFault(fault, path: refundInquiryPath)
            let inquired = try await w.adapter.inquireRefund(query)
            #expect(inquired.status.unknownCategory == .invalidPartnerResponse, "\(inquired.status)")
            // The honest reply that follows is bound, and says what happened.
            let honest = try await w.adapter.inquireRefund(query)
            #expect(honest.status == .succeeded)
            #expect(honest.amount == wallet.refundAmount)
        }
    }

    // 2. A signed cancel reply about another payment.
    @Test(arguments: [SandboxWallet.gcash, .dana], [SandboxFault.replayOtherPayment(withoutReferences: false), .foreignReference])
    func aSignedCancelReplyAboutAnotherPaymentIsNeverCancelled(_ wallet: SandboxWallet, _ fault: SandboxFault) async throws {
        try await withWallet(wallet) { w in
            let cancelPath = try #require(wallet.cancelPath)
            _ = try await w.succeededPayment(reference("other"))
            let client = fastClient(w.adapter, settleWithin: .zero)

            // The adapter alone: unknown, never cancelled.
            let direct = reference("direct")
            #expect(try await client.pay(w.request(direct, customer: wallet.slowCustomer)).status.isPending)
            w.sandbox.injectFault(fault, path: cancelPath)
            let answered = try await w.adapter.cancel(w.query(direct))
            #expect(answered.status.unknownCategory == .invalidPartnerResponse, "\(answered.status)")

            // Through the client: every cancel answered so (the policy resends it), then the
            // inquiry decides: the payment's real state.
            let ref = reference("cancel")
            #expect(try await client.pay(w.request(ref, customer: wallet.slowCustomer)).status.isPending)
            w.sandbox.injectFault(fault, path: cancelPath, count: 8)
            let result = try await client.cancel(PaymentQuery(merchantReference: ref))
            w.sandbox.clearFaults()
            #expect(result.lastError != nil)
            if case .replayOtherPayment = fault {
                // The wallet never cancelled it: it is still in process.
                #expect(result.status.isPending, "\(result.status)")
                #expect(w.ledger(ref)?.state == "processing")
            } else {
                // The wallet did cancel it (the reply named another reference): the inquiry proves it.
                #expect(result.status.isCancelled, "\(result.status)")
                #expect(w.ledger(ref)?.state == "cancelled")
            }
        }
    }

    // 3. A signed inquiry reply that names no merchant reference, replayed from an earlier payment.
    @Test(arguments: SandboxWallet.allCases)
    func aReplayedInquiryReplyNamingNoMerchantReferenceIsNeverSucceeded(_ wallet: SandboxWallet) async throws {
        try await withWallet(wallet) { w in
            // The earlier payment: same amount, succeeded.
            let earlier = try await w.succeededPayment(reference("earlier"))
            let client = fastClient(w.adapter, settleWithin: .zero)
            let ref = reference("held")
            #expect(try await client.pay(w.request(ref, customer: wallet.slowCustomer)).status.isPending)
            // One honest inquiry: still in process, and the wallet reference is now held.
            let known = try await client.inquire(PaymentQuery(merchantReference: ref))
            #expect(known.status.isPending)
            let walletReference = try #require(known.walletReference)
            #expect(walletReference != earlier.walletReference)

            let replay = SandboxFault.replayOtherPayment(withoutReferences: true)
            w.sandbox.injectFault(replay, path: wallet.inquiryPath)
            let held = try await w.adapter.inquire(w.query(ref, walletReference: walletReference))
            #expect(held.status.unknownCategory == .invalidPartnerResponse, "\(held.status)")
            #expect(held.walletReference == walletReference)
            // Without the wallet reference nothing in the reply identifies our payment either, and
            // the other payment's wallet reference is not taken for ours.
            w.sandbox.injectFault(replay, path: wallet.inquiryPath)
            let bare = try await w.adapter.inquire(w.query(ref))
            #expect(bare.status.unknownCategory == .invalidPartnerResponse, "\(bare.status)")
            #expect(bare.walletReference != earlier.walletReference)

            // Through the client: the payment stays pending with the wallet reference it holds.
            w.sandbox.injectFault(replay, path: wallet.inquiryPath, count: 8)
            let kept = try await client.inquire(PaymentQuery(merchantReference: ref))
            w.sandbox.clearFaults()
            #expect(kept.status.isPending, "\(kept.status)")
            #expect(kept.walletReference == walletReference)
            #expect(kept.lastError?.category == .invalidPartnerResponse)
            // ...and honest inquiries still settle it.
            var final = kept
            for _ in 0..<3 where !final.status.isFinal { final = try await client.inquire(PaymentQuery(merchantReference: ref)) }
            #expect(final.status.isSucceeded, "\(final.status)")
            #expect(final.walletReference == walletReference)
        }
    }

    // 3b. The same replay before the wallet reference is known (Paytm's initiate and DANA's
    // in-progress debit name none): the other payment's wallet reference must not be adopted,
    // or every honest reply after it would contradict the reference held.
    @Test(arguments: [SandboxWallet.paytm, .dana])
    func aReplayedInquiryReplyDoesNotLendItsWalletReference(_ wallet: SandboxWallet) async throws {
        try await withWallet(wallet) { w in
            let earlier = try await w.succeededPayment(reference("earlier"))
            let client = fastClient(w.adapter, settleWithin: .zero)
            let ref = reference("fresh")
            let started = try await client.pay(w.request(ref, customer: wallet.slowCustomer))
            #expect(started.status.isPending)
            #expect(started.walletReference == nil)
            w.sandbox.injectFault(.replayOtherPayment(withoutReferences: true), path: wallet.inquiryPath)
            let replayed = try await client.inquire(PaymentQuery(merchantReference: ref))
            #expect(replayed.status.isPending, "\(replayed.status)")
            #expect(replayed.walletReference == nil, "not \(earlier.walletReference ?? "?")")
            var final = replayed
            for _ in 0..<3 where !final.status.isFinal { final = try await client.inquire(PaymentQuery(merchantReference: ref)) }
            #expect(final.status.isSucceeded, "\(final.status)")
            #expect(final.walletReference == w.ledger(ref)?.walletReference)
        }
    }

    // 4. A JSON reply that repeats a key.
    @Test(arguments: SandboxWallet.allCases)
    func aSignedReplyWithADuplicatedKeyIsUntrusted(_ wallet: SandboxWallet) async throws {
        try await withWallet(wallet) { w in
            let ref = reference("dup")
            w.sandbox.injectFault(.duplicateKey, path: wallet.payPath)
            let paid = try await w.adapter.pay(w.request(ref))
            #expect(paid.status.unknownCategory == .invalidPartnerResponse, "\(paid.status)")
            #expect(paid.walletReference == nil, "nothing from an untrusted reply is kept")

            w.sandbox.injectFault(.duplicateKey, path: wallet.inquiryPath)
            let error = await #expect(throws: WalletError.self) { _ = try await w.adapter.inquire(w.query(ref)) }
            #expect(error?.category == .invalidPartnerResponse)
            let honest = try await w.adapter.inquire(w.query(ref))
            #expect(honest.status.isSucceeded, "the sandbox did take the payment: \(honest.status)")

            w.sandbox.injectFault(.duplicateKey, path: wallet.refundPath)
            let refund = try await w.adapter.refund(
                RefundRequest(
                    merchantReference: ref, walletReference: honest.walletReference, refundReference: ref + "-R1",
                    amount: wallet.refundAmount))
            #expect(refund.status.unknownCategory == .invalidPartnerResponse, "\(refund.status)")
        }
    }

    // 5. HTTP 500 carrying a validly signed success body (SNAP's case; the others answer likewise).
    @Test(arguments: SandboxWallet.allCases)
    func aSignedSuccessUnderHTTP500IsNeverSuccess(_ wallet: SandboxWallet) async throws {
        try await withWallet(wallet) { w in
            let ref = reference("500")
            w.sandbox.injectFault(.signedServerError, path: wallet.payPath)
            let paid = try await w.adapter.pay(w.request(ref))
            #expect(paid.status.name == "unknown", "\(paid.status)")
            #expect(paid.status.error?.mayHaveCharged == true)
            if wallet == .dana {
                #expect(paid.status.error?.category == .invalidPartnerResponse)
                #expect(paid.partnerResult?.code == "2005400", "the signed body said success; the status says otherwise")
            }

            w.sandbox.injectFault(.signedServerError, path: wallet.inquiryPath)
            await #expect(throws: WalletError.self) { _ = try await w.adapter.inquire(w.query(ref)) }
            let honest = try await w.adapter.inquire(w.query(ref))
            #expect(honest.status.isSucceeded)

            w.sandbox.injectFault(.signedServerError, path: wallet.refundPath)
            let refund = try await w.adapter.refund(
                RefundRequest(
                    merchantReference: ref, walletReference: honest.walletReference, refundReference: ref + "-R1",
                    amount: wallet.refundAmount))
            #expect(refund.status.name == "unknown", "\(refund.status)")
        }
    }

    // 6. An inquiry that fails (refused, unreachable, throttled) after pay said pending.
    @Test(arguments: SandboxWallet.allCases)
    func aFailedInquiryLeavesAPendingPaymentPendingWithItsWalletReference(_ wallet: SandboxWallet) async throws {
        try await withWallet(wallet) { w in
            let client = fastClient(w.adapter, settleWithin: .zero)
            let ref = reference("open")
            #expect(try await client.pay(w.request(ref, customer: wallet.slowCustomer)).status.isPending)
            let known = try await client.inquire(PaymentQuery(merchantReference: ref))
            #expect(known.status.isPending)
            let walletReference = try #require(known.walletReference)

            func expectKept(_ result: PaymentResult, _ category: WalletError.Category, _ what: String) {
                #expect(result.status.isPending, "\(what): \(result.status)")
                #expect(result.walletReference == walletReference, "\(what)")
                #expect(result.lastError?.category == category, "\(what): \(String(describing: result.lastError))")
            }

            // Refused: the wallet refuses this client's requests (a wrong key, or another merchant id).
            let refusing = try w.adapter { profile in
                if wallet == .paytm {
                    profile.clientID = "SOMEONEELSE000000001"
                } else {
                    profile.merchantKey = .string(SandboxCredentials.platformPrivateKeyPEM)
                }
            }
            expectKept(
                try await fastClient(refusing, journal: client.journal).inquire(PaymentQuery(merchantReference: ref)), .authenticationFailed,
                "refused")

            // Unreachable: nothing listens there.
            let unreachable = try w.adapter { $0.baseURL = "http://127.0.0.1:1" }
            expectKept(
                try await fastClient(unreachable, journal: client.journal).inquire(PaymentQuery(merchantReference: ref)), .partnerUnavailable,
                "unreachable")

            // Throttled: an unsigned 429 (proves nothing, but its Retry-After is kept, SNAP included).
            w.sandbox.injectFault(.unsignedTooManyRequests(processed: false), path: wallet.inquiryPath, count: 8)
            let throttled = try await client.inquire(PaymentQuery(merchantReference: ref))
            w.sandbox.clearFaults()
            expectKept(throttled, .rateLimited, "throttled")

            #expect(w.ledger(ref)?.state == "processing")
        }
    }

    // 7. An unsigned HTTP 429 answer to a pay.
    @Test(arguments: SandboxWallet.allCases, [false, true])
    func anUnsigned429ToAPayIsUnknownThenSettledByInquiry(_ wallet: SandboxWallet, _ processed: Bool) async throws {
        try await withWallet(wallet) { w in
            let fault = SandboxFault.unsignedTooManyRequests(processed: processed)
            // The adapter alone: unknown (it may have been processed), never failed.
            let direct = reference("429")
            w.sandbox.injectFault(fault, path: wallet.payPath)
            let answered = try await w.adapter.pay(w.request(direct))
            #expect(answered.status.name == "unknown", "\(answered.status)")
            #expect(answered.status.error?.mayHaveCharged == true)
            if wallet != .dana {
                #expect(answered.status.error?.category == .rateLimited)
                #expect(answered.status.error?.retryAfter == .seconds(1))
            }
            #expect((w.ledger(direct) != nil) == processed)

            // Through the client: settled by inquiry, by the wallet's rule.
            let ref = reference("429c")
            let before = try #require(w.balance)
            w.sandbox.injectFault(fault, path: wallet.payPath)
            let payer = fastClient(w.adapter)
            var settled = try await payer.pay(w.request(ref))
            if case .pending(.some) = settled.status {
                // Paytm's initiate, sent again, hands back the checkout token: the customer pays.
                settled = try await payer.settle(merchantReference: ref, within: .seconds(7200))
            }
            let charged = w.ledger(ref)
            // The wallet has the payment, or never got it and the rule resent the identical pay
            // under the same reference (every wallet's reference is idempotent): succeeded,
            // charged exactly once.
            #expect(settled.status.isSucceeded, "\(settled.status)")
            #expect(charged?.state == "succeeded")
            #expect(w.sandbox.ledgerSnapshot(wallet: wallet.rawValue).first { $0.merchantReference == ref }?.charges == 1)
            #expect(w.balance == before - (charged?.customerAmount?.minorUnits ?? -1))

            // Settled in recovery, which never pays again: a pay that never reached the wallet
            // is not charged and never reported succeeded.
            guard !processed else { return }
            let lost = reference("429r")
            let balance = try #require(w.balance)
            w.sandbox.injectFault(fault, path: wallet.payPath)
            let client = fastClient(w.adapter, settleWithin: .zero)
            let open = try await client.pay(w.request(lost))
            #expect(!open.status.isFinal, "\(open.status)")
            let recovered = try await client.settle(merchantReference: lost, within: .seconds(7200))
            #expect(w.ledger(lost) == nil)
            #expect(w.balance == balance)
            #expect(!recovered.status.isSucceeded, "\(recovered.status)")
            if recovered.status.isFinal { #expect(recovered.status.error?.mayHaveCharged == false) }
        }
    }

    // A pay that timed out after the wallet committed: settled once, charged once.
    @Test(arguments: SandboxWallet.allCases)
    func aPayThatTimedOutAfterTheWalletCommittedIsSettledWithOneCharge(_ wallet: SandboxWallet) async throws {
        try await withWallet(wallet, requestTimeout: .milliseconds(400)) { w in
            let ref = reference("late")
            let before = try #require(w.balance)
            w.sandbox.injectFault(.delay(.milliseconds(1000)), path: wallet.payPath)
            let result = try await fastClient(w.adapter).pay(w.request(ref))
            #expect(result.status.isSucceeded, "\(result.status)")
            let charged = try #require(w.ledger(ref))
            #expect(charged.state == "succeeded")
            #expect(w.sandbox.payments(wallet: wallet.rawValue).filter { $0.merchantReference == ref }.count == 1)
            #expect(w.balance == before - (charged.customerAmount?.minorUnits ?? -1), "one debit")
            #expect(result.walletReference == charged.walletReference)
        }
    }

    // 8. Alipay+ references are compared byte for byte.
    @Test func alipayPlusReferencesOutsidePrintableASCIIAreRefusedBeforeSending() async throws {
        try await withWallet(.gcash) { w in
            for spelling in ["WB-caf\u{E9}-1", "WB-cafe\u{301}-1"] {
                let error = await #expect(throws: WalletError.self) { _ = try await w.adapter.pay(w.request(spelling)) }
                #expect(error?.category == .invalidRequest)
                #expect(error?.mayHaveCharged == false)
                await #expect(throws: WalletError.self) { _ = try await w.adapter.inquire(w.query(spelling)) }
            }
            #expect(w.sandbox.payments(wallet: "gcash").isEmpty)
        }
    }
}

/// Byte-for-byte reference comparison in the Alipay+ adapter, against scripted replies.
@Suite("Reply binding: NFC and NFD spellings")
struct ReplyBindingSpellingTests {
    static let nfc = "GC-caf\u{E9}-0001"
    static let nfd = "GC-cafe\u{301}-0001"

    static func inquiryReply(paymentId: String) throws -> TransportResponse {
        try AlipayPlusAdapterUnitTests.signedReply(
            #"{"result":{"resultCode":"SUCCESS","resultStatus":"S"},"paymentResult":{"resultCode":"SUCCESS","resultStatus":"S"},"paymentRequestId":"WB-1","paymentId":"\#(paymentId)","paymentAmount":{"currency":"PHP","value":"1000"}}"#,
            path: "/aps/api/v1/payments/inquiryPayment")
    }

    @Test func aReplyNamingTheNFDFormOfTheHeldWalletReferenceIsNotBound() async throws {
        #expect(Self.nfc == Self.nfd, "Swift's String == treats the two spellings as equal")
        #expect(!ReplyBinding.same(Self.nfc, Self.nfd))
        let query = PaymentQuery(merchantReference: "WB-1", walletReference: Self.nfc, expectedAmount: Money(minorUnits: 1000, currency: .php))
        let nfdReply = try await AlipayPlusAdapterUnitTests.adapter(.replying(try Self.inquiryReply(paymentId: Self.nfd))).inquire(query)
        #expect(nfdReply.status.unknownCategory == .invalidPartnerResponse)
        #expect(nfdReply.walletReference?.utf8.elementsEqual(Self.nfc.utf8) == true, "the held spelling is kept")
        // The same reply with the byte-identical spelling is bound.
        let nfcReply = try await AlipayPlusAdapterUnitTests.adapter(.replying(try Self.inquiryReply(paymentId: Self.nfc))).inquire(query)
        #expect(nfcReply.status.isSucceeded)
    }
}

@Suite("Sandbox fault names")
struct SandboxFaultNameTests {
    @Test func everyAdminNameParses() {
        for name in SandboxFault.adminNames {
            let concrete = name.replacingOccurrences(of: ":N", with: name.hasPrefix("http") ? ":503" : ":10")
            #expect(SandboxFault(name: concrete) != nil, "\(concrete)")
        }
        #expect(SandboxFault(name: "replay-other-payment-without-references") == .replayOtherPayment(withoutReferences: true))
        #expect(SandboxFault(name: "unsigned-429-processed") == .unsignedTooManyRequests(processed: true))
        #expect(SandboxFault(name: "no-such-fault") == nil)
    }

    @Test func theAdminEndpointsQueueFaultsByNameAndListTheLedger() async throws {
        try await withWallet(.gcash) { w in
            let base = w.sandbox.baseURL
            let unknown = try await w.transport.send(
                TransportRequest(method: .post, url: base + "/sandbox/faults", body: Array(#"{"fault":"nonsense"}"#.utf8)))
            #expect(unknown.status == 400)
            #expect(String(decoding: unknown.body, as: UTF8.self).contains("replay-other-payment-without-references"), "the help names every fault")
            let queued = try await w.transport.send(
                TransportRequest(
                    method: .post, url: base + "/sandbox/faults",
                    body: Array(#"{"fault":"foreign-amount","path":"/aps/api/v1/payments/pay"}"#.utf8)))
            #expect(queued.status == 200)
            let ref = reference("admin")
            #expect(try await w.adapter.pay(w.request(ref)).status.unknownCategory == .invalidPartnerResponse)
            let listed = try await w.transport.send(TransportRequest(method: .get, url: base + "/sandbox/payments?wallet=gcash"))
            let rows = try #require(try JSONSerialization.jsonObject(with: Data(listed.body)) as? [[String: Any]])
            #expect(rows.map { $0["merchantReference"] as? String } == [ref])
            #expect(rows.first?["state"] as? String == "succeeded")
            #expect(rows.first?["amountMinor"] as? Int == 1000, "a number, not a string")
        }
    }
}

extension RefundStatus {
    var unknownCategory: WalletError.Category? { if case .unknown(let error) = self { return error.category } else { return nil } }
}
