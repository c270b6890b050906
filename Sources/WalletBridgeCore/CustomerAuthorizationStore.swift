import Foundation

/// Where ``WalletClient`` keeps customer authorizations (tokens included), by handle.
///
/// ``InMemoryCustomerAuthorizationStore`` is the default: one process, nothing at rest.
/// `SQLiteCustomerAuthorizationStore` (`WalletBridgeSQLite`) keeps them in the payment
/// journal's database, the tokens sealed with AES-256-GCM under a key the caller provides.
/// An implementation never logs a token and never puts one in an error.
public protocol CustomerAuthorizationStore: Sendable {
    /// Inserts or replaces the authorization with `authorization.handle`.
    func save(_ authorization: CustomerAuthorization) async throws
    /// The authorization with `handle`, if any (revoked ones included).
    func authorization(handle: String) async throws -> CustomerAuthorization?
    /// Every authorization of `wallet` (or of every wallet), oldest grant first.
    func authorizations(wallet: String?) async throws -> [CustomerAuthorization]
}

/// The default store: a dictionary in memory, for one process and tests.
public actor InMemoryCustomerAuthorizationStore: CustomerAuthorizationStore {
    private var byHandle: [String: CustomerAuthorization] = [:]

    /// Creates an empty store.
    public init() {}

    public func save(_ authorization: CustomerAuthorization) {
        byHandle[authorization.handle] = authorization
    }

    public func authorization(handle: String) -> CustomerAuthorization? {
        byHandle[handle]
    }

    public func authorizations(wallet: String?) -> [CustomerAuthorization] {
        byHandle.values.filter { wallet == nil || $0.wallet == wallet }.sorted { ($0.grantedAt, $0.handle) < ($1.grantedAt, $1.handle) }
    }
}
