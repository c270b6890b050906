extension WalletError {
    /// Why a customer authorization (the token from binding the customer's wallet) does not
    /// work, beside the error's ``WalletError/Category`` (`authenticationFailed` for a token the
    /// wallet refuses, `invalidRequest` for a bad authorization code).
    ///
    /// A private code with `static let` values, like the transport errors of AsyncHTTPClient: new
    /// problems never break a caller's `switch`. What to do: ``expired`` — refresh, or bind again
    /// when the refresh token has expired too; ``revoked`` and ``invalidCode`` — ask the customer
    /// to bind again. None of them is retried as it is.
    public struct AuthorizationProblem: Sendable, Hashable, CustomStringConvertible {
        private let code: String
        private init(_ code: String) { self.code = code }

        /// The access token (or the refresh token, on a refresh) has expired.
        public static let expired = AuthorizationProblem("authorizationExpired")
        /// The customer or the merchant ended the authorization, or the wallet no longer knows
        /// the token.
        public static let revoked = AuthorizationProblem("authorizationRevoked")
        /// The authorization code (or OTP) is invalid, already used, expired, or not this
        /// merchant's.
        public static let invalidCode = AuthorizationProblem("invalidAuthorizationCode")

        /// The code: `authorizationExpired`, `authorizationRevoked` or `invalidAuthorizationCode`.
        public var description: String { code }
    }

    /// This error with `authorization` set (the message unchanged); the result is never
    /// retryable.
    public func with(authorization problem: AuthorizationProblem?) -> WalletError {
        var copy = self
        copy.authorization = problem
        return copy
    }
}
