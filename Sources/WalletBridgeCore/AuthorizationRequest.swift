import Foundation

/// What a merchant asks for when a customer starts binding their wallet:
/// ``AuthorizationAdapter/startAuthorization(_:)``.
public struct AuthorizationRequest: Sendable, Equatable {
    /// The merchant's id for the customer (kept with the authorization; sent to wallets that
    /// take one).
    public var customerID: String
    /// Where the wallet sends the customer back with the authorization code (`authRedirectUrl`,
    /// `redirectUrl`); nil means the profile's.
    public var redirectURL: String?
    /// The scopes to ask for; nil means the adapter's default (Alipay+ `AGREEMENT_PAY`).
    public var scopes: [String]?
    /// The value the wallet hands back with the code, checked on the way back against
    /// cross-site request forgery; nil makes a random one.
    public var state: String?

    /// Creates a request.
    public init(customerID: String, redirectURL: String? = nil, scopes: [String]? = nil, state: String? = nil) {
        self.customerID = customerID
        self.redirectURL = redirectURL
        self.scopes = scopes
        self.state = state
    }

    /// A random state value: 32 hex characters.
    public static func newState() -> String {
        RandomIdentifier.hex32()
    }
}

/// What the customer must do to grant the authorization, and what to check on the way back.
public struct AuthorizationStart: Sendable, Equatable, CustomStringConvertible {
    /// The wallet's name.
    public var wallet: String
    /// The merchant's id for the customer.
    public var customerID: String
    /// The consent step: a redirect or deeplink to the wallet's consent page, or a QR.
    public var action: NextAction
    /// The state value the wallet must hand back with the code.
    public var state: String
    /// The scopes asked for.
    public var scopes: [String]

    /// Creates a start.
    public init(wallet: String, customerID: String, action: NextAction, state: String, scopes: [String]) {
        self.wallet = wallet
        self.customerID = customerID
        self.action = action
        self.state = state
        self.scopes = scopes
    }

    /// The wallet, customer, action (safe form) and scopes.
    public var description: String {
        "AuthorizationStart(wallet: \(wallet), customer: \(customerID), action: \(action), scopes: \(scopes.joined(separator: ",")))"
    }
}

/// What comes back from the consent step: the authorization code and the state the wallet
/// handed back with it (from the redirect's query, or from a granted notification).
public struct AuthorizationGrant: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The one-time authorization code (`authCode`). A secret until used: never printed.
    public var code: CustomerCredential
    /// The state handed back; must equal ``AuthorizationStart/state``.
    public var state: String

    /// Creates a grant.
    public init(code: String, state: String) {
        self.code = CustomerCredential(code)
        self.state = state
    }

    /// Parses the query of the URL the wallet redirected the customer to: `authCode` (or
    /// `auth_code`) and `authState` (or `state`).
    /// - Throws: ``WalletError`` `declined` when the wallet sent the customer back with an
    ///   `error` (consent refused); `invalidRequest` (with
    ///   ``WalletError/AuthorizationProblem/invalidCode``) when the code or state is missing.
    public init(redirectURL: String) throws(WalletError) {
        guard let components = URLComponents(string: redirectURL) else {
            throw WalletError(.invalidRequest, "the redirect URL cannot be parsed", mayHaveCharged: false).with(authorization: .invalidCode)
        }
        let items = components.queryItems ?? []
        func value(_ names: String...) -> String? {
            for name in names { if let v = items.first(where: { $0.name == name })?.value, !v.isEmpty { return v } }
            return nil
        }
        if let refusal = value("error") {
            throw WalletError(.declined, "the customer did not grant the authorization (\(refusal))", mayHaveCharged: false)
        }
        guard let code = value("authCode", "auth_code") else {
            throw WalletError(.invalidRequest, "the redirect URL carries no authCode", mayHaveCharged: false).with(authorization: .invalidCode)
        }
        guard let state = value("authState", "state") else {
            throw WalletError(.invalidRequest, "the redirect URL carries no state", mayHaveCharged: false).with(authorization: .invalidCode)
        }
        self.init(code: code, state: state)
    }

    /// The state; never the code.
    public var description: String { "AuthorizationGrant(code: <redacted>, state: \(state))" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["state": state], displayStyle: .struct) }
}
