/// One partner's wallet behind the common interface.
///
/// An adapter only translates between the common model and its partner's wire format (and
/// signs and verifies on the way); retry and reconciliation policy belong to `WalletClient`.
///
/// Errors versus statuses: a method *returns* whenever the partner said something about the
/// payment, including failure and "unknown" (a timeout after the request left, an unsigned
/// reply). It *throws* ``WalletError`` only when the call established nothing about the
/// payment: the request was invalid and never sent, could not reach the partner, or was
/// rejected as inconsistent with an earlier one under the same reference. The error's
/// ``WalletError/mayHaveCharged`` and ``WalletError/isRetryable`` say what to do next.
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
}
