import Foundation
import Testing
import WalletBridgeCore

/// ``JournalTransition/apply(_:to:at:)``: what an outcome may do to a journal entry.
@Suite("Journal transition")
struct JournalTransitionTests {
    typealias State = JournalEntry.State

    static let t0 = Date(timeIntervalSince1970: 1_700_000_000)
    static let t1 = Date(timeIntervalSince1970: 1_700_000_060)
    static let declined = WalletError(.declined, "USER_BALANCE_NOT_ENOUGH", partnerCode: "U01", mayHaveCharged: false)
    static let timeout = WalletError(.timeout, "no answer in time")
    static let unsent = WalletError(.partnerUnavailable, "connection refused", mayHaveCharged: false)
    static let finals: [State] = [.succeeded, .failed, .cancelled]

    func entry(
        _ state: State = .created, kind: JournalEntry.Kind = .payment, walletReference: String? = nil, walletRefundReference: String? = nil,
        lastError: WalletError? = nil, partnerCode: String? = nil, attempts: Int = 1, unsentAttempts: Int = 0
    ) -> JournalEntry {
        JournalEntry(
            id: JournalEntry.paymentID(wallet: "gcash", merchantReference: "M1"), wallet: "gcash", kind: kind, merchantReference: "M1",
            walletReference: walletReference, refundReference: kind == .refund ? "R1" : nil, walletRefundReference: walletRefundReference,
            amountMinorUnits: 10_050, currency: "PHP", state: state, lastError: lastError.map(StoredError.init), partnerCode: partnerCode,
            attempts: attempts, unsentAttempts: unsentAttempts, createdAt: Self.t0, updatedAt: Self.t0)
    }

    func outcome(
        _ state: State?, _ operation: WalletCapabilities.Operation = .inquire, error: WalletError? = nil,
        walletReference: String? = nil, walletRefundReference: String? = nil, partnerCode: String? = nil
    ) -> JournalOutcome {
        JournalOutcome(
            operation: operation, state: state, error: error, walletReference: walletReference,
            walletRefundReference: walletRefundReference, partnerCode: partnerCode)
    }

    func isRefused(_ verdict: JournalTransition.Verdict) -> Bool {
        if case .refused = verdict { return true }
        return false
    }

    // MARK: final states are never overwritten

    @Test(arguments: finals)
    func aFinalStateIsNeverOverwrittenByAnotherFinalState(final: State) {
        let before = entry(final, walletReference: nil, lastError: final == .failed ? Self.declined : nil, partnerCode: "P0")
        for incoming in Self.finals where incoming != final {
            let (after, verdict) = JournalTransition.apply(
                outcome(incoming, .inquire, error: incoming == .failed ? Self.declined : nil, walletReference: "W9", partnerCode: "P9"), to: before,
                at: Self.t1)
            #expect(isRefused(verdict), "\(final) ← \(incoming)")
            #expect(after == before, "\(final) ← \(incoming): the entry must be unchanged")
        }
    }

    @Test(arguments: finals)
    func theSameFinalStateAgainIsKept(final: State) {
        let before = entry(final, walletReference: "W1", lastError: final == .failed ? Self.declined : nil)
        let (after, verdict) = JournalTransition.apply(
            outcome(final, .inquire, error: final == .failed ? Self.declined : nil), to: before, at: Self.t1)
        #expect(verdict == .kept)
        #expect(after.state == final)
        #expect(after.lastError == before.lastError)
    }

    @Test(arguments: finals)
    func aLatePendingOverAFinalStateLeavesTheStateUnchanged(final: State) {
        let before = entry(final, walletReference: "W1", lastError: final == .failed ? Self.declined : nil)
        let (after, _) = JournalTransition.apply(outcome(.pending, .inquire), to: before, at: Self.t1)
        #expect(after.state == final)
        #expect(after.lastError == before.lastError)
        #expect(after.walletReference == "W1")
    }

    /// `Verdict.kept` is documented as "the outcome did not change the state (same state, a
    /// late pending, …)": a late pending is not a contradiction to refuse.
    @Test(arguments: finals)
    func aLatePendingOverAFinalStateIsKeptNotRefused(final: State) {
        let before = entry(final, lastError: final == .failed ? Self.declined : nil)
        let (_, verdict) = JournalTransition.apply(outcome(.pending, .inquire), to: before, at: Self.t1)
        #expect(verdict == .kept, "a late pending over \(final) gave \(verdict)")
    }

    @Test(arguments: finals)
    func unknownOverAFinalStateLeavesItUnchanged(final: State) {
        let before = entry(final, lastError: final == .failed ? Self.declined : nil)
        let (after, verdict) = JournalTransition.apply(
            outcome(.unknown, .inquire, error: WalletError(.invalidPartnerResponse, "unbound")), to: before, at: Self.t1)
        #expect(after.state == final)
        #expect(after.lastError == before.lastError)
        #expect(verdict != .applied)
    }

    /// An error that says nothing about the payment (an inquiry that timed out) must not
    /// rewrite why a failed payment failed: the journal answers later pays with
    /// `paymentResult`, whose `failed` reason is `lastError`.
    @Test func aCallErrorDoesNotRewriteTheReasonOfAFailedPayment() {
        let before = entry(.failed, lastError: Self.declined, partnerCode: "U01")
        let (after, verdict) = JournalTransition.apply(.threw(.inquire, Self.timeout), to: before, at: Self.t1)
        #expect(verdict == .kept)
        #expect(after.state == .failed)
        #expect(after.lastError == StoredError(Self.declined), "the failure reason became \(String(describing: after.lastError))")
        guard case .failed(let reason) = after.paymentResult.status else {
            Issue.record("expected failed, got \(after.paymentResult.status)")
            return
        }
        #expect(reason.category == .declined)
        #expect(!reason.mayHaveCharged, "a failed payment is reported as possibly charged")
    }

    // MARK: open states

    @Test func createdToUnknownIsApplied() {
        let before = entry(.created)
        let error = WalletError(.unknownOutcome, "processing", partnerCode: "U")
        let (after, verdict) = JournalTransition.apply(outcome(.unknown, .pay, error: error, partnerCode: "U"), to: before, at: Self.t1)
        #expect(verdict == .applied)
        #expect(after.state == .unknown)
        #expect(after.lastError == StoredError(error))
        #expect(after.partnerCode == "U")
        #expect(after.updatedAt == Self.t1)
        #expect(after.createdAt == Self.t0)
    }

    @Test func unknownOverPendingKeepsPendingAndRecordsTheError() {
        let before = entry(.pending, partnerCode: "PENDING")
        let error = WalletError(.invalidPartnerResponse, "the reply is not bound")
        let (after, verdict) = JournalTransition.apply(outcome(.unknown, .inquire, error: error), to: before, at: Self.t1)
        #expect(verdict == .kept)
        #expect(after.state == .pending)
        #expect(after.lastError == StoredError(error))
        #expect(after.paymentResult.status == .pending(nil))
        #expect(after.paymentResult.lastError == error)
    }

    @Test func pendingTransitions() {
        let (fromCreated, v1) = JournalTransition.apply(outcome(.pending, .pay, partnerCode: "P"), to: entry(.created), at: Self.t1)
        #expect(v1 == .applied)
        #expect(fromCreated.state == .pending)
        #expect(fromCreated.partnerCode == "P")
        let (fromUnknown, v2) = JournalTransition.apply(outcome(.pending, .inquire), to: entry(.unknown, lastError: Self.timeout), at: Self.t1)
        #expect(v2 == .applied)
        #expect(fromUnknown.state == .pending)
        let (again, v3) = JournalTransition.apply(outcome(.pending, .inquire), to: entry(.pending), at: Self.t1)
        #expect(v3 == .kept)
        #expect(again.state == .pending)
    }

    @Test(arguments: [State.created, .pending, .unknown])
    func finalOutcomesApplyToOpenEntries(open: State) {
        for final in Self.finals {
            let error: WalletError? = final == .failed ? Self.declined : nil
            let (after, verdict) = JournalTransition.apply(
                outcome(final, .inquire, error: error, partnerCode: "C"), to: entry(open, lastError: Self.timeout), at: Self.t1)
            #expect(verdict == .applied)
            #expect(after.state == final)
            #expect(after.lastError == error.map(StoredError.init))
            #expect(after.partnerCode == "C")
        }
    }

    @Test func unknownOverUnknownIsKeptWithTheNewError() {
        let newer = WalletError(.unknownOutcome, "still processing")
        let (after, verdict) = JournalTransition.apply(
            outcome(.unknown, .inquire, error: newer), to: entry(.unknown, lastError: Self.timeout), at: Self.t1)
        #expect(verdict == .kept)
        #expect(after.state == .unknown)
        #expect(after.lastError == StoredError(newer))
    }

    @Test(arguments: [State.created, .pending, .unknown])
    func createdIsNeverAppliedOverAnything(open: State) {
        let (after, verdict) = JournalTransition.apply(outcome(.created, .inquire), to: entry(open), at: Self.t1)
        #expect(verdict == .kept)
        #expect(after.state == open)
    }

    // MARK: calls that threw

    @Test(arguments: [State.created, .pending, .unknown])
    func aThrownCallKeepsTheStateAndRecordsTheError(open: State) {
        let before = entry(open)
        let (after, verdict) = JournalTransition.apply(.threw(.inquire, Self.timeout), to: before, at: Self.t1)
        #expect(verdict == .kept)
        #expect(after.state == open)
        #expect(after.lastError == StoredError(Self.timeout))
        #expect(after.unsentAttempts == before.unsentAttempts)
    }

    @Test(arguments: [WalletCapabilities.Operation.pay, .refund])
    func anUnsentAttemptIsCountedSoNothingReachedTheWallet(operation: WalletCapabilities.Operation) {
        let before = entry(.created, kind: operation == .pay ? .payment : .refund, attempts: 1)
        #expect(before.mayHaveReachedWallet)
        let threw = JournalOutcome.threw(operation, Self.unsent)
        #expect(threw.notSent)
        let (after, verdict) = JournalTransition.apply(threw, to: before, at: Self.t1)
        #expect(verdict == .kept)
        #expect(after.state == .created)
        #expect(after.unsentAttempts == 1)
        #expect(!after.mayHaveReachedWallet)
        // The same failure recorded twice for one attempt never counts more unsent attempts than attempts.
        let (twice, _) = JournalTransition.apply(threw, to: after, at: Self.t1)
        #expect(twice.unsentAttempts == 1)
        #expect(!twice.mayHaveReachedWallet)
    }

    @Test func oneAttemptThatMayHaveArrivedKeepsTheEntryReachable() {
        // Attempt 1 unsent, attempt 2 timed out after sending.
        var e = entry(.created, attempts: 1)
        e = JournalTransition.apply(.threw(.pay, Self.unsent), to: e, at: Self.t1).0
        #expect(!e.mayHaveReachedWallet)
        e.attempts = 2  // the journal's recordAttempt
        #expect(e.mayHaveReachedWallet)
        e = JournalTransition.apply(.threw(.pay, Self.timeout), to: e, at: Self.t1).0
        #expect(e.unsentAttempts == 1)
        #expect(e.mayHaveReachedWallet)
    }

    @Test(arguments: [WalletCapabilities.Operation.inquire, .cancel, .inquireRefund])
    func unsentReadsAndCancelsDoNotCountAsUnsentAttempts(operation: WalletCapabilities.Operation) {
        let (after, _) = JournalTransition.apply(.threw(operation, Self.unsent), to: entry(.unknown, attempts: 1), at: Self.t1)
        #expect(after.unsentAttempts == 0)
        #expect(after.mayHaveReachedWallet)
    }

    @Test func aChargingErrorIsNotUnsent() {
        #expect(!JournalOutcome.threw(.pay, Self.timeout).notSent)
        let (after, _) = JournalTransition.apply(.threw(.pay, Self.timeout), to: entry(.created, attempts: 1), at: Self.t1)
        #expect(after.unsentAttempts == 0)
        #expect(after.mayHaveReachedWallet)
    }

    // MARK: wallet references

    @Test func theWalletReferenceIsAdoptedOnlyWhenNotYetKnown() {
        let (adopted, _) = JournalTransition.apply(outcome(.pending, .pay, walletReference: "W1"), to: entry(.created), at: Self.t1)
        #expect(adopted.walletReference == "W1")
        let (kept, _) = JournalTransition.apply(outcome(.pending, .inquire, walletReference: "W2"), to: adopted, at: Self.t1)
        #expect(kept.walletReference == "W1")
        let (keptOnUnknown, _) = JournalTransition.apply(
            outcome(.unknown, .inquire, walletReference: "W3"), to: entry(.pending, walletReference: "W1"), at: Self.t1)
        #expect(keptOnUnknown.walletReference == "W1")
        let (none, _) = JournalTransition.apply(
            outcome(.pending, .inquire, walletReference: nil), to: entry(.pending, walletReference: "W1"), at: Self.t1)
        #expect(none.walletReference == "W1")
        let (onSuccess, _) = JournalTransition.apply(outcome(.succeeded, .inquire, walletReference: "W4"), to: entry(.unknown), at: Self.t1)
        #expect(onSuccess.walletReference == "W4")
    }

    @Test func theWalletRefundReferenceIsAdoptedOnlyWhenNotYetKnown() {
        let (adopted, _) = JournalTransition.apply(
            outcome(.pending, .refund, walletRefundReference: "WR1"), to: entry(.created, kind: .refund), at: Self.t1)
        #expect(adopted.walletRefundReference == "WR1")
        let (kept, _) = JournalTransition.apply(outcome(.succeeded, .inquireRefund, walletRefundReference: "WR2"), to: adopted, at: Self.t1)
        #expect(kept.walletRefundReference == "WR1")
        #expect(kept.state == .succeeded)
    }

    @Test func aRefusedTransitionAdoptsNothing() {
        let before = entry(.succeeded, walletReference: nil)
        let (after, verdict) = JournalTransition.apply(
            outcome(.failed, .inquire, error: Self.declined, walletReference: "W9"), to: before, at: Self.t1)
        #expect(isRefused(verdict))
        #expect(after.walletReference == nil)
        #expect(after.updatedAt == Self.t0)
    }
}

extension JournalTransitionTests {
    // MARK: recovery's "never sent" close is conditional

    @Test func recoveryClosesAnEntryNothingEverLeftFor() {
        var close = outcome(.failed, .pay, error: Self.unsent)
        close.onlyIfNeverSent = true
        let (after, verdict) = JournalTransition.apply(close, to: entry(.created, attempts: 2, unsentAttempts: 2), at: Self.t1)
        #expect(verdict == .applied)
        #expect(after.state == .failed)
    }

    @Test func recoveryNeverClosesAnEntryAResendMayHaveReachedSince() {
        // Listed as never sent, but a resend started meanwhile (attempts 3 > unsent 2).
        var close = outcome(.failed, .pay, error: Self.unsent)
        close.onlyIfNeverSent = true
        let sent = entry(.created, attempts: 3, unsentAttempts: 2)
        let (after, verdict) = JournalTransition.apply(close, to: sent, at: Self.t1)
        #expect(verdict == .kept)
        #expect(after == sent)
        // Nor one that has an answer already.
        let (unknown, verdictUnknown) = JournalTransition.apply(close, to: entry(.unknown, attempts: 2, unsentAttempts: 2), at: Self.t1)
        #expect(verdictUnknown == .kept)
        #expect(unknown.state == .unknown)
    }

    @Test func aResendUnderTheSameReferenceMustNotChangeTheBody() {
        let request = PaymentRequest(
            merchantReference: "M1", amount: Money(minorUnits: 10_050, currency: .php), customer: CustomerCredential("c"),
            orderDescription: "Order", notifyURL: "https://shop.example/n")
        let stored = JournalEntry.intent(wallet: "gcash", request, at: Self.t0)
        #expect(stored.matches(request))
        var other = request
        other.orderDescription = "Another order"
        #expect(!stored.matches(other))
        other = request
        other.notifyURL = nil
        #expect(!stored.matches(other))
        other = request
        other.amount = Money(minorUnits: 10_051, currency: .php)
        #expect(!stored.matches(other))
    }
}
