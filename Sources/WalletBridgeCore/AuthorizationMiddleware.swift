import Foundation

/// Keeps a payment that names a stored authorization (``PaymentRequest/authorization``) going
/// when the wallet refuses its token: refused as expired, the token is refreshed once (shared
/// with concurrent payments) and the payment resent under the same reference; refused as
/// revoked, the authorization is recorded as revoked and never retried.
///
/// ``WalletClient/pay(_:correlationID:)`` puts the access token in the request before anything
/// is journalled, refreshing it first when ``AuthorizationRefreshPolicy`` says it is due, and
/// refuses a revoked or expired authorization without sending or journalling.
///
/// ``WalletClient`` places it innermost, after ``JournalMiddleware``, so that a refresh and
/// resend happen inside one journalled attempt: the journal sees one payment and its final
/// outcome. The journal never stores the token.
public struct AuthorizationMiddleware: WalletMiddleware {
    /// The client's refresher.
    public let refresher: AuthorizationRefresher
    private let now: @Sendable () -> Date

    /// Creates the middleware.
    public init(refresher: AuthorizationRefresher, now: @escaping @Sendable () -> Date) {
        self.refresher = refresher
        self.now = now
    }

    /// Whether an earlier attempt of the payment in progress may have reached the wallet (a
    /// resend under a reference the journal already holds): set by ``WalletClient`` around
    /// such a `pay`.
    @TaskLocal static var earlierAttemptMayHaveReached = false

    public func intercept(_ operation: WalletOperation, context: WalletOperationContext, next: WalletNext) async throws(WalletError) -> WalletOutcome
    {
        // This frame stays allocated while `next` runs: what happens after a refused token is
        // in a non-inlined helper.
        let outcome = try await next(operation, context)
        guard Self.refusedToken(outcome) else { return outcome }
        return try await afterRefusal(operation, outcome, context: context, next: next)
    }

    /// Whether `outcome` is a payment the wallet refused for its customer token.
    static func refusedToken(_ outcome: WalletOutcome) -> Bool {
        guard case .payment(let result) = outcome, case .failed(let error) = result.status else { return false }
        return error.authorization != nil
    }

    /// A pay the wallet refused for its customer token: refresh and resend, or record the
    /// revocation, when the payment names a stored authorization.
    @inline(never)
    private func afterRefusal(
        _ operation: WalletOperation, _ outcome: WalletOutcome, context: WalletOperationContext, next: WalletNext
    )
        async throws(WalletError) -> WalletOutcome
    {
        guard case .pay(let request) = operation, let handle = request.authorization, let result = outcome.payment,
            case .failed(let error) = result.status, let problem = error.authorization
        else { return outcome }
        if context.attempt > 1 || Self.earlierAttemptMayHaveReached {
            // A resend: an earlier attempt may have been processed, whatever this one's token
            // says. The refusal proves nothing about the payment: unknown, settled by inquiry
            // (which needs no customer token). Never failed, never refreshed and resent.
            var open = result
            open.status = .unknown(
                WalletError(
                    .unknownOutcome,
                    "the wallet refused this resend's customer token (\(problem)); an earlier attempt may have been processed, so inquire",
                    partnerCode: error.partnerCode, partnerMessage: error.partnerMessage, mayHaveCharged: true))
            if problem == .revoked { await markRevokedIfCurrent(handle, refused: request.customer) }
            return .payment(open)
        }
        switch problem {
        case .expired:
            context.logger.notice(
                "the wallet refused the customer's access token as expired; refreshing it once and resending under the same reference",
                metadata: ["authorization": "\(handle)"])
            let renewed: CustomerAuthorization
            do throws(WalletError) {
                renewed = try await refresher.replace(handle, rejected: request.customer)
            } catch let refreshError {
                // Nothing was charged (the wallet refused the payment, on its first attempt);
                // the refresh's own problem (revoked, expired refresh token) is the one to act on.
                var refused = result
                refused.status = .failed(
                    WalletError(
                        refreshError.category == .unknownOutcome || refreshError.category == .timeout ? .authenticationFailed : refreshError.category,
                        "the wallet refused the customer's expired access token, and it could not be refreshed: \(refreshError.message)",
                        partnerCode: error.partnerCode, partnerMessage: error.partnerMessage, mayHaveCharged: false
                    ).with(authorization: refreshError.authorization ?? .expired))
                return .payment(refused)
            }
            return try await resend(request, token: renewed.accessToken, context: context, next: next)
        case .revoked:
            // A concurrent refresh may have rotated the token this payment read: then resend
            // once with the current one; otherwise the binding is revoked.
            if let stored = try? await refresher.load(handle), !stored.isRevoked, stored.accessToken != request.customer {
                return try await resend(request, token: stored.accessToken, context: context, next: next)
            }
            await markRevokedIfCurrent(handle, refused: request.customer)
            return outcome
        default:
            return outcome
        }
    }

    private func resend(
        _ request: PaymentRequest, token: CustomerCredential, context: WalletOperationContext, next: WalletNext
    )
        async throws(WalletError) -> WalletOutcome
    {
        var request = request
        request.customer = token
        var resent = context
        resent.attempt += 1
        return try await next(.pay(request), resent)
    }

    /// Marks `handle` revoked only while its stored token is still the refused one (a refresh
    /// may have replaced it meanwhile).
    private func markRevokedIfCurrent(_ handle: String, refused: CustomerCredential) async {
        guard let stored = try? await refresher.load(handle), stored.accessToken == refused else { return }
        try? await refresher.markRevoked(handle, at: now())
    }
}
