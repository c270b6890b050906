import Foundation
import Logging

/// The client's payment policy: the calls that used to hide inside adapters, made here where
/// they are logged, journalled and retried like everything else.
/// - A pay whose outcome is open (unknown, or in process with nothing for the customer to do)
///   is settled by the wallet's ``ReconciliationRule`` through ``ReconciliationStateMachine``,
///   for up to ``settleWithin``; after that the payment is returned open, and
///   ``WalletClient/recoverPending(within:correlationID:)`` or a ``PaymentReconciler`` finishes the job.
/// - A cancel that is refused, or whose reply is not bound, is followed by an inquiry: the
///   payment's real state is reported (a succeeded payment must be refunded instead).
/// - A refund for a wallet that needs its payment reference first inquires the payment for it.
/// - A refund refused because its reference is taken reads the original refund, and returns it
///   when it is the same refund (same amount).
public struct ReconciliationMiddleware: WalletMiddleware {
    /// The wallet's rule.
    public let rule: ReconciliationRule
    /// How long a caller's pay may spend settling inline.
    public let settleWithin: Duration
    /// Sleeps and elapsed time.
    public let clock: PolicyClock
    /// Where a settlement the rule derives (never arrived, window passed) is recorded.
    public let journal: (any PaymentJournal)?
    /// Counts settlements started and finished, and a payment a derived settlement makes final;
    /// nil counts nothing.
    public let metrics: WalletMetrics?

    /// Creates the middleware.
    public init(
        rule: ReconciliationRule, settleWithin: Duration, clock: PolicyClock = PolicyClock(), journal: (any PaymentJournal)? = nil,
        metrics: WalletMetrics? = nil
    ) {
        self.rule = rule
        self.settleWithin = settleWithin
        self.clock = clock
        self.journal = journal
        self.metrics = metrics
    }

    public func intercept(_ operation: WalletOperation, context: WalletOperationContext, next: WalletNext) async throws(WalletError) -> WalletOutcome
    {
        // This frame stays allocated while `next` runs, for every payment in flight: what
        // happens after the first answer lives in non-inlined helpers.
        switch operation {
        case .pay:
            let first = try await next(operation, context)
            guard Self.needsSettling(first) else { return first }
            return await settleFirst(first, of: operation, context: context, next: next)
        case .cancel, .refund:
            return try await composite(operation, context: context, next: next)
        case .inquire, .inquireRefund:
            return try await next(operation, context)
        }
    }

    /// A cancel or a refund, with the calls the policy adds around it.
    @inline(never)
    private func composite(
        _ operation: WalletOperation, context: WalletOperationContext, next: WalletNext
    ) async throws(WalletError)
        -> WalletOutcome
    {
        switch operation {
        case .cancel(let query): return .payment(try await cancel(query, context: context, next: next))
        case .refund(let request): return .refund(try await refund(request, context: context, next: next))
        case .pay, .inquire, .inquireRefund: return try await next(operation, context)
        }
    }

    /// Whether a pay's first answer should be settled now: open, and nothing for the customer to do.
    static func needsSettling(_ outcome: WalletOutcome) -> Bool {
        guard case .payment(let result) = outcome else { return false }
        return needsSettling(result)
    }

    /// Settles a pay's open first answer for up to ``settleWithin``.
    @inline(never)
    private func settleFirst(
        _ first: WalletOutcome, of operation: WalletOperation, context: WalletOperationContext, next: WalletNext
    ) async
        -> WalletOutcome
    {
        guard case .payment(let result) = first, case .pay(let request) = operation else { return first }
        return .payment(await settle(result, request: request, alreadyOpen: .zero, budget: settleWithin, context: context, next: next))
    }

    /// Whether a pay result should be settled now: open, and nothing for the customer to do.
    static func needsSettling(_ result: PaymentResult) -> Bool {
        switch result.status {
        case .unknown, .pending(nil): return true
        case .pending(.some), .succeeded, .failed, .cancelled: return false
        }
    }

    /// Settles an open payment by the rule, within `budget`.
    /// - Parameters:
    ///   - first: The payment as last known (`unknown` or `pending`).
    ///   - request: The original request, when it may be resent (nil in recovery: it never pays again).
    ///   - alreadyOpen: How long the payment has been open before this call (recovery).
    ///   - budget: How long this call may spend settling; the payment is returned open after it.
    ///   - context: The operation's context (wallet, capabilities, correlation id, logger).
    ///   - next: The rest of the chain, which the rule's inquiries, resends and cancels go through.
    public func settle(
        _ first: PaymentResult, request: PaymentRequest?, alreadyOpen: Duration, budget: Duration,
        context: WalletOperationContext, next: WalletNext
    ) async -> PaymentResult {
        metrics?.reconciliationsStarted(wallet: context.wallet).increment()
        let settled = await settling(first, request: request, alreadyOpen: alreadyOpen, budget: budget, context: context, next: next)
        metrics?.reconciliationsFinished(wallet: context.wallet, result: WalletMetrics.ReconciliationResult(settled.status)).increment()
        return settled
    }

    /// ``settle(_:request:alreadyOpen:budget:context:next:)``, uncounted.
    @inline(never)
    private func settling(
        _ first: PaymentResult, request: PaymentRequest?, alreadyOpen: Duration, budget: Duration,
        context: WalletOperationContext, next: WalletNext
    ) async -> PaymentResult {
        var machine = ReconciliationStateMachine(rule: rule, canResend: request != nil)
        var policyContext = context
        policyContext.origin = context.origin == .caller ? .reconciliation : context.origin
        policyContext.attempt = 1
        let watch = clock.stopwatch()
        var current = first
        var action = machine.next(.status(first.status, elapsed: alreadyOpen))
        // This frame stays allocated through every call the rule makes: the calls and what
        // they derive are in non-inlined helpers.
        while true {
            switch action {
            case .settle(let status):
                return await derive(status, current, context: context)
            case .giveUp(let reason):
                return Self.leftOpen(current, reason, context: context)
            case .inquire(let wait), .resend(let wait), .cancel(let wait):
                if Task.isCancelled || watch.elapsed + wait > budget {
                    action = machine.next(.deadlineReached)
                    continue
                }
                await clock.sleep(for: wait)
                let now = alreadyOpen + watch.elapsed
                let step: Step
                if case .cancel = action {
                    step = await cancelStep(&current, machine: &machine, request: request, now: now, context: policyContext, next: next)
                } else {
                    var resend = false
                    if case .resend = action { resend = true }
                    step = await inquiryStep(
                        resend: resend, &current, machine: &machine, request: request, now: now, context: policyContext, next: next)
                }
                switch step {
                case .next(let nextAction): action = nextAction
                case .done(let result): return result
                }
            }
        }
    }

    /// The query for the payment being settled.
    private static func query(_ current: PaymentResult, request: PaymentRequest?) -> PaymentQuery {
        PaymentQuery(
            merchantReference: current.merchantReference, walletReference: current.walletReference,
            expectedAmount: request?.amount ?? current.amount)
    }

    /// What one call of the rule leads to.
    private enum Step {
        case next(ReconciliationStateMachine.Action)
        case done(PaymentResult)
    }

    /// Records a status the rule derived (never arrived once the window passed), and answers
    /// with what the journal then holds (a notification may have settled it).
    @inline(never)
    private func derive(_ status: PaymentStatus, _ current: PaymentResult, context: WalletOperationContext) async -> PaymentResult {
        guard current.status != status else { return current }
        var derived = current
        derived.status = status
        switch await record(derived, context: context) {
        case .recorded(let entry?):
            return JournalMiddleware.merged(.payment(derived), with: entry).payment ?? derived
        case .recorded(nil):
            return derived
        case .failed(let error):
            var current = current
            current.lastError = error
            return current
        }
    }

    /// The payment left open, with the reason beside it.
    @inline(never)
    private static func leftOpen(_ current: PaymentResult, _ reason: WalletError, context: WalletOperationContext) -> PaymentResult {
        context.logger.notice(
            "payment left open", metadata: ["merchantReference": "\(current.merchantReference)", "reason": "\(reason.message)"])
        var current = current
        current.lastError = reason
        return current
    }

    /// An inquiry, or the identical pay again: either answers with the payment's status.
    @inline(never)
    private func inquiryStep(
        resend: Bool, _ current: inout PaymentResult, machine: inout ReconciliationStateMachine, request: PaymentRequest?, now: Duration,
        context: WalletOperationContext, next: WalletNext
    ) async -> Step {
        let operation: WalletOperation
        if resend {
            guard let request else { return .next(machine.next(.deadlineReached)) }
            operation = .pay(request)
        } else {
            operation = .inquire(Self.query(current, request: request))
        }
        do throws(WalletError) {
            let answer = try await next(operation, context)
            current = Self.keep(current, answer.payment)
            if resend, case .pending(.some) = current.status {
                // The resent pay asks the customer to act (Paytm's txnToken, a redirect): only
                // the caller can pass that on.
                return .done(current)
            }
            return .next(machine.next(.status(current.status, elapsed: now)))
        } catch {
            current.lastError = error
            return .next(machine.next(.callFailed(error, elapsed: now)))
        }
    }

    /// A cancel the rule asks for at the end of the payment's window.
    @inline(never)
    private func cancelStep(
        _ current: inout PaymentResult, machine: inout ReconciliationStateMachine, request: PaymentRequest?, now: Duration,
        context: WalletOperationContext, next: WalletNext
    ) async -> Step {
        do throws(WalletError) {
            let answer = try await next(.cancel(Self.query(current, request: request)), context)
            let cancelled = answer.payment?.status ?? .unknown(WalletError(.invalidPartnerResponse, "no cancel answer"))
            if case .cancelled = cancelled { current = Self.keep(current, answer.payment) }
            return .next(machine.next(.cancelAnswered(cancelled, elapsed: now)))
        } catch {
            current.lastError = error
            return .next(
                error.mayHaveCharged || error.isRetryable
                    ? machine.next(.callFailed(error, elapsed: now))
                    : machine.next(.cancelAnswered(.failed(error), elapsed: now)))
        }
    }

    /// A cancel, followed by an inquiry when the cancel is refused or its reply is not bound.
    @inline(never)
    func cancel(_ query: PaymentQuery, context: WalletOperationContext, next: WalletNext) async throws(WalletError) -> PaymentResult {
        var policyContext = context
        policyContext.origin = .reconciliation
        let cancelError: WalletError
        do throws(WalletError) {
            let answer = try await next(.cancel(query), context)
            guard let result = answer.payment else { throw WalletError(.invalidPartnerResponse, "the cancel returned no payment") }
            if case .cancelled = result.status { return result }
            cancelError = result.status.error ?? WalletError(.unknownOutcome, "the cancel answered \(result.status.name)")
        } catch {
            guard error.category != .journalUnavailable, error.category != .invalidRequest || error.partnerCode != nil else { throw error }
            cancelError = error
        }
        // Our configuration is wrong: an inquiry would fail the same way.
        if cancelError.diagnosis?.stopsWaiting == true { throw cancelError }
        // Refused, undecided or unbound: the payment's state decides (two levels: the cancel's
        // error says nothing about the payment).
        let inquired = try await next(.inquire(query), policyContext)
        guard var result = inquired.payment else { throw cancelError }
        if result.lastError == nil { result.lastError = cancelError }
        return result
    }

    /// A refund, with the policy's lookups around it.
    @inline(never)
    func refund(_ request: RefundRequest, context: WalletOperationContext, next: WalletNext) async throws(WalletError) -> RefundResult {
        var policyContext = context
        policyContext.origin = .reconciliation
        var request = request
        if request.walletReference == nil, context.capabilities.refundNeedsWalletReference {
            let payment = try await next(.inquire(PaymentQuery(merchantReference: request.merchantReference)), policyContext).payment
            guard let payment, case .succeeded = payment.status, let found = payment.walletReference else {
                // One category for one mistake, whatever the wallet: a payment the wallet does
                // not know is `notFound` (as the wallets that look it up themselves answer).
                if payment == nil || payment?.status.error?.category == .notFound {
                    throw WalletError(
                        .notFound, "payment \(request.merchantReference) is not known to the wallet; only a succeeded payment can be refunded",
                        mayHaveCharged: false)
                }
                throw WalletError(
                    .invalidRequest,
                    "payment \(request.merchantReference) is \(payment?.status.name ?? "unknown"), not a succeeded payment with a wallet reference; only those can be refunded",
                    mayHaveCharged: false)
            }
            request.walletReference = found
        }
        do throws(WalletError) {
            guard let result = try await next(.refund(request), context).refund else {
                throw WalletError(.invalidPartnerResponse, "the refund returned no refund")
            }
            return result
        } catch  where error.category == .duplicate && context.capabilities.supports(.inquireRefund) {
            // The refund reference is taken: by this very refund (a retry), or by another one.
            let query = RefundQuery(
                refundReference: request.refundReference, merchantReference: request.merchantReference, expectedAmount: request.amount)
            if let original = try? await next(.inquireRefund(query), policyContext).refund {
                switch original.status {
                case .succeeded, .pending, .failed: return original
                case .unknown: break
                }
            }
            throw WalletError(
                .duplicate, "refund reference \(request.refundReference) was already used for another refund; the original stands",
                partnerCode: error.partnerCode, partnerMessage: error.partnerMessage, mayHaveCharged: false)
        }
    }

    /// Keeps what an earlier answer told (wallet reference, amounts, quote) when a later one omits it.
    static func keep(_ earlier: PaymentResult, _ later: PaymentResult?) -> PaymentResult {
        guard var later else { return earlier }
        later.walletReference = later.walletReference ?? earlier.walletReference
        later.amount = later.amount ?? earlier.amount
        later.customerAmount = later.customerAmount ?? earlier.customerAmount
        later.quote = later.quote ?? earlier.quote
        return later
    }

    enum Recording { case recorded(JournalEntry?), failed(WalletError) }

    /// Records a status the rule derived; the entry as the journal then holds it.
    private func record(_ result: PaymentResult, context: WalletOperationContext) async -> Recording {
        guard let journal else { return .recorded(nil) }
        let id = JournalEntry.paymentID(wallet: context.wallet, merchantReference: result.merchantReference)
        do {
            let (entry, verdict) = try await journal.recordOutcome(id, JournalOutcome(.inquire, result), at: clock.now())
            metrics?.recorded(entry, verdict: verdict)
            return .recorded(entry)
        } catch {
            context.logger.error("payment journal failed", metadata: ["error": "\(error)"])
            return .failed(
                WalletError(
                    .journalUnavailable, "the payment journal could not record the settlement (\(error)); the payment stays open",
                    mayHaveCharged: true))
        }
    }
}
