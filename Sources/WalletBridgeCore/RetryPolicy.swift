/// When to send an operation again, as a pure value: given the operation, how its last attempt
/// ended and how long it has run, ``decide(_:outcome:attempt:elapsed:jitter:)`` says what to do.
///
/// Shaped for payments (in the spirit of Soto's `RetryPolicy`):
/// - A request is resent only when that is safe: it provably never left the client
///   (connection refused, DNS), or it is resent under the same reference with the identical
///   body (the client pins every input that shapes a body before the first attempt).
/// - An operation that may have changed money and got no verified answer (a timeout, a 5xx, an
///   unsigned reply) is never resent blindly when it is a payment or a cancel: the decision is
///   ``Decision/inquire(after:)``, and the wallet's reconciliation rule takes over. A refund in
///   doubt is resent with the identical body under its reference.
/// - Delays are capped exponential backoff with full jitter; a wallet's `Retry-After` wins
///   when it is longer.
/// - An error whose ``WalletError/diagnosis`` says waiting cannot help (our own profile is
///   wrong: ``WalletError/Diagnosis/Kind/configuration``) is never resent nor inquired: the
///   decision is ``Decision/stop``, and the operation keeps the status the wallet has proven
///   (`unknown` for a payment in doubt), to be settled by inquiry once the profile is fixed.
/// - Every operation has an overall deadline: when the next attempt would start after it, the
///   decision is ``Decision/stop`` and the caller gets the last outcome (`unknown` for a
///   payment in doubt, with a way to resume).
public struct RetryPolicy: Sendable, Equatable {
    /// What to do after an attempt.
    public enum Decision: Sendable, Equatable {
        /// Send the identical request again after this delay (every attempt is signed afresh).
        case resend(after: Duration)
        /// Ask the wallet what happened, after this delay (reconciliation by the wallet's rule).
        case inquire(after: Duration)
        /// Give up: return the last outcome.
        case stop
    }

    /// How an attempt ended, as far as retrying is concerned.
    public enum AttemptOutcome: Sendable, Equatable {
        /// A verified, bound answer the caller can act on (final, pending or refused).
        case answered
        /// A reply left the outcome open (`unknown`): the wallet may or may not have acted.
        case inDoubt(WalletError)
        /// The call threw: with `mayHaveCharged == false` it provably never reached the wallet.
        case threw(WalletError)
    }

    /// Attempts per operation, the first included.
    public var maxAttempts: Int
    /// The first backoff ceiling.
    public var initialBackoff: Duration
    /// The largest backoff ceiling.
    public var maxBackoff: Duration
    /// How long one operation (all its attempts and waits) may take.
    public var deadline: Duration

    /// Creates a policy. The defaults: 4 attempts, backoff ceilings from 250 ms doubling up to
    /// 8 s, and 30 s overall.
    public init(
        maxAttempts: Int = 4, initialBackoff: Duration = .milliseconds(250), maxBackoff: Duration = .seconds(8), deadline: Duration = .seconds(30)
    ) {
        self.maxAttempts = max(1, maxAttempts)
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
        self.deadline = deadline
    }

    /// Never resends.
    public static let none = RetryPolicy(maxAttempts: 1)

    /// The backoff before attempt `attempt + 1`: full jitter over a ceiling that doubles per
    /// attempt up to ``maxBackoff``. `jitter` is a number in `0..<1` (random in production,
    /// fixed in tests).
    public func backoff(afterAttempt attempt: Int, jitter: Double) -> Duration {
        let exponent = min(max(attempt - 1, 0), 30)
        let ceiling = min(initialBackoff * (1 << exponent), maxBackoff)
        return ceiling * min(max(jitter, 0), 1)
    }

    /// Decides what follows attempt `attempt` of `operation`, `elapsed` after it began.
    public func decide(
        _ operation: WalletCapabilities.Operation, outcome: AttemptOutcome, attempt: Int, elapsed: Duration, jitter: Double
    ) -> Decision {
        let mutating = operation == .pay || operation == .cancel || operation == .refund
        func within(_ delay: Duration) -> Bool { attempt < maxAttempts && elapsed + delay < deadline }
        func delay(_ hint: Duration?) -> Duration {
            let drawn = backoff(afterAttempt: attempt, jitter: jitter)
            guard let hint else { return drawn }
            return max(hint, drawn)
        }
        switch outcome {
        case .answered:
            return .stop
        case .threw(let error) where error.diagnosis?.stopsWaiting == true, .inDoubt(let error) where error.diagnosis?.stopsWaiting == true:
            // Our configuration cannot verify anything (or the wallet cannot verify us): every
            // further attempt would end the same way.
            return .stop
        case .threw(let error) where !error.mayHaveCharged:
            // Never reached the wallet (or was refused without acting): resend when the error
            // is a passing one; otherwise the caller must change something first.
            guard error.isRetryable else { return .stop }
            let wait = delay(error.retryAfter)
            return within(wait) ? .resend(after: wait) : .stop
        case .threw(let error) where error.category == .inconsistentRequest || error.category == .duplicate:
            // The wallet verifiably refused this content under this reference: a resend gets
            // the same answer.
            return .stop
        case .threw(let error), .inDoubt(let error):
            if operation == .pay || operation == .cancel {
                // A payment (or a cancel) in doubt is never resent blindly: ask the wallet
                // first; the wallet's rule cancels again if it must.
                let wait = delay(error.retryAfter)
                return elapsed + wait < deadline ? .inquire(after: wait) : .stop
            }
            // Reads are safe to repeat; refunds are keyed by our reference and resent with the
            // identical body, so the wallet answers the original.
            guard error.isRetryable || mutating else { return .stop }
            let wait = delay(error.retryAfter)
            return within(wait) ? .resend(after: wait) : .stop
        }
    }
}
