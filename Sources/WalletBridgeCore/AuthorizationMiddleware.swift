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

    public func intercept(_ operation: WalletOperation, context: WalletOperationContext, next: WalletNext) async throws(WalletError) -> WalletOutcome
    {
        guard case .pay(var request) = operation, let handle = request.authorization else {
            return try await next(operation, context)
        }
        let outcome = try await next(operation, context)
        guard let result = outcome.payment, case .failed(let error) = result.status, let problem = error.authorization else { return outcome }
        switch problem {
        case .expired:
            context.logger.notice(
                "the wallet refused the customer's access token as expired; refreshing it once and resending under the same reference",
                metadata: ["authorization": "\(handle)"])
            let renewed: CustomerAuthorization
            do throws(WalletError) {
                renewed = try await refresher.replace(handle, rejected: request.customer)
            } catch let refreshError {
                // Nothing was charged (the wallet refused the payment); the refresh's own
                // problem (revoked, expired refresh token) is the one to act on.
                var refused = result
                refused.status = .failed(refreshError)
                return .payment(refused)
            }
            request.customer = renewed.accessToken
            var resent = context
            resent.attempt += 1
            return try await next(.pay(request), resent)
        case .revoked:
            try? await refresher.markRevoked(handle, at: now())
            return outcome
        default:
            return outcome
        }
    }
}
