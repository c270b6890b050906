import Foundation

/// Whether a stored authorization can be used for a payment now, as a pure decision: the
/// client acts on it (``WalletClient`` refreshes, or refuses without sending).
public struct AuthorizationRefreshPolicy: Sendable, Equatable {
    /// What to do with an authorization before a payment.
    public enum Decision: Sendable, Equatable {
        /// Use the access token as it is.
        case use
        /// Refresh first: the access token expires within the margin (or has expired) and the
        /// refresh token is still good.
        case refresh
        /// Do not send: ask the customer to bind again.
        case refuse(WalletError.AuthorizationProblem)
    }

    /// An access token that expires within this margin is refreshed before a payment.
    public var margin: Duration

    /// Creates a policy; the default margin is 5 minutes.
    public init(margin: Duration = .seconds(300)) {
        self.margin = margin
    }

    /// The decision for `authorization` at `now`.
    public func decide(_ authorization: CustomerAuthorization, now: Date) -> Decision {
        if authorization.isRevoked { return .refuse(.revoked) }
        guard let expiry = authorization.accessTokenExpiresAt else { return .use }
        let marginSeconds = Double(margin.components.seconds) + Double(margin.components.attoseconds) / 1e18
        if now.addingTimeInterval(marginSeconds) < expiry { return .use }
        if canRefresh(authorization, now: now) { return .refresh }
        // No way to renew: the token serves until it expires, then the customer binds again.
        return now < expiry ? .use : .refuse(.expired)
    }

    /// Whether `authorization` has a refresh token that has not expired at `now`.
    public func canRefresh(_ authorization: CustomerAuthorization, now: Date) -> Bool {
        guard authorization.refreshToken != nil, !authorization.isRevoked else { return false }
        return authorization.refreshTokenExpiresAt.map { now < $0 } ?? true
    }
}
