import Foundation

/// Keeps one client's stored authorizations usable: looks a handle up, refreshes a token that
/// ``AuthorizationRefreshPolicy`` says is due, and runs **one refresh per authorization at a
/// time**, shared by every payment that needs it (as the SNAP B2B token renewal is shared).
///
/// It belongs to a ``WalletClient`` (one per client, created with it); the policy decisions are
/// the pure ``AuthorizationRefreshPolicy``.
public actor AuthorizationRefresher {
    private let adapter: (any AuthorizationAdapter)?
    private let wallet: String
    /// Where authorizations are kept.
    public nonisolated let store: any CustomerAuthorizationStore
    /// When to refresh.
    public nonisolated let policy: AuthorizationRefreshPolicy
    private let now: @Sendable () -> Date
    private var inFlight: [String: Task<Refresh, Never>] = [:]
    /// Refreshes sent to the wallet so far (shared ones count once).
    public private(set) var refreshes = 0

    /// Creates a refresher for `adapter`'s authorizations in `store`.
    public init(
        adapter: any WalletAdapter, store: any CustomerAuthorizationStore, policy: AuthorizationRefreshPolicy, now: @escaping @Sendable () -> Date
    ) {
        self.adapter = adapter as? any AuthorizationAdapter
        self.wallet = adapter.walletName
        self.store = store
        self.policy = policy
        self.now = now
    }

    /// The authorization with `handle`, refreshed first when it is due.
    /// - Throws: ``WalletError`` `authenticationFailed` with ``WalletError/AuthorizationProblem``
    ///   `revoked` or `expired` when it cannot be used (nothing was sent for the payment);
    ///   `invalidRequest` for an unknown handle or another wallet's; a refresh's own error.
    public func usable(_ handle: String) async throws(WalletError) -> CustomerAuthorization {
        let stored = try await load(handle)
        switch policy.decide(stored, now: now()) {
        case .use:
            return stored
        case .refresh:
            return try await refresh(stored)
        case .refuse(let problem):
            throw Self.refusal(problem, handle: handle)
        }
    }

    /// A new access token for `handle` after the wallet refused `rejected` as expired: when a
    /// concurrent refresh already replaced it, its result is used; otherwise one refresh.
    public func replace(_ handle: String, rejected: CustomerCredential) async throws(WalletError) -> CustomerAuthorization {
        let stored = try await load(handle)
        if stored.isRevoked { throw Self.refusal(.revoked, handle: handle) }
        if stored.accessToken != rejected { return stored }
        guard policy.canRefresh(stored, now: now()) else { throw Self.refusal(.expired, handle: handle) }
        return try await refresh(stored)
    }

    /// Refreshes `handle` now, whatever its expiry (the merchant asked).
    public func refreshNow(_ handle: String) async throws(WalletError) -> CustomerAuthorization {
        let stored = try await load(handle)
        if stored.isRevoked { throw Self.refusal(.revoked, handle: handle) }
        guard policy.canRefresh(stored, now: now()) else { throw Self.refusal(.expired, handle: handle) }
        return try await refresh(stored)
    }

    /// Records that `handle` was revoked at `at` (by the merchant, the customer or the wallet's
    /// refusal); later payments with it are refused without sending.
    public func markRevoked(_ handle: String, at: Date) async throws(WalletError) {
        var stored = try await load(handle)
        guard !stored.isRevoked else { return }
        stored.revokedAt = at
        try await save(stored)
    }

    /// Saves `authorization` (a new binding).
    public func save(_ authorization: CustomerAuthorization) async throws(WalletError) {
        do {
            try await store.save(authorization)
        } catch {
            throw WalletError(.journalUnavailable, "the authorization store could not be written (\(error))", mayHaveCharged: false)
        }
    }

    /// The stored authorization with `handle`, checked to be this wallet's.
    public func load(_ handle: String) async throws(WalletError) -> CustomerAuthorization {
        let found: CustomerAuthorization?
        do {
            found = try await store.authorization(handle: handle)
        } catch {
            throw WalletError(.journalUnavailable, "the authorization store could not be read (\(error))", mayHaveCharged: false)
        }
        guard let found else {
            // A mistyped handle is a mistake, not a revoked binding.
            throw WalletError(.invalidRequest, "no authorization has the handle \(handle); bind the customer first", mayHaveCharged: false)
        }
        guard found.wallet == wallet else {
            throw WalletError(.invalidRequest, "authorization \(handle) belongs to \(found.wallet), not \(wallet)", mayHaveCharged: false)
        }
        return found
    }

    private func refresh(_ stored: CustomerAuthorization) async throws(WalletError) -> CustomerAuthorization {
        if let running = inFlight[stored.handle] { return try await running.value.result.get() }
        guard let adapter else {
            throw WalletError(.invalidRequest, "\(wallet) does not support customer authorization", mayHaveCharged: false)
        }
        // Registered before the first suspension (the store read below): a payment that
        // arrives meanwhile waits for this refresh instead of starting a second one.
        let task = Task<Refresh, Never> { await self.performRefresh(stored, adapter: adapter) }
        inFlight[stored.handle] = task
        let outcome = await task.value
        inFlight[stored.handle] = nil
        if case .failure(let error) = outcome.result, error.authorization == .revoked, let spent = outcome.spent,
            let current = try? await load(stored.handle), current.refreshToken == spent.refreshToken
        {
            // The wallet refused the refresh token this binding still holds: revoked.
            try? await markRevoked(stored.handle, at: now())
        }
        return try outcome.result.get()
    }

    /// What one refresh came to, and the stored authorization whose refresh token it spent
    /// (nil when it sent nothing).
    private struct Refresh: Sendable {
        var result: Result<CustomerAuthorization, WalletError>
        var spent: CustomerAuthorization?
    }

    private func performRefresh(_ stored: CustomerAuthorization, adapter: any AuthorizationAdapter) async -> Refresh {
        // A copy read before another refresh (of this client or another process sharing the
        // store) finished: use the tokens it stored rather than spend a rotated refresh token.
        let latest: CustomerAuthorization
        do {
            latest = try await load(stored.handle)
        } catch {
            return Refresh(result: .failure(error), spent: nil)
        }
        if latest.isRevoked { return Refresh(result: .failure(Self.refusal(.revoked, handle: stored.handle)), spent: nil) }
        if latest.accessToken != stored.accessToken, policy.decide(latest, now: now()) == .use {
            return Refresh(result: .success(latest), spent: nil)
        }
        refreshes += 1
        do throws(WalletError) {
            let renewed = try await adapter.refreshAuthorization(latest)
            // Revoked while the refresh was on the wire: the revocation stands.
            if (try? await store.authorization(handle: latest.handle))?.isRevoked == true {
                return Refresh(result: .failure(Self.refusal(.revoked, handle: latest.handle)), spent: latest)
            }
            let updated = latest.renewed(by: renewed, at: now())
            do {
                try await store.save(updated)
            } catch {
                return Refresh(
                    result: .failure(
                        WalletError(.journalUnavailable, "the refreshed authorization could not be stored (\(error))", mayHaveCharged: false)),
                    spent: latest)
            }
            return Refresh(result: .success(updated), spent: latest)
        } catch {
            return Refresh(result: .failure(error), spent: latest)
        }
    }

    static func refusal(_ problem: WalletError.AuthorizationProblem, handle: String) -> WalletError {
        let reason =
            problem == .revoked
            ? "authorization \(handle) was revoked; ask the customer to bind their wallet again"
            : "authorization \(handle) has expired and cannot be refreshed; ask the customer to bind their wallet again"
        return WalletError(.authenticationFailed, reason, mayHaveCharged: false).with(authorization: problem)
    }
}
