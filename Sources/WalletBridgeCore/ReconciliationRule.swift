/// How a wallet settles a payment whose outcome is open, declared by its adapter and carried
/// out by ``ReconciliationStateMachine``. The numbers belong to the wallet's scheme; the client
/// only follows them.
///
/// Common to every rule: a pay the wallet says it never received is resent identically under
/// its reference (at most ``ReconciliationStateMachine/maxResends`` times, never in recovery),
/// and each resend starts the window again.
public enum ReconciliationRule: Sendable, Equatable {
    /// Alipay+ auto debit: inquire every `interval` for up to `window`, then cancel. The
    /// payment is failed only once the cancel succeeds; a cancel refused because the payment
    /// succeeded makes it succeeded.
    case inquireThenCancel(interval: Duration, window: Duration)
    /// Paytm-style: the status API decides. Query a pending order with capped exponential
    /// backoff (`initial` doubling up to `cap`) until the order's `validity` ends.
    case queryUntilExpiry(validity: Duration, initial: Duration, cap: Duration)
    /// SNAP/DANA: query (55) with capped exponential backoff; cancel (57) once `validity` has
    /// passed. (The name predates the resend becoming common to every rule.)
    case queryResendThenCancel(validity: Duration, initial: Duration, cap: Duration)

    /// How long the wallet may take to decide, after which the rule acts (cancel, or stops).
    public var window: Duration {
        switch self {
        case .inquireThenCancel(_, let window): return window
        case .queryUntilExpiry(let validity, _, _), .queryResendThenCancel(let validity, _, _): return validity
        }
    }

    /// Whether the rule ends an undecided payment with a cancel.
    public var cancelsAtWindow: Bool {
        switch self {
        case .inquireThenCancel, .queryResendThenCancel: return true
        case .queryUntilExpiry: return false
        }
    }
}
