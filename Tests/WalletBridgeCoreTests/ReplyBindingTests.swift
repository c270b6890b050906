import Testing
import WalletBridgeCore

/// The binding law of ``ReplyBinding``: a success or cancellation counts only when bound, a
/// failure or pending state counts when it contradicts nothing.
@Suite("Reply binding")
struct ReplyBindingTests {
    static let php100 = Money(minorUnits: 10_050, currency: .php)
    static let declined = WalletError(.declined, "declined", mayHaveCharged: false)

    /// A binding with our reference `M1` and the wallet's reference `W1` held.
    func binding(
        ours: String? = "M1", wallets: String? = nil, walletHeld: String? = "W1",
        expected: Money? = php100, stated: ReplyBinding.StatedAmount = .stated(php100)
    ) -> ReplyBinding {
        ReplyBinding(
            references: [
                .ours("paymentRequestId", held: "M1", named: ours),
                .wallets("paymentId", held: walletHeld, named: wallets),
            ],
            expectedAmount: expected,
            statedAmount: stated)
    }

    /// Asserts `status` is `unknown(invalidPartnerResponse)` that may have charged.
    func expectUntrusted(_ status: PaymentStatus, sourceLocation: SourceLocation = #_sourceLocation) {
        guard case .unknown(let error) = status else {
            Issue.record("expected unknown(invalidPartnerResponse), got \(status)", sourceLocation: sourceLocation)
            return
        }
        #expect(error.category == .invalidPartnerResponse, sourceLocation: sourceLocation)
        #expect(error.mayHaveCharged, sourceLocation: sourceLocation)
    }

    func expectUntrusted(_ status: RefundStatus, sourceLocation: SourceLocation = #_sourceLocation) {
        guard case .unknown(let error) = status else {
            Issue.record("expected unknown(invalidPartnerResponse), got \(status)", sourceLocation: sourceLocation)
            return
        }
        #expect(error.category == .invalidPartnerResponse, sourceLocation: sourceLocation)
        #expect(error.mayHaveCharged, sourceLocation: sourceLocation)
    }

    // MARK: success and cancellation need a binding

    @Test func successNamingOurReferenceAndTheAmountCounts() {
        let b = binding()
        #expect(b.isBound)
        #expect(b.unbound == nil)
        #expect(b.contradiction == nil)
        #expect(b.payment(.succeeded) == .succeeded)
        #expect(b.payment(.cancelled) == .cancelled)
        #expect(b.confirmedAmount == Self.php100)
    }

    @Test func successNamingOnlyTheHeldWalletReferenceCounts() {
        let b = binding(ours: nil, wallets: "W1")
        #expect(b.isBound)
        #expect(b.payment(.succeeded) == .succeeded)
    }

    @Test func successNamingBothReferencesThatAgreeCounts() {
        #expect(binding(ours: "M1", wallets: "W1").payment(.succeeded) == .succeeded)
    }

    @Test func successNamingNoReferenceIsUntrusted() {
        let b = binding(ours: nil, wallets: nil)
        #expect(!b.isBound)
        #expect(b.contradiction == nil)
        expectUntrusted(b.payment(.succeeded))
        expectUntrusted(b.payment(.cancelled))
    }

    @Test func emptyNamedReferenceCountsAsNotNamed() {
        let b = binding(ours: "", wallets: "")
        #expect(b.references.allSatisfy { $0.named == nil })
        #expect(b.contradiction == nil)
        expectUntrusted(b.payment(.succeeded))
        // …and a failure naming empty references contradicts nothing.
        #expect(b.payment(.failed(Self.declined)) == .failed(Self.declined))
    }

    @Test func successWithAContradictingReferenceIsUntrustedEvenWhenAnotherAgrees() {
        // Ours agrees, the wallet's contradicts.
        expectUntrusted(binding(ours: "M1", wallets: "W2").payment(.succeeded))
        // The wallet's agrees, ours contradicts.
        expectUntrusted(binding(ours: "M2", wallets: "W1").payment(.succeeded))
        // Only ours, and it is another payment's.
        let other = binding(ours: "M2")
        #expect(other.contradiction != nil)
        expectUntrusted(other.payment(.succeeded))
        expectUntrusted(other.payment(.cancelled))
    }

    @Test func successWithoutAStatedAmountIsUntrusted() {
        let b = binding(stated: .absent)
        #expect(b.contradiction == nil)
        #expect(b.unbound != nil)
        expectUntrusted(b.payment(.succeeded))
        expectUntrusted(b.payment(.cancelled))
        #expect(b.confirmedAmount == nil)
    }

    @Test func successWithAnotherAmountIsUntrusted() {
        expectUntrusted(binding(stated: .stated(Money(minorUnits: 10_051, currency: .php))).payment(.succeeded))
        expectUntrusted(binding(stated: .stated(Money(minorUnits: 10_049, currency: .php))).payment(.succeeded))
        expectUntrusted(binding(stated: .stated(Money(minorUnits: 0, currency: .php))).payment(.succeeded))
    }

    @Test(arguments: [Currency.inr, .idr, .usd])
    func successWithTheSameMinorUnitsInAnotherCurrencyIsUntrusted(currency: Currency) {
        let b = binding(stated: .stated(Money(minorUnits: 10_050, currency: currency)))
        #expect(b.contradiction != nil)
        expectUntrusted(b.payment(.succeeded))
        expectUntrusted(b.payment(.cancelled))
    }

    @Test func malformedAmountIsUntrustedWhateverTheStatus() {
        let b = binding(stated: .malformed("\"1OO.50\" is not an amount"))
        #expect(b.contradiction != nil)
        #expect(b.confirmedAmount == nil)
        expectUntrusted(b.payment(.succeeded))
        expectUntrusted(b.payment(.cancelled))
        expectUntrusted(b.payment(.failed(Self.declined)))
        expectUntrusted(b.payment(.pending(nil)))
        expectUntrusted(b.refund(.succeeded))
        expectUntrusted(b.refund(.failed(Self.declined)))
    }

    // MARK: the wallet's reference before we hold it

    @Test func walletReferenceNotYetHeldIsAdoptedWithoutContradiction() {
        let b = binding(ours: "M1", wallets: "W-new", walletHeld: nil)
        #expect(b.contradiction == nil)
        #expect(b.isBound)
        #expect(b.payment(.succeeded) == .succeeded)
        #expect(b.payment(.pending(nil)) == .pending(nil))
    }

    @Test func walletReferenceNotYetHeldDoesNotIdentifyByItself() {
        let b = binding(ours: nil, wallets: "W-new", walletHeld: nil)
        #expect(b.contradiction == nil)
        #expect(!b.isBound)
        expectUntrusted(b.payment(.succeeded))
        expectUntrusted(b.payment(.cancelled))
        // A failure naming it contradicts nothing.
        #expect(b.payment(.failed(Self.declined)) == .failed(Self.declined))
    }

    // MARK: failure, pending and unknown need only to contradict nothing

    @Test func bareFailureWithoutReferenceOrAmountCounts() {
        let b = binding(ours: nil, wallets: nil, stated: .absent)
        #expect(b.payment(.failed(Self.declined)) == .failed(Self.declined))
        #expect(b.payment(.pending(nil)) == .pending(nil))
        #expect(b.payment(.pending(.redirect(url: "https://pay.example/1"))) == .pending(.redirect(url: "https://pay.example/1")))
        let unknown = WalletError(.unknownOutcome, "processing")
        #expect(b.payment(.unknown(unknown)) == .unknown(unknown))
    }

    @Test func contradictingFailureBecomesUntrustedUnknown() {
        expectUntrusted(binding(ours: "M2", stated: .absent).payment(.failed(Self.declined)))
        expectUntrusted(binding(ours: nil, wallets: "W2", stated: .absent).payment(.failed(Self.declined)))
        expectUntrusted(binding(stated: .stated(Money(minorUnits: 1, currency: .php))).payment(.failed(Self.declined)))
    }

    @Test func contradictingPendingOrUnknownBecomesUntrustedUnknown() {
        expectUntrusted(binding(ours: "M2").payment(.pending(nil)))
        expectUntrusted(binding(stated: .stated(Money(minorUnits: 10_050, currency: .usd))).payment(.pending(nil)))
        let reported = WalletError(.unknownOutcome, "processing")
        let result = binding(ours: "M2").payment(.unknown(reported))
        expectUntrusted(result)
        #expect(result != .unknown(reported))
    }

    // MARK: byte-for-byte comparison

    @Test func referencesAreComparedByteForByteNotByCanonicalEquivalence() {
        let nfc = "ORDER-\u{e9}"
        let nfd = "ORDER-e\u{301}"
        // Swift's String == treats canonically equivalent spellings as equal…
        #expect("\u{e9}" == "e\u{301}")
        #expect(nfc == nfd)
        // …the binding must not.
        #expect(!ReplyBinding.same("\u{e9}", "e\u{301}"))
        #expect(!ReplyBinding.same(nfc, nfd))
        #expect(ReplyBinding.same(nfc, "ORDER-\u{e9}"))
        #expect(!ReplyBinding.same("abc", "ABC"))
        #expect(!ReplyBinding.same("abc", "abc "))
        #expect(ReplyBinding.same("", ""))

        let b = ReplyBinding(
            references: [.ours("paymentRequestId", held: nfc, named: nfd)],
            expectedAmount: Self.php100, statedAmount: .stated(Self.php100))
        #expect(b.contradiction != nil)
        expectUntrusted(b.payment(.succeeded))
        expectUntrusted(b.payment(.failed(Self.declined)))
        expectUntrusted(b.refund(.succeeded))

        let exact = ReplyBinding(
            references: [.ours("paymentRequestId", held: nfc, named: "ORDER-\u{e9}")],
            expectedAmount: Self.php100, statedAmount: .stated(Self.php100))
        #expect(exact.payment(.succeeded) == .succeeded)
    }

    // MARK: expected amount unknown

    @Test func withoutAnExpectedAmountAnyStatedAmountIsAccepted() {
        for amount in [Money(minorUnits: 1, currency: .php), Money(minorUnits: 999_999, currency: .idr), Money(minorUnits: 10_050, currency: .usd)] {
            let b = binding(expected: nil, stated: .stated(amount))
            #expect(b.isBound)
            #expect(b.payment(.succeeded) == .succeeded)
            #expect(b.confirmedAmount == amount)
        }
    }

    @Test func withoutAnExpectedAmountSuccessStillNeedsAStatedAmount() {
        let b = binding(expected: nil, stated: .absent)
        #expect(b.contradiction == nil)
        expectUntrusted(b.payment(.succeeded))
        expectUntrusted(b.payment(.cancelled))
        #expect(b.payment(.failed(Self.declined)) == .failed(Self.declined))
        // A malformed amount is still a contradiction.
        expectUntrusted(binding(expected: nil, stated: .malformed("x")).payment(.failed(Self.declined)))
    }

    // MARK: refunds

    func refundBinding(refund: String?, parent: String?, stated: ReplyBinding.StatedAmount) -> ReplyBinding {
        ReplyBinding(
            references: [
                .ours("refundRequestId", held: "R1", named: refund),
                .context("paymentId", held: "W1", named: parent),
            ],
            expectedAmount: Money(minorUnits: 5_000, currency: .inr),
            statedAmount: stated)
    }

    @Test func refundVariantFollowsTheSameLaw() {
        let amount = ReplyBinding.StatedAmount.stated(Money(minorUnits: 5_000, currency: .inr))
        #expect(refundBinding(refund: "R1", parent: "W1", stated: amount).refund(.succeeded) == .succeeded)
        #expect(refundBinding(refund: "R1", parent: nil, stated: amount).refund(.succeeded) == .succeeded)
        // No amount.
        expectUntrusted(refundBinding(refund: "R1", parent: nil, stated: .absent).refund(.succeeded))
        // Another refund.
        expectUntrusted(refundBinding(refund: "R2", parent: nil, stated: amount).refund(.succeeded))
        // Another amount.
        expectUntrusted(refundBinding(refund: "R1", parent: nil, stated: .stated(Money(minorUnits: 4_999, currency: .inr))).refund(.succeeded))
        // Bare failure and pending count; contradicting ones do not.
        #expect(refundBinding(refund: nil, parent: nil, stated: .absent).refund(.failed(Self.declined)) == .failed(Self.declined))
        #expect(refundBinding(refund: nil, parent: nil, stated: .absent).refund(.pending) == .pending)
        expectUntrusted(refundBinding(refund: nil, parent: "W9", stated: .absent).refund(.failed(Self.declined)))
        expectUntrusted(refundBinding(refund: "R2", parent: nil, stated: .absent).refund(.pending))
        let unknown = WalletError(.unknownOutcome, "processing")
        #expect(refundBinding(refund: "R1", parent: nil, stated: .absent).refund(.unknown(unknown)) == .unknown(unknown))
    }

    /// The parent payment is context: another refund of the same amount on the same payment
    /// names it too, so it cannot bind this refund's success.
    @Test func theParentPaymentAloneDoesNotBindARefundSuccess() {
        let amount = ReplyBinding.StatedAmount.stated(Money(minorUnits: 5_000, currency: .inr))
        let b = refundBinding(refund: nil, parent: "W1", stated: amount)
        #expect(b.contradiction == nil)
        #expect(!b.isBound)
        expectUntrusted(b.refund(.succeeded))
    }

    // MARK: context references

    func withMerchant(ours: String?, merchant: String?) -> ReplyBinding {
        ReplyBinding(
            references: [
                .ours("paymentRequestId", held: "M1", named: ours),
                .context("merchantId", held: "MERCHANT-1", named: merchant),
            ], expectedAmount: Self.php100, statedAmount: .stated(Self.php100))
    }

    /// A merchant id is shared by every payment of the merchant: agreeing, it identifies nothing.
    @Test func anAgreeingContextReferenceAloneDoesNotBindASuccess() {
        let onlyMerchant = withMerchant(ours: nil, merchant: "MERCHANT-1")
        #expect(onlyMerchant.contradiction == nil)
        #expect(!onlyMerchant.isBound)
        expectUntrusted(onlyMerchant.payment(.succeeded))
        expectUntrusted(onlyMerchant.payment(.cancelled))
    }

    @Test func contextReferencesContradictButDoNotIdentify() {
        // Our reference plus an agreeing merchant id binds.
        #expect(withMerchant(ours: "M1", merchant: "MERCHANT-1").payment(.succeeded) == .succeeded)
        // Our reference plus another merchant's id is a contradiction, for every status.
        let otherMerchant = withMerchant(ours: "M1", merchant: "MERCHANT-2")
        #expect(otherMerchant.contradiction != nil)
        expectUntrusted(otherMerchant.payment(.succeeded))
        expectUntrusted(otherMerchant.payment(.failed(Self.declined)))
        expectUntrusted(otherMerchant.payment(.pending(nil)))
        // A context value we do not hold contradicts nothing and identifies nothing.
        let notHeld = ReplyBinding(
            references: [.context("merchantId", held: nil, named: "MERCHANT-2")],
            expectedAmount: nil, statedAmount: .stated(Self.php100))
        #expect(notHeld.contradiction == nil)
        expectUntrusted(notHeld.payment(.succeeded))
        #expect(notHeld.payment(.failed(Self.declined)) == .failed(Self.declined))
    }

    // MARK: stated amount conversion

    @Test func statedAmountConversionWrapsNilValueAndThrow() {
        #expect(ReplyBinding.StatedAmount { nil } == .absent)
        #expect(ReplyBinding.StatedAmount { Self.php100 } == .stated(Self.php100))
        #expect(ReplyBinding.StatedAmount { throw WalletError(.invalidPartnerResponse, "bad amount") } == .malformed("bad amount"))
        let parsed = ReplyBinding.StatedAmount { try Money(parsing: "100.5", currency: .php) }
        #expect(parsed == .stated(Self.php100))
        guard case .malformed = ReplyBinding.StatedAmount({ try Money(parsing: "1e3", currency: .php) }) else {
            Issue.record("a non-decimal amount must be malformed")
            return
        }
    }
}
