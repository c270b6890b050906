import Foundation

/// A wallet adapter that can bind a customer's wallet: the customer authorization lifecycle
/// (Alipay+ auto-debit authorization, SNAP account binding with the B2B2C token, Paytm-style
/// linking), beside the payment operations of ``WalletAdapter``.
///
/// Like the payment operations, each method makes **one wire call** and only translates;
/// ``WalletClient`` holds the policy (state check, storage, refresh before expiry, one refresh
/// per customer at a time, a refresh and resend after a refusal for an expired token).
///
/// Errors name the problem in ``WalletError/authorization`` (``WalletError/AuthorizationProblem``)
/// whenever the wallet proves the authorization or code is not usable, so that a merchant
/// asks the customer to bind again rather than retry.
public protocol AuthorizationAdapter: WalletAdapter {
    /// What this wallet's authorization looks like (scopes, consent step).
    var authorizationCapabilities: AuthorizationCapabilities { get }

    /// Asks the wallet where the customer grants the authorization (Alipay+
    /// `consultAuthorization`, SNAP account binding).
    func startAuthorization(_ request: AuthorizationRequest) async throws(WalletError) -> AuthorizationStart

    /// Exchanges the authorization code for tokens (Alipay+ `applyToken` with
    /// `AUTHORIZATION_CODE`, SNAP B2B2C token with `AUTHORIZATION_CODE`). The caller has checked
    /// the grant's state against `start`.
    func completeAuthorization(_ grant: AuthorizationGrant, start: AuthorizationStart) async throws(WalletError) -> CustomerAuthorization

    /// Gets a new access token with the refresh token (`REFRESH_TOKEN`). Returns the tokens
    /// only; the caller keeps the handle (``CustomerAuthorization/renewed(by:at:)``).
    func refreshAuthorization(_ authorization: CustomerAuthorization) async throws(WalletError) -> CustomerAuthorization

    /// Ends the authorization at the merchant's request (Alipay+ `revoke`, SNAP unbinding).
    /// An authorization the wallet no longer knows counts as revoked (no error).
    func revokeAuthorization(_ authorization: CustomerAuthorization) async throws(WalletError)

    /// Verifies an authorization notification (granted, or revoked by the customer in the
    /// wallet) from its raw bytes, and builds its acknowledgement.
    /// - Throws: ``WalletError`` `authenticationFailed` for a missing, wrong or stale
    ///   signature; `invalidRequest` for a malformed body.
    func verifyAuthorizationNotification(_ notification: InboundNotification) throws(WalletError) -> VerifiedAuthorizationNotification
}

/// What a wallet's authorization looks like.
public struct AuthorizationCapabilities: Sendable, Equatable {
    /// The scopes asked for when a request names none.
    public var defaultScopes: [String]
    /// Whether the wallet issues refresh tokens.
    public var refreshes: Bool
    /// Whether the wallet sends authorization notifications (granted, revoked in the app).
    public var notifies: Bool

    /// Creates the capabilities.
    public init(defaultScopes: [String], refreshes: Bool = true, notifies: Bool = true) {
        self.defaultScopes = defaultScopes
        self.refreshes = refreshes
        self.notifies = notifies
    }
}

/// An authorization event the wallet told us about.
public struct AuthorizationNotification: Sendable, Equatable, CustomStringConvertible {
    /// What happened.
    public struct Event: Sendable, Hashable, CustomStringConvertible {
        private let code: String
        private init(_ code: String) { self.code = code }
        /// The customer granted the authorization; ``AuthorizationNotification/grant`` holds the code.
        public static let granted = Event("granted")
        /// The customer (or the wallet) ended the authorization.
        public static let revoked = Event("revoked")
        /// `granted` or `revoked`.
        public var description: String { code }
    }

    /// What happened.
    public var event: Event
    /// For ``Event/granted``: the code and state, to complete the binding with.
    public var grant: AuthorizationGrant?
    /// For ``Event/revoked``: the access token that no longer works, to find the
    /// authorization it belongs to (a secret: never printed).
    public var accessToken: CustomerCredential?
    /// The wallet's reason, when it gives one.
    public var reason: String?
    /// The key under which it is deduplicated.
    public var deduplicationKey: String

    /// Creates a notification.
    public init(
        event: Event, grant: AuthorizationGrant? = nil, accessToken: CustomerCredential? = nil, reason: String? = nil, deduplicationKey: String
    ) {
        self.event = event
        self.grant = grant
        self.accessToken = accessToken
        self.reason = reason
        self.deduplicationKey = deduplicationKey
    }

    /// The event, state and reason; never a code or token.
    public var description: String {
        var text = "AuthorizationNotification(\(event)"
        if let grant { text += ", state: \(grant.state)" }
        if let reason { text += ", reason: \(reason)" }
        return text + ")"
    }
}

/// A verified authorization notification and its acknowledgement.
public struct VerifiedAuthorizationNotification: Sendable, Equatable {
    /// The event.
    public var notification: AuthorizationNotification
    /// What to answer the wallet with.
    public var acknowledgement: NotificationAcknowledgement

    /// Creates a verified notification.
    public init(notification: AuthorizationNotification, acknowledgement: NotificationAcknowledgement) {
        self.notification = notification
        self.acknowledgement = acknowledgement
    }
}
