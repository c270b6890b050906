import Foundation
import Logging

/// Records every operation in a ``PaymentJournal``: the intent of a pay or refund before its
/// first byte is sent, each attempt, and each outcome through ``JournalTransition``. It answers
/// from the journal when the answer is already settled, and refuses a pay or refund that reuses
/// a reference with other content, without sending anything.
///
/// It returns the journal's view of the payment, so a late `pending` never shows over a final
/// state, and an unbound reply never overwrites what was proven.
public struct JournalMiddleware: WalletMiddleware {
    /// Where entries go.
    public let journal: any PaymentJournal
    /// Wall time for entries.
    public let now: @Sendable () -> Date
    /// Counts each payment the journal makes final (`payments_final_total`); nil counts nothing.
    public let metrics: WalletMetrics?

    /// Creates the middleware.
    public init(journal: any PaymentJournal, now: @escaping @Sendable () -> Date = { Date() }, metrics: WalletMetrics? = nil) {
        self.journal = journal
        self.now = now
        self.metrics = metrics
    }

    public func intercept(_ operation: WalletOperation, context: WalletOperationContext, next: WalletNext) async throws(WalletError) -> WalletOutcome
    {
        // This frame stays allocated while `next` runs (the wire call and everything after it),
        // for every payment in flight: the journal's work before and after lives in the helpers
        // below, whose frames are gone by then.
        let id: JournalEntry.ID
        switch try await begin(operation, context: context) {
        case .answered(let outcome): return outcome
        case .passThrough: return try await next(operation, context)
        case .recorded(let recorded): id = recorded
        }
        let outcome: WalletOutcome
        do throws(WalletError) {
            outcome = try await next(operation, context)
        } catch {
            try await recordThrown(id, operation: operation, error, context: context)
            throw error
        }
        return try await finish(id, operation: operation, outcome, context: context)
    }

    /// What ``intercept(_:context:next:)`` does once the journal has been read.
    enum Start: Sendable {
        /// Settled, or refused: answer this without sending.
        case answered(WalletOutcome)
        /// A payment this journal does not know (made elsewhere): pass through, record nothing.
        case passThrough
        /// The attempt is recorded under this entry: send, then record the outcome.
        case recorded(JournalEntry.ID)
    }

    /// Records the intent and the attempt (one commit for a new pay or refund), or finds the
    /// operation answered already.
    @inline(never)
    func begin(_ operation: WalletOperation, context: WalletOperationContext) async throws(WalletError) -> Start {
        let id: JournalEntry.ID
        switch operation {
        case .pay(let request):
            id = JournalEntry.paymentID(wallet: context.wallet, merchantReference: request.merchantReference)
            let intent = JournalEntry.intent(wallet: context.wallet, request, at: now())
            let (entry, inserted) = try await io(context) { try await journal.beginFirstAttempt(intent, operation: .pay, at: now()) }
            guard entry.matches(request) else {
                throw WalletError(
                    .inconsistentRequest,
                    "merchant reference \(request.merchantReference) was already used for \(entry.amount.map { "\($0)" } ?? "another amount"); nothing was sent, the original payment stands",
                    mayHaveCharged: entry.mayHaveReachedWallet)
            }
            if !inserted, entry.state.isFinal {
                // Settled (even as "never sent"): answer from the journal, never send again.
                context.logger.info(
                    "pay answered from the journal: the payment is already \(entry.state.rawValue)",
                    metadata: ["merchantReference": "\(request.merchantReference)"])
                return .answered(.payment(entry.paymentResult))
            }
            if inserted { return .recorded(id) }
        case .refund(let request):
            id = JournalEntry.refundID(wallet: context.wallet, refundReference: request.refundReference)
            let intent = JournalEntry.intent(wallet: context.wallet, request, at: now())
            let (entry, inserted) = try await io(context) { try await journal.beginFirstAttempt(intent, operation: .refund, at: now()) }
            guard entry.matches(request) else {
                throw WalletError(
                    .inconsistentRequest,
                    "refund reference \(request.refundReference) was already used for \(entry.amount.map { "\($0)" } ?? "another amount") of \(entry.merchantReference); nothing was sent, the original refund stands",
                    mayHaveCharged: false)
            }
            if !inserted, entry.state.isFinal { return .answered(.refund(entry.refundResult)) }
            if inserted { return .recorded(id) }
        case .inquire(let query), .cancel(let query):
            id = JournalEntry.paymentID(wallet: context.wallet, merchantReference: query.merchantReference)
            guard try await io(context, { try await journal.entry(id) }) != nil else { return .passThrough }
        case .inquireRefund(let query):
            id = JournalEntry.refundID(wallet: context.wallet, refundReference: query.refundReference)
            guard try await io(context, { try await journal.entry(id) }) != nil else { return .passThrough }
        }
        try await io(context) { try await journal.recordAttempt(id, operation: operation.kind, attempt: context.attempt, at: now()) }
        return .recorded(id)
    }

    /// Records that the attempt threw.
    @inline(never)
    func recordThrown(
        _ id: JournalEntry.ID, operation: WalletOperation, _ error: WalletError, context: WalletOperationContext
    ) async throws(WalletError) {
        _ = try await io(context, sent: true) { try await journal.recordOutcome(id, .threw(operation.kind, error), at: now()) }
    }

    /// Records the attempt's outcome, and answers with the journal's view of it.
    @inline(never)
    func finish(
        _ id: JournalEntry.ID, operation: WalletOperation, _ outcome: WalletOutcome, context: WalletOperationContext
    ) async throws(WalletError)
        -> WalletOutcome
    {
        let recorded: JournalOutcome
        switch outcome {
        case .payment(let result):
            var result = result
            if case .cancel = operation, case .failed = result.status {
                // A refused cancel says the cancel failed, not the payment.
                result.status = .unknown(result.status.error ?? WalletError(.unknownOutcome, "the cancel was refused"))
            }
            recorded = JournalOutcome(operation.kind, result)
        case .refund(let result):
            recorded = JournalOutcome(operation.kind, result)
        }
        let (entry, verdict) = try await io(context, sent: true) { try await journal.recordOutcome(id, recorded, at: now()) }
        metrics?.recorded(entry, verdict: verdict)
        guard case .refused(let why) = verdict else { return Self.merged(outcome, with: entry) }
        // The wallet now says something else than a final state the journal holds: keep the
        // journal's state, and say so beside it (never silently).
        context.logger.error("journal refused a transition of a final state", metadata: ["entry": "\(id)", "reason": "\(why)"])
        let conflict = WalletError(
            .invalidPartnerResponse,
            "the wallet's answer contradicts the payment's final state in the journal (\(why)); the journal's state stands: investigate")
        switch Self.merged(outcome, with: entry) {
        case .payment(var result):
            result.lastError = conflict
            return .payment(result)
        case .refund(var result):
            result.lastError = conflict
            return .refund(result)
        }
    }

    /// The reply's details under the journal's state (the reply's own references and amounts
    /// are kept when the journal agrees with them).
    static func merged(_ outcome: WalletOutcome, with entry: JournalEntry) -> WalletOutcome {
        switch outcome {
        case .payment(var result):
            let journal = entry.paymentResult
            if journal.status.name != result.status.name {
                if case .pending = journal.status, case .unknown(let error) = result.status {
                    result.lastError = error
                }
                result.status = journal.status
            }
            result.walletReference = result.walletReference ?? journal.walletReference
            result.amount = result.amount ?? journal.amount
            return .payment(result)
        case .refund(var result):
            let journal = entry.refundResult
            if journal.status.name != result.status.name { result.status = journal.status }
            result.walletRefundReference = result.walletRefundReference ?? journal.walletRefundReference
            result.amount = result.amount ?? journal.amount
            result.merchantReference = result.merchantReference ?? journal.merchantReference
            return .refund(result)
        }
    }

    /// Runs a journal call; a storage failure becomes a ``WalletError`` that says nothing was
    /// sent (the intent could not be recorded) or that the outcome could not be recorded.
    private func io<T: Sendable>(_ context: WalletOperationContext, sent: Bool = false, _ body: () async throws -> T) async throws(WalletError) -> T {
        do {
            return try await body()
        } catch {
            context.logger.error("payment journal failed", metadata: ["error": "\(error)"])
            throw WalletError(
                .journalUnavailable,
                sent
                    ? "the payment journal could not record the answer (\(error)); the operation may have happened: inquire"
                    : "the payment journal could not record the intent (\(error)); nothing was sent", mayHaveCharged: sent)
        }
    }
}
