import Logging

/// Resends an operation when its ``RetryPolicy`` says so: the identical request under the same
/// reference (every attempt is signed afresh by the adapter: new timestamp, new message id), or
/// one that provably never left the client. A payment in doubt is never resent here: it goes
/// back to ``ReconciliationMiddleware``, which asks the wallet first.
public struct RetryMiddleware: WalletMiddleware {
    /// The policy.
    public let policy: RetryPolicy
    /// Sleeps and elapsed time.
    public let clock: PolicyClock
    /// Draws the backoff jitter in `0..<1`.
    public let jitter: @Sendable () -> Double

    /// Creates the middleware.
    public init(policy: RetryPolicy, clock: PolicyClock = PolicyClock(), jitter: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }) {
        self.policy = policy
        self.clock = clock
        self.jitter = jitter
    }

    public func intercept(_ operation: WalletOperation, context: WalletOperationContext, next: WalletNext) async throws(WalletError) -> WalletOutcome
    {
        // This frame stays allocated while `next` runs: the decisions and their logs are in
        // non-inlined helpers.
        let watch = clock.stopwatch()
        var attempt = context.attempt
        while true {
            var attemptContext = context
            attemptContext.attempt = attempt
            let wait: Duration
            do throws(WalletError) {
                let outcome = try await next(operation, attemptContext)
                guard operation.isMutating,
                    let resend = resendWait(operation, after: outcome, attempt: attempt, elapsed: watch.elapsed, context: context)
                else { return outcome }
                wait = resend
            } catch {
                guard let resend = resendWait(operation, afterThrown: error, attempt: attempt, elapsed: watch.elapsed, context: context) else {
                    throw error
                }
                wait = resend
            }
            await clock.sleep(for: wait)
            attempt += 1
        }
    }

    /// How long to wait before resending after an attempt threw; nil to give up.
    @inline(never)
    func resendWait(
        _ operation: WalletOperation, afterThrown error: WalletError, attempt: Int, elapsed: Duration, context: WalletOperationContext
    )
        -> Duration?
    {
        guard case .resend(let wait) = policy.decide(operation.kind, outcome: .threw(error), attempt: attempt, elapsed: elapsed, jitter: jitter())
        else { return nil }
        context.logger.notice(
            "resending after a failed attempt",
            metadata: [
                "operation": "\(operation.kind.rawValue)", "attempt": "\(attempt)",
                "waitMs": "\(wait.milliseconds)", "error": "\(error.category.rawValue)",
            ])
        return wait
    }

    /// How long to wait before resending a mutating operation whose outcome is in doubt; nil to
    /// return the outcome.
    @inline(never)
    func resendWait(
        _ operation: WalletOperation, after outcome: WalletOutcome, attempt: Int, elapsed: Duration, context: WalletOperationContext
    )
        -> Duration?
    {
        guard let doubt = Self.doubt(outcome),
            case .resend(let wait) = policy.decide(operation.kind, outcome: .inDoubt(doubt), attempt: attempt, elapsed: elapsed, jitter: jitter())
        else { return nil }
        context.logger.notice(
            "resending the identical request: the outcome is in doubt",
            metadata: [
                "operation": "\(operation.kind.rawValue)", "attempt": "\(attempt)",
                "waitMs": "\(wait.milliseconds)", "error": "\(doubt.category.rawValue)",
            ])
        return wait
    }

    /// The error of an outcome that leaves the operation in doubt.
    static func doubt(_ outcome: WalletOutcome) -> WalletError? {
        switch outcome {
        case .payment(let result):
            if case .unknown(let error) = result.status { return error }
        case .refund(let result):
            if case .unknown(let error) = result.status { return error }
        }
        return nil
    }
}

extension Duration {
    /// Whole milliseconds, for logs.
    var milliseconds: Int64 { components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000 }
}
