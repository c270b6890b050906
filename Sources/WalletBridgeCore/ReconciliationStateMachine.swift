/// Settles one payment whose outcome is open, by its wallet's ``ReconciliationRule``: a pure
/// state machine (state plus event gives an action), in the style of AsyncHTTPClient's
/// connection-pool state machine. It does no I/O and reads no clock: the driver feeds it what
/// happened and how long the payment has been open, and performs the action it returns.
///
/// The machine never reports what the wallet has not proven: it settles a payment only on a
/// final status from a verified, bound reply, on a succeeded cancel (then `cancelled`: nothing was charged), or when the
/// window has passed and the wallet still does not know the payment after a cancel was refused
/// (it never arrived: `failed`, nothing was charged). Otherwise it gives up at its limits with
/// the payment still open (`unknown` or `pending`), to be resumed later.
///
/// An event whose error carries a diagnosis that says waiting cannot help
/// (``WalletError/Diagnosis/Kind/configuration``: the wallet's replies do not verify with our
/// profile, or the wallet says it cannot verify us) stops the machine at once: ``Action/giveUp(_:)``
/// with that diagnosis, the payment left open. Polling with a configuration that can verify
/// nothing would only wait out the window; the payment is settled by inquiry once the
/// profile is fixed.
public struct ReconciliationStateMachine: Sendable, Equatable {
    /// What the driver must do next.
    public enum Action: Sendable, Equatable {
        /// Inquire the payment after this delay.
        case inquire(after: Duration)
        /// Send the original pay request again, identical, after this delay.
        case resend(after: Duration)
        /// Cancel the payment after this delay.
        case cancel(after: Duration)
        /// The payment is settled with this final status.
        case settle(PaymentStatus)
        /// Stop for now; the payment stays open (resume later). The error says why.
        case giveUp(WalletError)
    }

    /// What happened, with the time since the payment was first sent.
    public enum Event: Sendable, Equatable {
        /// An inquiry (or the pay itself) answered with this status.
        case status(PaymentStatus, elapsed: Duration)
        /// An inquiry, resend or cancel could not be made or answered (the payment is unchanged).
        case callFailed(WalletError, elapsed: Duration)
        /// A cancel answered with this status (`cancelled` when bound).
        case cancelAnswered(PaymentStatus, elapsed: Duration)
        /// The driver ran out of its own time budget (the caller's deadline, not the wallet's window).
        case deadlineReached
    }

    /// Where the machine is.
    public enum State: Sendable, Equatable {
        /// Waiting for the wallet to decide.
        case observing
        /// `attempts` cancels were sent; the next answer or status decides.
        case cancelling(attempts: Int)
        /// Finished with a final status.
        case settled(PaymentStatus)
        /// Stopped with the payment open.
        case stopped
    }

    /// The wallet's rule.
    public let rule: ReconciliationRule
    /// Whether the original request may be resent (false in crash recovery, which never pays again).
    public let canResend: Bool
    /// Most cancels before giving up, and most resends of the original request.
    public let maxCancels: Int
    /// Most resends of the original request, when the wallet says it never received it.
    public let maxResends: Int
    /// The current state.
    public private(set) var state: State = .observing
    /// Inquiries so far (drives the backoff).
    public private(set) var inquiries = 0
    /// Resends so far.
    public private(set) var resends = 0
    /// Whether a cancel was refused because the wallet does not know the payment.
    private var cancelFoundNothing = false
    /// When the pay was last sent (0 for the caller's own; the time of the last resend after
    /// one). The wallet's window runs from there: a pay resent at 50 s of a 60 s window may
    /// still be processed after it, so "never arrived" is only concluded a whole window after
    /// the last send.
    private var sentAt: Duration = .zero

    /// Time since the pay was last sent.
    private func sinceSent(_ elapsed: Duration) -> Duration { elapsed - sentAt }

    /// Creates a machine for one open payment.
    public init(rule: ReconciliationRule, canResend: Bool, maxCancels: Int = 5, maxResends: Int = 3) {
        self.rule = rule
        self.canResend = canResend
        self.maxCancels = maxCancels
        self.maxResends = maxResends
    }

    /// Feeds one event and returns the action to perform.
    public mutating func next(_ event: Event) -> Action {
        switch state {
        case .settled(let status):
            return .settle(status)
        case .stopped:
            return .giveUp(WalletError(.unknownOutcome, "reconciliation stopped; resume it later"))
        case .observing:
            if let diagnosis = Self.waitingCannotHelp(event) { return stop(diagnosis) }
            return observe(event)
        case .cancelling(let attempts):
            if let diagnosis = Self.waitingCannotHelp(event) { return stop(diagnosis) }
            return cancelling(event, attempts: attempts)
        }
    }

    /// The diagnosis of an event that says no further call can help (our configuration is
    /// wrong), or nil. A final status is the wallet's proven word and is never overridden.
    static func waitingCannotHelp(_ event: Event) -> WalletError.Diagnosis? {
        let error: WalletError?
        switch event {
        case .status(.unknown(let e), _), .cancelAnswered(.unknown(let e), _), .cancelAnswered(.failed(let e), _), .callFailed(let e, _):
            error = e
        default:
            error = nil
        }
        guard let diagnosis = error?.diagnosis, diagnosis.stopsWaiting else { return nil }
        return diagnosis
    }

    private mutating func observe(_ event: Event) -> Action {
        switch event {
        case .deadlineReached:
            return stop("the time allowed for settling ran out; the payment is still open: resume with recoverPending() or the PaymentReconciler")
        case .cancelAnswered(let status, let elapsed):
            state = .cancelling(attempts: 1)
            return cancelling(.cancelAnswered(status, elapsed: elapsed), attempts: 1)
        case .status(let status, let elapsed):
            if status.isFinal { return settle(status) }
            if case .unknown(let error) = status, error.category == .notFound {
                return neverArrived(elapsed: elapsed, error: error)
            }
            return undecided(elapsed: elapsed)
        case .callFailed(let error, let elapsed):
            if !error.isRetryable, !error.mayHaveCharged, error.category != .notFound {
                // The wallet refuses to answer (credentials, a malformed query): polling will not help.
                return stop("the wallet refuses the inquiry (\(error.category.rawValue)); fix that, then resume: \(error.message)")
            }
            return undecided(elapsed: elapsed)
        }
    }

    /// The wallet has not decided yet: inquire again, or act at the end of the window.
    private mutating func undecided(elapsed: Duration) -> Action {
        let wait = delay()
        if inquiries == 0, sinceSent(elapsed) + wait > rule.window {
            // Resumed at or after the window's end (crash recovery): ask once before acting on it.
            inquiries += 1
            return .inquire(after: .zero)
        }
        if sinceSent(elapsed) + wait <= rule.window {
            inquiries += 1
            return .inquire(after: wait)
        }
        if rule.cancelsAtWindow {
            state = .cancelling(attempts: 1)
            return .cancel(after: .zero)
        }
        return stop("the order's validity (\(rule.window)) has passed and the status API has not decided; query it again later")
    }

    /// The wallet does not know the payment: while the window lasts, send the identical pay
    /// again under its reference (every scheme's reference is idempotent: the wallet answers
    /// the original if it did get it after all), up to ``maxResends`` times. Each resend
    /// starts the window again.
    private mutating func neverArrived(elapsed: Duration, error: WalletError) -> Action {
        if canResend, resends < maxResends, sinceSent(elapsed) < rule.window {
            resends += 1
            let wait = delay()
            sentAt = elapsed + wait
            return .resend(after: wait)
        }
        if sinceSent(elapsed) >= rule.window, cancelFoundNothing || !rule.cancelsAtWindow {
            return settle(
                .failed(
                    WalletError(
                        .notFound, "the wallet never received the payment and its window has passed; nothing was charged",
                        partnerCode: error.partnerCode, partnerMessage: error.partnerMessage, mayHaveCharged: false)))
        }
        return undecided(elapsed: elapsed)
    }

    private mutating func cancelling(_ event: Event, attempts: Int) -> Action {
        switch event {
        case .deadlineReached:
            return stop("the time allowed for settling ran out while cancelling; resume with recoverPending() or the PaymentReconciler")
        case .cancelAnswered(.cancelled, _):
            return settle(Self.cancelledByPolicy)
        case .cancelAnswered(.succeeded, _):
            return settle(.succeeded)
        case .cancelAnswered(let status, _):
            // Refused or unbound: the payment's state decides (an inquiry follows).
            if case .failed(let error) = status, error.category == .notFound { cancelFoundNothing = true }
            if case .unknown(let error) = status, error.category == .notFound { cancelFoundNothing = true }
            state = .cancelling(attempts: attempts)
            return .inquire(after: .zero)
        case .callFailed(let error, _):
            if error.category == .notFound { cancelFoundNothing = true }
            guard attempts < maxCancels else { return stop("the cancel could not be confirmed after \(attempts) attempts: \(error.message)") }
            state = .cancelling(attempts: attempts + 1)
            return .cancel(after: delay())
        case .status(let status, let elapsed):
            if case .cancelled = status { return settle(Self.cancelledByPolicy) }
            if status.isFinal { return settle(status) }
            if case .unknown(let error) = status, error.category == .notFound, cancelFoundNothing, sinceSent(elapsed) >= rule.window {
                return settle(
                    .failed(
                        WalletError(
                            .notFound, "the wallet never received the payment, and refused to cancel what it does not know; nothing was charged",
                            partnerCode: error.partnerCode, partnerMessage: error.partnerMessage, mayHaveCharged: false)))
            }
            guard attempts < maxCancels else { return stop("the payment is still undecided after \(attempts) cancels") }
            state = .cancelling(attempts: attempts + 1)
            return .cancel(after: delay())
        }
    }

    /// The status of a payment the policy cancelled at the end of its window: `cancelled`, a
    /// final state in which no money moved (the scheme's "failed once the cancel succeeds").
    /// It is the state the wallet proved, so the journal and the caller agree on it.
    public static let cancelledByPolicy = PaymentStatus.cancelled

    private mutating func settle(_ status: PaymentStatus) -> Action {
        state = .settled(status)
        return .settle(status)
    }

    private mutating func stop(_ why: String) -> Action {
        state = .stopped
        return .giveUp(WalletError(.unknownOutcome, why))
    }

    /// Stops on a diagnosis: the payment stays open, and the error says what to fix and how to
    /// settle it afterwards.
    private mutating func stop(_ diagnosis: WalletError.Diagnosis) -> Action {
        state = .stopped
        return .giveUp(
            WalletError(
                .unknownOutcome,
                "stopped waiting: \(diagnosis). The payment stays open (the request may have reached the wallet): "
                    + "once the profile is fixed, inquire it by its merchant reference or recover pending payments", diagnosis: diagnosis))
    }

    /// The wait before the next inquiry, by the rule.
    private func delay() -> Duration {
        switch rule {
        case .inquireThenCancel(let interval, _):
            return interval
        case .queryUntilExpiry(_, let initial, let cap), .queryResendThenCancel(_, let initial, let cap):
            let exponent = min(inquiries, 20)
            return min(initial * (1 << exponent), cap)
        }
    }
}
