import Testing
import WalletBridgeCore

/// ``RetryPolicy``: full-jitter backoff, and when a payment operation may be sent again.
@Suite("Retry policy")
struct RetryPolicyTests {
    typealias Operation = WalletCapabilities.Operation

    static let policy = RetryPolicy(maxAttempts: 4, initialBackoff: .milliseconds(250), maxBackoff: .seconds(8), deadline: .seconds(30))
    static let allOperations: [Operation] = [.pay, .inquire, .cancel, .refund, .inquireRefund]
    static let unsent = WalletError(.partnerUnavailable, "x", mayHaveCharged: false)

    func isResend(_ decision: RetryPolicy.Decision) -> Bool {
        if case .resend = decision { return true }
        return false
    }

    // MARK: backoff

    @Test func defaultsAreFourAttemptsQuarterSecondToEightSecondsWithinThirty() {
        let p = RetryPolicy()
        #expect(p.maxAttempts == 4)
        #expect(p.initialBackoff == .milliseconds(250))
        #expect(p.maxBackoff == .seconds(8))
        #expect(p.deadline == .seconds(30))
        #expect(RetryPolicy(maxAttempts: 0).maxAttempts == 1)
        #expect(RetryPolicy(maxAttempts: -3).maxAttempts == 1)
        #expect(RetryPolicy.none.maxAttempts == 1)
    }

    @Test(arguments: 1...12)
    func zeroJitterWaitsNothing(attempt: Int) {
        #expect(Self.policy.backoff(afterAttempt: attempt, jitter: 0) == .zero)
    }

    @Test func ceilingDoublesFromInitialToMax() {
        // jitter 0.5 gives exactly half the ceiling.
        let expectedCeilings: [Duration] = [
            .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(8), .seconds(8),
        ]
        for (index, ceiling) in expectedCeilings.enumerated() {
            #expect(Self.policy.backoff(afterAttempt: index + 1, jitter: 0.5) == ceiling / 2, "attempt \(index + 1)")
        }
    }

    @Test(arguments: 1...12)
    func jitterJustUnderOneStaysJustUnderTheCeiling(attempt: Int) {
        let ceiling = min(Duration.milliseconds(250) * (1 << (attempt - 1)), .seconds(8))
        let drawn = Self.policy.backoff(afterAttempt: attempt, jitter: 0.999)
        #expect(drawn < ceiling)
        #expect(drawn >= ceiling * 0.998)
    }

    @Test func ceilingIsCappedForLargeAttemptNumbers() {
        for attempt in [7, 20, 31, 32, 63, 64, 1_000, Int.max] {
            let drawn = Self.policy.backoff(afterAttempt: attempt, jitter: 0.999)
            #expect(drawn < .seconds(8), "attempt \(attempt)")
            #expect(drawn > .milliseconds(7_990), "attempt \(attempt)")
        }
    }

    @Test func jitterOutsideTheUnitIntervalIsClamped() {
        #expect(Self.policy.backoff(afterAttempt: 1, jitter: -0.5) == .zero)
        #expect(Self.policy.backoff(afterAttempt: 1, jitter: 7) == .milliseconds(250))
        #expect(Self.policy.backoff(afterAttempt: 0, jitter: 0.5) == .milliseconds(125))
        #expect(Self.policy.backoff(afterAttempt: -4, jitter: 0.5) == .milliseconds(125))
    }

    // MARK: decisions

    @Test(arguments: allOperations)
    func answeredStops(operation: Operation) {
        for attempt in 1...5 {
            #expect(Self.policy.decide(operation, outcome: .answered, attempt: attempt, elapsed: .zero, jitter: 0.5) == .stop)
        }
    }

    @Test(arguments: allOperations)
    func retryableErrorThatNeverLeftIsResent(operation: Operation) {
        let decision = Self.policy.decide(operation, outcome: .threw(Self.unsent), attempt: 1, elapsed: .zero, jitter: 0.5)
        #expect(decision == .resend(after: .milliseconds(125)))
        let second = Self.policy.decide(operation, outcome: .threw(Self.unsent), attempt: 2, elapsed: .seconds(1), jitter: 0.5)
        #expect(second == .resend(after: .milliseconds(250)))
    }

    @Test(arguments: allOperations)
    func nonRetryableErrorThatNeverLeftStops(operation: Operation) {
        for category in [WalletError.Category.invalidRequest, .authenticationFailed, .insufficientFunds, .declined, .notFound, .journalUnavailable] {
            let error = WalletError(category, "x", mayHaveCharged: false)
            #expect(Self.policy.decide(operation, outcome: .threw(error), attempt: 1, elapsed: .zero, jitter: 0.5) == .stop, "\(category)")
        }
    }

    @Test func payInDoubtIsInquiredNeverResentForAnyAttempt() {
        let doubts = [
            WalletError(.timeout, "x"), WalletError(.unknownOutcome, "x"), WalletError(.invalidPartnerResponse, "x"),
            WalletError(.partnerUnavailable, "HTTP 503 after sending", mayHaveCharged: true),
        ]
        for error in doubts {
            for outcome in [RetryPolicy.AttemptOutcome.inDoubt(error), .threw(error)] {
                for attempt in 1...12 {
                    for jitter in [0.0, 0.5, 0.999] {
                        let decision = Self.policy.decide(.pay, outcome: outcome, attempt: attempt, elapsed: .seconds(1), jitter: jitter)
                        #expect(!isResend(decision), "\(outcome) attempt \(attempt)")
                        guard case .inquire(let wait) = decision else {
                            Issue.record("expected inquire for \(outcome) attempt \(attempt), got \(decision)")
                            continue
                        }
                        #expect(wait == Self.policy.backoff(afterAttempt: attempt, jitter: jitter))
                    }
                }
            }
        }
    }

    @Test func payInDoubtEvenWithoutChargeRiskIsInquired() {
        // A reply left the outcome open, whatever the error says.
        let error = WalletError(.partnerUnavailable, "x", mayHaveCharged: false)
        #expect(Self.policy.decide(.pay, outcome: .inDoubt(error), attempt: 1, elapsed: .zero, jitter: 0) == .inquire(after: .zero))
    }

    @Test func aRefundInDoubtIsResentUnderTheSameReference() {
        for error in [WalletError(.timeout, "x"), WalletError(.unknownOutcome, "x"), WalletError(.invalidPartnerResponse, "x")] {
            #expect(
                Self.policy.decide(.refund, outcome: .inDoubt(error), attempt: 1, elapsed: .zero, jitter: 0.5) == .resend(after: .milliseconds(125)))
            #expect(
                Self.policy.decide(.refund, outcome: .threw(error), attempt: 2, elapsed: .zero, jitter: 0.5) == .resend(after: .milliseconds(250)))
        }
    }

    @Test func aCancelInDoubtIsInquiredNotResent() {
        // The inquiry tells the payment's state; the wallet's rule cancels again if it must.
        for error in [WalletError(.timeout, "x"), WalletError(.unknownOutcome, "x"), WalletError(.invalidPartnerResponse, "x")] {
            #expect(
                Self.policy.decide(.cancel, outcome: .inDoubt(error), attempt: 1, elapsed: .zero, jitter: 0.5) == .inquire(after: .milliseconds(125)))
            #expect(
                Self.policy.decide(.cancel, outcome: .threw(error), attempt: 2, elapsed: .zero, jitter: 0.5) == .inquire(after: .milliseconds(250)))
        }
    }

    @Test(arguments: [Operation.inquire, .inquireRefund])
    func readsAreResentOnPassingErrorsOnly(operation: Operation) {
        for error in [
            WalletError(.timeout, "x"), WalletError(.unknownOutcome, "x"), Self.unsent,
            WalletError(.rateLimited, "x", mayHaveCharged: false), WalletError(.invalidPartnerResponse, "x"),
        ] {
            #expect(
                Self.policy.decide(operation, outcome: .threw(error), attempt: 1, elapsed: .zero, jitter: 0.5) == .resend(after: .milliseconds(125)),
                "\(error.category)")
            #expect(
                Self.policy.decide(operation, outcome: .inDoubt(error), attempt: 1, elapsed: .zero, jitter: 0.5)
                    == .resend(after: .milliseconds(125)), "\(error.category)")
        }
        #expect(
            Self.policy.decide(
                operation, outcome: .threw(WalletError(.authenticationFailed, "bad signature")), attempt: 1, elapsed: .zero, jitter: 0.5) == .stop)
        #expect(
            Self.policy.decide(
                operation, outcome: .threw(WalletError(.authenticationFailed, "x", mayHaveCharged: true)), attempt: 1, elapsed: .zero, jitter: 0.5)
                == .stop)
        // A non-retryable error that says "may have charged" is still not worth repeating for a read.
        #expect(Self.policy.decide(operation, outcome: .threw(WalletError(.duplicate, "x")), attempt: 1, elapsed: .zero, jitter: 0.5) == .stop)
    }

    @Test(arguments: allOperations)
    func retryAfterIsHonoured(operation: Operation) {
        let limited = WalletError(.rateLimited, "x", retryAfter: .seconds(7), mayHaveCharged: false)
        for jitter in [0.0, 0.5, 0.999] {
            let decision = Self.policy.decide(operation, outcome: .threw(limited), attempt: 1, elapsed: .zero, jitter: jitter)
            guard case .resend(let wait) = decision else {
                Issue.record("expected resend, got \(decision)")
                continue
            }
            #expect(wait >= .seconds(7))
        }
        // When the drawn backoff is longer than the hint, the backoff wins.
        let short = WalletError(.rateLimited, "x", retryAfter: .milliseconds(1), mayHaveCharged: false)
        #expect(Self.policy.decide(operation, outcome: .threw(short), attempt: 3, elapsed: .zero, jitter: 0.5) == .resend(after: .milliseconds(500)))
        // A hint that would end past the deadline stops.
        #expect(Self.policy.decide(operation, outcome: .threw(limited), attempt: 1, elapsed: .seconds(23), jitter: 0) == .stop)
        #expect(
            Self.policy.decide(operation, outcome: .threw(limited), attempt: 1, elapsed: .milliseconds(22_999), jitter: 0)
                == .resend(after: .seconds(7)))
    }

    @Test func payInDoubtHonoursRetryAfterBeforeInquiring() {
        let error = WalletError(.unknownOutcome, "x", retryAfter: .seconds(7))
        #expect(Self.policy.decide(.pay, outcome: .inDoubt(error), attempt: 1, elapsed: .zero, jitter: 0.5) == .inquire(after: .seconds(7)))
    }

    @Test(arguments: allOperations)
    func maxAttemptsStopsResending(operation: Operation) {
        let p = RetryPolicy(maxAttempts: 3, initialBackoff: .milliseconds(250), maxBackoff: .seconds(8), deadline: .seconds(30))
        #expect(isResend(p.decide(operation, outcome: .threw(Self.unsent), attempt: 1, elapsed: .zero, jitter: 0.5)))
        #expect(isResend(p.decide(operation, outcome: .threw(Self.unsent), attempt: 2, elapsed: .zero, jitter: 0.5)))
        #expect(p.decide(operation, outcome: .threw(Self.unsent), attempt: 3, elapsed: .zero, jitter: 0.5) == .stop)
        #expect(p.decide(operation, outcome: .threw(Self.unsent), attempt: 4, elapsed: .zero, jitter: 0.5) == .stop)
    }

    @Test(arguments: [Operation.refund, .inquire, .inquireRefund])
    func maxAttemptsStopsResendingInDoubt(operation: Operation) {
        let p = RetryPolicy(maxAttempts: 2)
        let doubt = WalletError(.timeout, "x")
        #expect(isResend(p.decide(operation, outcome: .inDoubt(doubt), attempt: 1, elapsed: .zero, jitter: 0.5)))
        #expect(p.decide(operation, outcome: .inDoubt(doubt), attempt: 2, elapsed: .zero, jitter: 0.5) == .stop)
    }

    @Test(arguments: allOperations)
    func deadlineStopsWhenTheNextAttemptWouldStartAfterIt(operation: Operation) {
        // Zero jitter: the delay is zero, so elapsed alone decides.
        #expect(
            Self.policy.decide(operation, outcome: .threw(Self.unsent), attempt: 1, elapsed: .milliseconds(29_999), jitter: 0)
                == .resend(after: .zero))
        #expect(Self.policy.decide(operation, outcome: .threw(Self.unsent), attempt: 1, elapsed: .seconds(30), jitter: 0) == .stop)
        #expect(Self.policy.decide(operation, outcome: .threw(Self.unsent), attempt: 1, elapsed: .seconds(31), jitter: 0) == .stop)
        // elapsed + delay == deadline stops; just under resends.
        #expect(Self.policy.decide(operation, outcome: .threw(Self.unsent), attempt: 1, elapsed: .milliseconds(29_875), jitter: 0.5) == .stop)
        #expect(
            Self.policy.decide(operation, outcome: .threw(Self.unsent), attempt: 1, elapsed: .milliseconds(29_874), jitter: 0.5)
                == .resend(after: .milliseconds(125)))
        #expect(Self.policy.decide(operation, outcome: .threw(Self.unsent), attempt: 1, elapsed: .milliseconds(29_900), jitter: 0.999) == .stop)
    }

    @Test func payInDoubtPastTheDeadlineStops() {
        let doubt = WalletError(.timeout, "x")
        #expect(Self.policy.decide(.pay, outcome: .inDoubt(doubt), attempt: 1, elapsed: .seconds(29), jitter: 0) == .inquire(after: .zero))
        #expect(Self.policy.decide(.pay, outcome: .inDoubt(doubt), attempt: 1, elapsed: .seconds(30), jitter: 0) == .stop)
        #expect(Self.policy.decide(.pay, outcome: .inDoubt(doubt), attempt: 1, elapsed: .milliseconds(29_875), jitter: 0.5) == .stop)
        #expect(Self.policy.decide(.pay, outcome: .threw(doubt), attempt: 3, elapsed: .seconds(45), jitter: 0.5) == .stop)
    }

    @Test(arguments: allOperations)
    func noneNeverResends(operation: Operation) {
        let outcomes: [RetryPolicy.AttemptOutcome] = [
            .answered, .threw(Self.unsent), .threw(WalletError(.rateLimited, "x", retryAfter: .seconds(1), mayHaveCharged: false)),
            .threw(WalletError(.timeout, "x")), .inDoubt(WalletError(.timeout, "x")), .inDoubt(WalletError(.unknownOutcome, "x")),
            .threw(WalletError(.invalidRequest, "x")),
        ]
        for outcome in outcomes {
            for jitter in [0.0, 0.5, 0.999] {
                let decision = RetryPolicy.none.decide(operation, outcome: outcome, attempt: 1, elapsed: .zero, jitter: jitter)
                #expect(!isResend(decision), "\(operation) \(outcome)")
            }
        }
    }
}
