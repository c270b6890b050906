import CoreMetrics
import Foundation
import Logging
import WalletBridgeHTTP

/// What partner code calls: a value-type façade that checks each request against the
/// adapter's capabilities, then passes it through one chain of ``WalletMiddleware``s to the
/// adapter, the way swift-openapi-runtime's `UniversalClient` folds middlewares around a
/// transport.
///
/// The chain, outermost first: your own middlewares (``Configuration/middlewares``), then
/// ``ReconciliationMiddleware`` (the wallet's rule, composite flows), ``LoggingMiddleware``,
/// ``RetryMiddleware`` and ``JournalMiddleware``. Calls the policy makes for you (an inquiry
/// after `unknown`, a cancel at the end of a window) pass through every middleware after the
/// reconciliation one, so they are logged, retried and journalled.
///
/// Resources that live longer than a call sit beside the client: the ``PaymentJournal`` (pass
/// `SQLitePaymentJournal` from `WalletBridgeSQLite` for durability) and ``PaymentReconciler``.
///
/// Logs carry references, statuses and partner codes, never credentials, signatures or bodies.
///
/// ## Metrics
/// Set ``Configuration/metrics`` to a swift-metrics `MetricsFactory` (nothing is bootstrapped
/// globally; nil, the default, records nothing). The client then adds a ``MetricsMiddleware``
/// right after your middlewares (`walletbridge_calls_total`, `walletbridge_call_duration_seconds`,
/// `walletbridge_call_errors_total`: one per operation you asked for) and one innermost, right
/// before the adapter (`walletbridge_attempts_total`, `walletbridge_retries_total`: every wire
/// attempt); the reconciliation and journal middlewares count
/// `walletbridge_reconciliations_started_total`, `walletbridge_reconciliations_finished_total`
/// and `walletbridge_payments_final_total` (once per payment, when the journal makes it final).
/// Dimensions are `wallet`, `operation`, `outcome`, `error`, `result` and `status`, never a
/// reference. See ``WalletMetrics`` for the table.
public struct WalletClient: Sendable {
    /// Policy settings.
    public struct Configuration: Sendable {
        /// When to resend one operation.
        public var retry: RetryPolicy
        /// How long `pay` may spend settling an open outcome before it returns it open.
        public var settleWithin: Duration
        /// The rule for open payments; nil means the adapter's own.
        public var reconciliationRule: ReconciliationRule?
        /// Sleeps, elapsed times and journal timestamps.
        public var clock: PolicyClock
        /// How long final journal entries are kept before ``PaymentReconciler`` purges them.
        public var retention: Duration
        /// Your own middlewares, outermost first (metrics, fault injection...).
        public var middlewares: [any WalletMiddleware]
        /// Draws backoff jitter in `0..<1`.
        public var jitter: @Sendable () -> Double
        /// Where ``WalletMetrics`` are recorded; nil (the default) records nothing.
        public var metrics: (any MetricsFactory)?
        /// Where customer authorizations are kept (the default keeps them in memory; use
        /// `SQLiteCustomerAuthorizationStore` to keep them, encrypted, in the journal's database).
        public var authorizationStore: any CustomerAuthorizationStore = InMemoryCustomerAuthorizationStore()
        /// When a stored access token is refreshed before a payment (5 minutes before expiry).
        public var authorizationRefresh = AuthorizationRefreshPolicy()

        /// The defaults: ``RetryPolicy/init(maxAttempts:initialBackoff:maxBackoff:deadline:)``'s
        /// defaults, 30 s of inline settling, the adapter's rule, real clocks, 72 h retention, no metrics.
        public init(
            retry: RetryPolicy = RetryPolicy(), settleWithin: Duration = .seconds(30), reconciliationRule: ReconciliationRule? = nil,
            clock: PolicyClock = PolicyClock(), retention: Duration = .seconds(72 * 3600), middlewares: [any WalletMiddleware] = [],
            jitter: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }, metrics: (any MetricsFactory)? = nil
        ) {
            self.retry = retry
            self.settleWithin = settleWithin
            self.reconciliationRule = reconciliationRule
            self.clock = clock
            self.retention = retention
            self.middlewares = middlewares
            self.jitter = jitter
            self.metrics = metrics
        }
    }

    /// The adapter calls go to.
    public let adapter: any WalletAdapter
    /// Where operations are logged.
    public let logger: Logger
    /// Where every payment and refund is recorded.
    public let journal: any PaymentJournal
    /// Policy settings.
    public let configuration: Configuration
    /// The metrics this client records (one handle cache for its lifetime), when
    /// ``Configuration/metrics`` is set.
    public let metrics: WalletMetrics?
    /// Keeps this client's stored authorizations fresh (one refresh per authorization at a
    /// time, shared by concurrent payments).
    public let authorizations: AuthorizationRefresher
    /// The chain from each middleware on, built once: `steps[0]` is the whole chain.
    private var steps: [WalletNext] = []

    /// Creates a client.
    /// - Parameters:
    ///   - adapter: The wallet's adapter; every call goes to it through the middlewares.
    ///   - journal: The payment journal; the default keeps it in memory (use
    ///     `SQLitePaymentJournal` so that a crash loses nothing).
    ///   - logger: The default discards everything.
    ///   - configuration: Policy settings (retries, inline settling, clock, retention, metrics).
    public init(
        adapter: any WalletAdapter, journal: any PaymentJournal = InMemoryPaymentJournal(),
        logger: Logger = Logger(label: "walletbridge", factory: { _ in SwiftLogNoOpLogHandler() }),
        configuration: Configuration = Configuration()
    ) {
        self.adapter = adapter
        self.journal = journal
        self.logger = logger
        self.configuration = configuration
        self.metrics = configuration.metrics.map { WalletMetrics(factory: $0) }
        self.authorizations = AuthorizationRefresher(
            adapter: adapter, store: configuration.authorizationStore, policy: configuration.authorizationRefresh, now: configuration.clock.now)
        self.steps = Self.steps(through: middlewares, to: adapter)
    }

    /// The wallet's reconciliation rule in force.
    public var reconciliationRule: ReconciliationRule { configuration.reconciliationRule ?? adapter.reconciliationRule }

    var reconciliation: ReconciliationMiddleware {
        ReconciliationMiddleware(
            rule: reconciliationRule, settleWithin: configuration.settleWithin, clock: configuration.clock, journal: journal, metrics: metrics)
    }

    /// Your middlewares, then (with metrics) the call-level ``MetricsMiddleware``: what the
    /// policy's own calls do not pass through.
    var outerMiddlewares: [any WalletMiddleware] {
        guard let metrics else { return configuration.middlewares }
        return configuration.middlewares + [MetricsMiddleware(metrics: metrics, level: .call, clock: configuration.clock)]
    }

    /// The chain, outermost first.
    var middlewares: [any WalletMiddleware] {
        var chain =
            outerMiddlewares + [
                reconciliation,
                LoggingMiddleware(),
                RetryMiddleware(policy: configuration.retry, clock: configuration.clock, jitter: configuration.jitter),
                JournalMiddleware(journal: journal, now: configuration.clock.now, metrics: metrics),
                AuthorizationMiddleware(refresher: authorizations, now: configuration.clock.now),
            ]
        if let metrics { chain.append(MetricsMiddleware(metrics: metrics, level: .attempt, clock: configuration.clock)) }
        return chain
    }

    /// Passes `operation` through the chain from middleware `index` (the whole chain from 0).
    func chain(from index: Int = 0) -> WalletNext {
        steps[min(index, steps.count - 1)]
    }

    /// The chain from each middleware on, and last the adapter alone.
    private static func steps(through middlewares: [any WalletMiddleware], to adapter: any WalletAdapter) -> [WalletNext] {
        let last: WalletNext = { operation, _ async throws(WalletError) -> WalletOutcome in
            try await perform(operation, on: adapter)
        }
        var steps = [last]
        for middleware in middlewares.reversed() {
            let rest = steps[steps.count - 1]
            let step: WalletNext = { operation, context async throws(WalletError) -> WalletOutcome in
                try await middleware.intercept(operation, context: context, next: rest)
            }
            steps.append(step)
        }
        return steps.reversed()
    }

    /// Runs `operation` on the adapter, with its ``RequestContext`` set for transports that act
    /// per operation (fault injection, tracing).
    @inline(never)
    private static func perform(_ operation: WalletOperation, on adapter: any WalletAdapter) async throws(WalletError) -> WalletOutcome {
        let key = operation.refundReference ?? operation.merchantReference ?? ""
        let result = await RequestContext.$current.withValue(RequestContext(operation: operation.kind.rawValue, key: key)) {
            () async -> Result<WalletOutcome, WalletError> in
            do throws(WalletError) {
                return .success(try await operation.run(on: adapter))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    func context(_ correlationID: String?, origin: WalletOperationOrigin = .caller) -> WalletOperationContext {
        let id = correlationID ?? RandomIdentifier.uuid()
        var log = logger
        log[metadataKey: "wallet"] = "\(adapter.walletName)"
        log[metadataKey: "correlationID"] = "\(id)"
        return WalletOperationContext(wallet: adapter.walletName, capabilities: adapter.capabilities, correlationID: id, logger: log, origin: origin)
    }

    func run(_ operation: WalletOperation, correlationID: String?) async throws(WalletError) -> WalletOutcome {
        try await chain()(operation, context(correlationID))
    }

    // MARK: Operations

    /// Takes a payment, exactly once: the intent is journalled before the first byte is sent,
    /// inputs that shape the body are pinned, a request that never left is resent, and an open
    /// outcome is settled by the wallet's rule for up to ``Configuration/settleWithin``.
    ///
    /// Calling `pay` again with the same merchant reference never charges twice: a settled
    /// payment is answered from the journal, an open one is resent identically (the wallet
    /// answers the original), and other content is refused without sending.
    ///
    /// A request that names a stored authorization (``PaymentRequest/authorization``) pays with
    /// its access token, refreshed first when due; a revoked or expired one is refused (thrown,
    /// with ``WalletError/authorization`` set) before anything is journalled or sent.
    /// - Returns: the payment as proven so far; `unknown` or `pending` means it is still open
    ///   (``recoverPending(within:correlationID:)`` or a ``PaymentReconciler`` settles it).
    public func pay(_ request: PaymentRequest, correlationID: String? = nil) async throws(WalletError) -> PaymentResult {
        // This frame stays allocated while the payment is sent: the checks and the journal read
        // before it are in a non-inlined helper.
        let (pinned, resend): (PaymentRequest, Bool)
        switch try await prepare(request) {
        case .answered(let result): return result
        case .send(let request, let mayHaveReached): (pinned, resend) = (request, mayHaveReached)
        }
        let outcome = await AuthorizationMiddleware.$earlierAttemptMayHaveReached.withValue(resend) {
            () async -> Result<WalletOutcome, WalletError> in
            do throws(WalletError) {
                return .success(try await run(.pay(pinned), correlationID: correlationID))
            } catch {
                return .failure(error)
            }
        }
        return try payment(outcome.get())
    }

    /// What ``pay(_:correlationID:)`` does once its request is checked against the journal.
    private enum Preparation: Sendable {
        /// The journal's answer, without sending.
        case answered(PaymentResult)
        /// Send this request; whether an earlier attempt may have reached the wallet.
        case send(PaymentRequest, mayHaveReached: Bool)
    }

    /// Checks a pay against the capabilities and the journal, puts a stored authorization's
    /// token in it, and pins what shapes its body.
    @inline(never)
    private func prepare(_ request: PaymentRequest) async throws(WalletError) -> Preparation {
        guard adapter.capabilities.supports(.pay) else {
            throw WalletError(.invalidRequest, "\(adapter.walletName) does not support pay", mayHaveCharged: false)
        }
        try adapter.capabilities.check(request.amount)
        var request = request
        let known: JournalEntry?
        do {
            known = try await journal.entry(JournalEntry.paymentID(wallet: adapter.walletName, merchantReference: request.merchantReference))
        } catch {
            throw WalletError(.journalUnavailable, "the payment journal could not be read (\(error)); nothing was sent", mayHaveCharged: false)
        }
        if let known {
            // A resend under the same reference sends the body the first attempt pinned.
            request.validUntil = request.validUntil ?? known.pinned.validUntil
        }
        if let handle = request.authorization {
            // Before anything new is journalled: a revoked or expired authorization is refused
            // without sending, and a token due for refresh is refreshed first. A payment the
            // journal already holds keeps its own story: settled, it is answered from the
            // journal; open and possibly received, its state stands with this error beside it.
            do throws(WalletError) {
                request.customer = try await authorizations.usable(handle).accessToken
            } catch {
                guard let known, known.state.isFinal || known.mayHaveReachedWallet else { throw error }
                var result = known.paymentResult
                if !known.state.isFinal { result.lastError = error }
                return .answered(result)
            }
        }
        return .send(adapter.pinned(request), mayHaveReached: known?.mayHaveReachedWallet ?? false)
    }

    /// Reads a payment's state. The expected amount and wallet reference come from the journal
    /// when the query lacks them. An error on the inquiry says nothing about the payment: when
    /// the journal knows it, its last known status is returned with the error in
    /// ``PaymentResult/lastError``; otherwise the error is thrown.
    public func inquire(_ query: PaymentQuery, correlationID: String? = nil) async throws(WalletError) -> PaymentResult {
        try await keepingKnown(query) { query throws(WalletError) in try await payment(run(.inquire(query), correlationID: correlationID)) }
    }

    /// Cancels a payment that has not completed; a refused or unconfirmed cancel is followed by
    /// an inquiry, so the result is the payment's real state (a succeeded payment reports
    /// `succeeded`: refund it instead). Errors say nothing about the payment: when the journal
    /// knows it, its last known status is returned with the error in ``PaymentResult/lastError``.
    public func cancel(_ query: PaymentQuery, correlationID: String? = nil) async throws(WalletError) -> PaymentResult {
        guard adapter.capabilities.supports(.cancel) else {
            throw WalletError(.invalidRequest, "\(adapter.walletName) does not support cancel", mayHaveCharged: false)
        }
        return try await keepingKnown(query) { query throws(WalletError) in try await payment(run(.cancel(query), correlationID: correlationID)) }
    }

    /// Runs a call about a payment with the query completed from the journal (wallet reference,
    /// expected amount). An error says nothing about the payment: when the journal knows it, its
    /// last known status is returned with the error in ``PaymentResult/lastError``.
    private func keepingKnown(
        _ query: PaymentQuery, _ call: (PaymentQuery) async throws(WalletError) -> PaymentResult
    ) async throws(WalletError) -> PaymentResult {
        let entry = await knownPayment(query.merchantReference)
        var query = query
        query.walletReference = query.walletReference ?? entry?.walletReference
        query.expectedAmount = query.expectedAmount ?? entry?.amount
        do throws(WalletError) {
            return try await call(query)
        } catch {
            guard let known = await knownPayment(query.merchantReference) else { throw error }
            var result = known.paymentResult
            result.lastError = error
            return result
        }
    }

    /// Refunds a payment (journalled like a payment, keyed by the refund reference).
    public func refund(_ request: RefundRequest, correlationID: String? = nil) async throws(WalletError) -> RefundResult {
        guard adapter.capabilities.supports(.refund) else {
            throw WalletError(.invalidRequest, "\(adapter.walletName) does not support refund", mayHaveCharged: false)
        }
        guard request.amount.minorUnits > 0 else {
            throw WalletError(.invalidRequest, "the refund amount must be positive, got \(request.amount)", mayHaveCharged: false)
        }
        var request = request
        if request.walletReference == nil { request.walletReference = await knownPayment(request.merchantReference)?.walletReference }
        return try await refundResult(run(.refund(request), correlationID: correlationID))
    }

    /// Reads a refund's state; the expected amount comes from the journal when the query lacks it.
    public func inquireRefund(_ query: RefundQuery, correlationID: String? = nil) async throws(WalletError) -> RefundResult {
        guard adapter.capabilities.supports(.inquireRefund) else {
            throw WalletError(.invalidRequest, "\(adapter.walletName) has no refund query", mayHaveCharged: false)
        }
        var query = query
        if let entry = try? await journal.entry(JournalEntry.refundID(wallet: adapter.walletName, refundReference: query.refundReference)) {
            query.expectedAmount = query.expectedAmount ?? entry.amount
            query.merchantReference = query.merchantReference ?? entry.merchantReference
            query.walletRefundReference = query.walletRefundReference ?? entry.walletRefundReference
        }
        return try await refundResult(run(.inquireRefund(query), correlationID: correlationID))
    }

    /// Settles an open payment the journal knows, by the wallet's rule, for up to `within`
    /// (the CLI's wait for a final status). Never pays again.
    public func settle(merchantReference: String, within: Duration, correlationID: String? = nil) async throws(WalletError) -> PaymentResult {
        guard let entry = await knownPayment(merchantReference) else {
            throw WalletError(.notFound, "the journal has no payment \(merchantReference)", mayHaveCharged: false)
        }
        if entry.state.isFinal { return entry.paymentResult }
        return await settleEntry(entry, within: within, context: context(correlationID, origin: .reconciliation))
    }

    /// The chain after the reconciliation middleware: what the policy's own calls go through.
    var policyChain: WalletNext { chain(from: outerMiddlewares.count + 1) }

    /// Settles a payment entry by the rule, counting the time it has already been open. Never pays again.
    func settleEntry(_ entry: JournalEntry, within: Duration, context: WalletOperationContext) async -> PaymentResult {
        // The wallet's window runs from the last time the pay was sent (a resend starts it again).
        let events = (try? await journal.events(entry.id)) ?? []
        let lastSent = events.last { $0.kind == "attempt" && $0.operation == WalletCapabilities.Operation.pay.rawValue }?.at ?? entry.createdAt
        let open = Self.duration(from: max(lastSent, entry.createdAt), to: configuration.clock.now())
        return await reconciliation.settle(entry.paymentResult, request: nil, alreadyOpen: open, budget: within, context: context, next: policyChain)
    }

    // MARK: Helpers

    func knownPayment(_ merchantReference: String) async -> JournalEntry? {
        try? await journal.entry(JournalEntry.paymentID(wallet: adapter.walletName, merchantReference: merchantReference))
    }

    static func duration(from start: Date, to end: Date) -> Duration {
        .milliseconds(Int64(max(0, end.timeIntervalSince(start)) * 1000))
    }

    private func payment(_ outcome: WalletOutcome) throws(WalletError) -> PaymentResult {
        guard let result = outcome.payment else { throw WalletError(.invalidPartnerResponse, "the operation returned no payment result") }
        return result
    }

    private func refundResult(_ outcome: WalletOutcome) throws(WalletError) -> RefundResult {
        guard let result = outcome.refund else { throw WalletError(.invalidPartnerResponse, "the operation returned no refund result") }
        return result
    }

    /// Verifies a notification. See ``WalletAdapter/verifyNotification(_:)``.
    public func verifyNotification(_ notification: InboundNotification, correlationID: String? = nil) throws(WalletError) -> VerifiedNotification {
        let log = context(correlationID).logger
        do throws(WalletError) {
            let verified = try adapter.verifyNotification(notification)
            var metadata = WalletClient.metadata(verified.notification.payment)
            metadata["kind"] = "\(verified.notification.kind.rawValue)"
            metadata["merchantReference"] = "\(verified.notification.payment.merchantReference)"
            log.info("notification verified", metadata: metadata)
            return verified
        } catch {
            log.warning("notification rejected", metadata: WalletClient.metadata(error))
            throw error
        }
    }

    func operationLogger(_ operation: String, _ correlationID: String?, _ metadata: Logger.Metadata) -> Logger {
        var log = context(correlationID).logger
        for (key, value) in metadata { log[metadataKey: key] = value }
        log[metadataKey: "operation"] = "\(operation)"
        return log
    }

    static func metadata(_ result: PaymentResult) -> Logger.Metadata {
        var metadata: Logger.Metadata = ["status": "\(result.status.name)"]
        if let walletReference = result.walletReference { metadata["walletReference"] = "\(walletReference)" }
        if let partner = result.partnerResult { metadata["partnerCode"] = "\(partner.code)" }
        if let error = result.status.error ?? result.lastError { metadata["reason"] = "\(error.category.rawValue)" }
        return metadata
    }

    static func metadata(_ result: RefundResult) -> Logger.Metadata {
        var metadata: Logger.Metadata = ["status": "\(result.status.name)"]
        if let walletRefundReference = result.walletRefundReference { metadata["walletRefundReference"] = "\(walletRefundReference)" }
        if let partner = result.partnerResult { metadata["partnerCode"] = "\(partner.code)" }
        return metadata
    }

    static func metadata(_ error: WalletError) -> Logger.Metadata {
        var metadata: Logger.Metadata = ["error": "\(error.category.rawValue)", "message": "\(error.message)"]
        if let code = error.partnerCode { metadata["partnerCode"] = "\(code)" }
        return metadata
    }
}
