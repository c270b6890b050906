import Foundation
import WalletBridgeCore
import WalletBridgeCrypto
import WalletBridgeHTTP

/// The B2B access token of token mode: fetched when first needed, reused until shortly before
/// it expires, and renewed once when the wallet rejects it. Concurrent callers share one
/// fetch: 50 payments that find the token expired cause one token request, not 50.
actor SNAPAccessTokenCache {
    /// A token and when to stop using it.
    struct Token: Sendable {
        var value: SecretBytes
        var renewAfter: Date
    }

    typealias Fetch = @Sendable () async throws(WalletError) -> (token: SecretBytes, expiresIn: Duration)

    private let fetch: Fetch
    private let clock: @Sendable () -> Date
    private let margin: Duration
    private var current: Token?
    private var inFlight: Task<Token, any Error>?
    /// Token requests made so far (for tests and metrics).
    private(set) var fetches = 0
    /// Times the wallet rejected a token this cache handed out (for tests and metrics).
    private(set) var rejections = 0

    init(margin: Duration, clock: @escaping @Sendable () -> Date, fetch: @escaping Fetch) {
        self.margin = margin
        self.clock = clock
        self.fetch = fetch
    }

    /// A usable token: the cached one while it is fresh, otherwise a new one.
    func token() async throws(WalletError) -> SecretBytes {
        if let current, clock() < current.renewAfter { return current.value }
        return try await renew()
    }

    /// Called when the wallet rejected `rejected`: renews it unless another caller already
    /// has, and returns the token to retry with.
    func replace(rejected: SecretBytes) async throws(WalletError) -> SecretBytes {
        rejections += 1
        if let current, current.value != rejected, clock() < current.renewAfter { return current.value }
        if current?.value == rejected { current = nil }
        return try await renew()
    }

    private func renew() async throws(WalletError) -> SecretBytes {
        if let inFlight { return try await Self.value(of: inFlight) }
        let task = Task { [fetch, clock, margin] () async throws -> Token in
            // Shared by every caller waiting for it: it belongs to none of their operations.
            let (value, expiresIn) = try await RequestContext.$current.withValue(RequestContext(operation: "token", key: "")) { try await fetch() }
            let lifetime = Double(expiresIn.components.seconds) - Double(margin.components.seconds)
            return Token(value: value, renewAfter: clock().addingTimeInterval(max(0, lifetime)))
        }
        inFlight = task
        fetches += 1
        defer { inFlight = nil }
        let token = try await Self.token(of: task)
        current = token
        return token.value
    }

    private static func token(of task: Task<Token, any Error>) async throws(WalletError) -> Token {
        do {
            return try await task.value
        } catch let error as WalletError {
            throw error
        } catch {
            throw WalletError(.authenticationFailed, "could not get an access token: \(error)", mayHaveCharged: false)
        }
    }

    private static func value(of task: Task<Token, any Error>) async throws(WalletError) -> SecretBytes {
        try await token(of: task).value
    }
}
