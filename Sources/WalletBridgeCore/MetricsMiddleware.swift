import CoreMetrics

/// Records ``WalletMetrics`` around the operations that pass through it, at one of two levels.
///
/// A ``WalletClient`` whose ``WalletClient/Configuration/metrics`` is set places both for you:
/// the ``Level/call`` one right after your own middlewares (before
/// ``ReconciliationMiddleware``), so it sees each operation a caller asked for once, with the
/// latency of everything done for it; and the ``Level/attempt`` one innermost (after
/// ``JournalMiddleware``, right before the adapter), so it sees every wire attempt, the
/// policy's own inquiries, resends and cancels included.
///
/// Dimensions are the wallet, the operation and the outcome's status name (or `error`), never a
/// reference: see ``WalletMetrics`` for the list.
public struct MetricsMiddleware: WalletMiddleware {
    /// Where in the chain a metrics middleware sits, and so what it counts.
    public enum Level: String, Sendable, Equatable {
        /// Outermost: `calls_total`, `call_duration_seconds` and `call_errors_total`.
        case call
        /// Innermost: `attempts_total` and `retries_total`.
        case attempt
    }

    /// Where the handles come from.
    public let metrics: WalletMetrics
    /// What this middleware counts.
    public let level: Level
    /// Measures call latency (the client's policy clock: real time in production).
    public let clock: PolicyClock

    /// Creates the middleware.
    /// - Parameters:
    ///   - metrics: The handles to record into.
    ///   - level: ``Level/call`` for the outermost point, ``Level/attempt`` for the innermost.
    ///   - clock: Measures call latency.
    public init(metrics: WalletMetrics, level: Level, clock: PolicyClock = PolicyClock()) {
        self.metrics = metrics
        self.level = level
        self.clock = clock
    }

    /// Counts (and, at the call level, times) `operation` by what `next` returns or throws.
    public func intercept(_ operation: WalletOperation, context: WalletOperationContext, next: WalletNext) async throws(WalletError) -> WalletOutcome
    {
        switch level {
        case .call: return try await call(operation, context: context, next: next)
        case .attempt: return try await attempt(operation, context: context, next: next)
        }
    }

    /// One operation a caller asked for: counted and timed by its final outcome.
    private func call(_ operation: WalletOperation, context: WalletOperationContext, next: WalletNext) async throws(WalletError) -> WalletOutcome {
        let watch = clock.stopwatch()
        let kind = operation.kind
        do throws(WalletError) {
            let outcome = try await next(operation, context)
            let result = WalletMetrics.Outcome(outcome)
            metrics.calls(wallet: context.wallet, operation: kind, outcome: result).increment()
            metrics.callDuration(wallet: context.wallet, operation: kind, outcome: result).recordNanoseconds(Self.nanoseconds(watch.elapsed))
            return outcome
        } catch {
            metrics.calls(wallet: context.wallet, operation: kind, outcome: .error).increment()
            metrics.callDuration(wallet: context.wallet, operation: kind, outcome: .error).recordNanoseconds(Self.nanoseconds(watch.elapsed))
            metrics.callErrors(wallet: context.wallet, operation: kind, category: error.category).increment()
            throw error
        }
    }

    /// One adapter call. A resend is an attempt beyond the first of one operation (the retry
    /// policy's, `attempt > 1`), or a pay the policy sends again (a pay never originates in
    /// reconciliation or recovery otherwise).
    private func attempt(_ operation: WalletOperation, context: WalletOperationContext, next: WalletNext) async throws(WalletError) -> WalletOutcome {
        let kind = operation.kind
        if context.attempt > 1 || (kind == .pay && context.origin != .caller) {
            metrics.retries(wallet: context.wallet, operation: kind).increment()
        }
        do throws(WalletError) {
            let outcome = try await next(operation, context)
            metrics.attempts(wallet: context.wallet, operation: kind, outcome: WalletMetrics.Outcome(outcome)).increment()
            return outcome
        } catch {
            metrics.attempts(wallet: context.wallet, operation: kind, outcome: .error).increment()
            throw error
        }
    }

    /// Whole nanoseconds of `duration`, saturating at `Int64.max` (292 years).
    static func nanoseconds(_ duration: Duration) -> Int64 {
        let parts = duration.components
        guard parts.seconds >= 0 else { return 0 }
        let (whole, overflow) = parts.seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow else { return .max }
        let (total, carry) = whole.addingReportingOverflow(parts.attoseconds / 1_000_000_000)
        return carry ? .max : total
    }
}
