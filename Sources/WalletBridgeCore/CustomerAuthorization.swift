import Foundation

/// A customer's standing authorization of this merchant to debit their wallet ("bind once, pay
/// in one step"): what ``AuthorizationAdapter/completeAuthorization(_:start:)`` returns, and
/// what a ``CustomerAuthorizationStore`` keeps.
///
/// The tokens are secrets: they never appear in ``description``, `debugDescription`, a mirror,
/// a log or an error. Callers hold the ``handle``; ``WalletClient`` looks the tokens up, keeps
/// them fresh and puts the access token in the payment request.
public struct CustomerAuthorization: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// Our own id for this authorization (`wbauth_…`): what a merchant stores against its
    /// customer and passes as ``PaymentRequest/authorization``. Not a secret.
    public var handle: String
    /// The wallet's name (`gcash`, `dana`, `paytm`).
    public var wallet: String
    /// The merchant's id for the customer.
    public var customerID: String
    /// The access token that authorizes debits.
    public var accessToken: CustomerCredential
    /// When the access token expires; nil when the wallet gave no expiry.
    public var accessTokenExpiresAt: Date?
    /// The token that gets a new access token, when the wallet issues one.
    public var refreshToken: CustomerCredential?
    /// When the refresh token expires; nil when unknown or none.
    public var refreshTokenExpiresAt: Date?
    /// The scopes granted (Alipay+ `AGREEMENT_PAY`, ...).
    public var scopes: [String]
    /// The wallet's reference for the binding or the customer (Alipay+ `userLoginId`, masked),
    /// when it gives one. Not a secret.
    public var walletReference: String?
    /// When the customer granted it.
    public var grantedAt: Date
    /// When it was last refreshed; nil when never.
    public var refreshedAt: Date?
    /// When it was revoked (by the merchant, or by the customer in the wallet); nil while
    /// active. A revoked authorization is kept so that a later payment with its handle is
    /// refused as ``WalletError/AuthorizationProblem/revoked`` without asking the wallet.
    public var revokedAt: Date?

    /// Creates an authorization.
    public init(
        handle: String = CustomerAuthorization.newHandle(), wallet: String, customerID: String, accessToken: CustomerCredential,
        accessTokenExpiresAt: Date?, refreshToken: CustomerCredential? = nil, refreshTokenExpiresAt: Date? = nil, scopes: [String] = [],
        walletReference: String? = nil, grantedAt: Date, refreshedAt: Date? = nil, revokedAt: Date? = nil
    ) {
        self.handle = handle
        self.wallet = wallet
        self.customerID = customerID
        self.accessToken = accessToken
        self.accessTokenExpiresAt = accessTokenExpiresAt
        self.refreshToken = refreshToken
        self.refreshTokenExpiresAt = refreshTokenExpiresAt
        self.scopes = scopes
        self.walletReference = walletReference
        self.grantedAt = grantedAt
        self.refreshedAt = refreshedAt
        self.revokedAt = revokedAt
    }

    /// A new random handle: `wbauth_` and 24 hex characters.
    public static func newHandle() -> String {
        "wbauth_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(24)
    }

    /// Whether it has been revoked.
    public var isRevoked: Bool { revokedAt != nil }

    /// This authorization with the tokens of `renewed` (a refresh's result): the handle,
    /// customer and grant time stay.
    public func renewed(by renewed: CustomerAuthorization, at now: Date) -> CustomerAuthorization {
        var copy = self
        copy.accessToken = renewed.accessToken
        copy.accessTokenExpiresAt = renewed.accessTokenExpiresAt
        // A wallet that rotates refresh tokens sends a new one; one that does not keeps the old.
        copy.refreshToken = renewed.refreshToken ?? refreshToken
        copy.refreshTokenExpiresAt = renewed.refreshToken == nil ? refreshTokenExpiresAt : renewed.refreshTokenExpiresAt
        if !renewed.scopes.isEmpty { copy.scopes = renewed.scopes }
        copy.walletReference = renewed.walletReference ?? walletReference
        copy.refreshedAt = now
        return copy
    }

    /// Handle, wallet, customer, scopes and expiries; never a token.
    public var description: String {
        var parts = ["handle: \(handle)", "wallet: \(wallet)", "customer: \(customerID)"]
        if !scopes.isEmpty { parts.append("scopes: \(scopes.joined(separator: ","))") }
        if let accessTokenExpiresAt { parts.append("accessTokenExpiresAt: \(TimestampText.iso8601(accessTokenExpiresAt))") }
        parts.append("accessToken: <redacted>")
        if refreshToken != nil { parts.append("refreshToken: <redacted>") }
        if let revokedAt { parts.append("revokedAt: \(TimestampText.iso8601(revokedAt))") }
        return "CustomerAuthorization(" + parts.joined(separator: ", ") + ")"
    }

    public var debugDescription: String { description }
    public var customMirror: Mirror {
        Mirror(
            self,
            children: ["handle": handle, "wallet": wallet, "customerID": customerID, "scopes": scopes, "revokedAt": revokedAt as Any],
            displayStyle: .struct)
    }
}
