import Foundation

/// The customer authorizations the sandbox's Alipay+ wallets (`gcash`, `tng`) hold: consent
/// sessions, one-time authorization codes and bindings (access and refresh tokens). Shared by
/// the wallets and the admin endpoints. With a state file they persist in the ledger's state
/// (so a binding made by one CLI run still pays in the next); otherwise in memory.
final class SandboxAuthorizations: @unchecked Sendable {
    /// A `consult` waiting for the customer's consent.
    struct Session: Sendable, Codable, Equatable {
        var id: String
        var wallet: String
        var clientID: String
        var redirectURL: String
        var state: String
        var scopes: [String]
        var notifyURL: String?
        var used = false
    }

    /// An authorization code: single use, 5 minutes.
    struct Code: Sendable, Codable, Equatable {
        var wallet: String
        var clientID: String
        var customerID: String
        var scopes: [String]
        var notifyURL: String?
        var issuedAt: Date
        var used = false
    }

    /// A customer's binding to a merchant (client id): the current tokens only (a refresh
    /// rotates both and the old ones stop working).
    struct Binding: Sendable, Codable, Equatable {
        var id: String
        var wallet: String
        var clientID: String
        var customerID: String
        var scopes: [String]
        var notifyURL: String?
        var accessToken: String
        var accessTokenExpiresAt: Date
        var refreshToken: String
        var refreshTokenExpiresAt: Date
        var grantedAt: Date
        var refreshes = 0
        var revokedAt: Date?
    }

    struct State: Sendable, Codable, Equatable {
        var sessions: [String: Session] = [:]
        var codes: [String: Code] = [:]
        var bindings: [Binding] = []
        var counter = 0

        mutating func nextID(_ prefix: String) -> String {
            counter += 1
            return "\(prefix)\(counter)"
        }
    }

    /// How long an authorization code may be exchanged.
    static let codeLifetime: TimeInterval = 300
    /// How long a refresh token lives.
    static let refreshTokenLifetime: TimeInterval = 30 * 24 * 3600

    private let lock = NSLock()
    private var state = State()
    private var base = "http://127.0.0.1"
    /// Where the state persists (the ledger's state file), when there is one.
    private let ledger: SandboxLedger?

    /// Authorizations kept in `ledger`'s state (loaded from it now), or in memory without one.
    init(ledger: SandboxLedger? = nil) {
        self.ledger = ledger
        if let saved = ledger?.read({ $0.alipayAuthorizations }) { state = saved }
    }

    /// The sandbox's own base URL (set once it listens), for the consent page's address.
    var baseURL: String {
        get { lock.withLock { base } }
        set { lock.withLock { base = newValue } }
    }

    /// Reads or changes the state; a change is saved to the ledger's state file (a failed save
    /// keeps the change in memory: the sandbox goes on, as after a restart without the file).
    func change<T>(_ body: (inout State) -> T) -> T {
        lock.withLock {
            let before = state
            let result = body(&state)
            if let ledger, state != before {
                let snapshot = state
                _ = try? ledger.change { $0.alipayAuthorizations = snapshot }
            }
            return result
        }
    }

    /// A random secret of 64 hex characters (a token or code).
    static func secret() -> String {
        (UUID().uuidString + UUID().uuidString).replacingOccurrences(of: "-", with: "").lowercased()
    }
}
