/// One partner's wallet behind the common interface.
///
/// An adapter only translates between the common model and its partner's wire format (and
/// signs and verifies on the way); retry and reconciliation policy belong to `WalletClient`.
///
/// An adapter makes **one wire call per method** and applies ``ReplyBinding`` to every reply:
/// a success or cancellation that is not bound to the request is `unknown`. Composite flows
/// (an inquiry after a refused cancel, a lookup before a refund) belong to the client's policy.
///
/// Errors versus statuses, in two levels that are never mixed:
/// - A mutating method (`pay`, `cancel`, `refund`) *returns* whenever the request may have
///   reached the wallet, with `unknown` when no verified, bound reply says what happened (a
///   timeout after sending, a 5xx, an unsigned or unparseable answer, an unsigned 429). It
///   *throws* only when the request provably never reached the wallet, or when the wallet
///   verifiably refused the operation itself (a refused cancel, an inconsistent replay).
/// - A read (`inquire`, `inquireRefund`) *returns* what a verified reply says about the
///   payment, and *throws* when the inquiry itself failed: such an error says nothing about
///   the payment, whose last known status stands.
public protocol WalletAdapter: Sendable {
    /// Short wallet name (`gcash`, `paytm`, `dana`).
    var walletName: String { get }
    /// What the adapter supports.
    var capabilities: WalletCapabilities { get }

    /// Takes a payment.
    func pay(_ request: PaymentRequest) async throws(WalletError) -> PaymentResult
    /// Reads a payment's current state.
    func inquire(_ query: PaymentQuery) async throws(WalletError) -> PaymentResult
    /// Cancels a payment that has not completed.
    func cancel(_ query: PaymentQuery) async throws(WalletError) -> PaymentResult
    /// Refunds part or all of a succeeded payment.
    func refund(_ request: RefundRequest) async throws(WalletError) -> RefundResult
    /// Reads a refund's current state.
    func inquireRefund(_ query: RefundQuery) async throws(WalletError) -> RefundResult
    /// Verifies a received notification from its raw bytes, and builds its acknowledgement.
    /// - Throws: ``WalletError`` `authenticationFailed` for a missing or wrong signature,
    ///   `invalidRequest` for a malformed body.
    func verifyNotification(_ notification: InboundNotification) throws(WalletError) -> VerifiedNotification

    /// How this wallet settles a payment whose outcome is open.
    var reconciliationRule: ReconciliationRule { get }
    /// `request` with every input that shapes the wire body pinned (SNAP's `validUpTo`), so that
    /// every attempt, and a resend after a crash, sends the identical body.
    func pinned(_ request: PaymentRequest) -> PaymentRequest
}

extension WalletAdapter {
    /// Query with capped exponential backoff (1 s doubling up to 30 s) for 15 minutes.
    public var reconciliationRule: ReconciliationRule {
        .queryUntilExpiry(validity: .seconds(900), initial: .seconds(1), cap: .seconds(30))
    }

    /// The request unchanged: nothing in it varies between attempts.
    public func pinned(_ request: PaymentRequest) -> PaymentRequest { request }
}
