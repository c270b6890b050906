import Foundation
import Logging

/// The customer authorization lifecycle: bind once (start, complete), then pay in one step with
/// ``PaymentRequest/authorization``; refresh and revoke; authorization notifications.
///
/// The client keeps the authorizations in ``Configuration/authorizationStore`` and hands out
/// their handles; tokens never leave it except in the wire request. Logs carry handles, never
/// tokens or codes.
extension WalletClient {
    var authorizationAdapter: (any AuthorizationAdapter)? { adapter as? any AuthorizationAdapter }

    func requireAuthorizationAdapter() throws(WalletError) -> any AuthorizationAdapter {
        guard let authorizationAdapter else {
            throw WalletError(.invalidRequest, "\(adapter.walletName) does not support customer authorization", mayHaveCharged: false)
        }
        return authorizationAdapter
    }

    /// Starts binding the customer's wallet: what the customer must do (a consent page, a
    /// deeplink or a QR) and the state to check on the way back. Keep the returned value (it is
    /// not secret) until the customer comes back.
    public func startAuthorization(_ request: AuthorizationRequest, correlationID: String? = nil) async throws(WalletError) -> AuthorizationStart {
        let adapter = try requireAuthorizationAdapter()
        let start = try await adapter.startAuthorization(request)
        context(correlationID).logger.info(
            "authorization started", metadata: ["customer": "\(request.customerID)", "action": "\(start.action.kind)"])
        return start
    }

    /// Completes the binding: checks the grant's state against `start`, exchanges the code for
    /// tokens, stores the authorization and returns it (use its ``CustomerAuthorization/handle``).
    /// - Throws: ``WalletError`` `invalidRequest` with ``WalletError/AuthorizationProblem/invalidCode``
    ///   when the state does not match (nothing is sent) or the wallet refuses the code.
    public func completeAuthorization(
        _ grant: AuthorizationGrant, start: AuthorizationStart, correlationID: String? = nil
    ) async throws(WalletError) -> CustomerAuthorization {
        let adapter = try requireAuthorizationAdapter()
        guard grant.state == start.state else {
            throw WalletError(
                .invalidRequest, "the state handed back does not match the one this binding started with; nothing was sent",
                mayHaveCharged: false
            ).with(authorization: .invalidCode)
        }
        var authorization = try await adapter.completeAuthorization(grant, start: start)
        authorization.wallet = adapter.walletName
        authorization.customerID = start.customerID
        try await authorizations.save(authorization)
        context(correlationID).logger.info(
            "authorization granted", metadata: ["authorization": "\(authorization.handle)", "customer": "\(start.customerID)"])
        return authorization
    }

    /// The stored authorization with `handle` (tokens redacted in every description).
    public func authorization(handle: String) async throws(WalletError) -> CustomerAuthorization {
        try await authorizations.load(handle)
    }

    /// Every stored authorization of this wallet, oldest first.
    public func storedAuthorizations() async throws(WalletError) -> [CustomerAuthorization] {
        do {
            return try await authorizations.store.authorizations(wallet: adapter.walletName)
        } catch {
            throw WalletError(.journalUnavailable, "the authorization store could not be read (\(error))", mayHaveCharged: false)
        }
    }

    /// Refreshes the access token of `handle` now (payments refresh by themselves when due).
    public func refreshAuthorization(handle: String, correlationID: String? = nil) async throws(WalletError) -> CustomerAuthorization {
        let refreshed = try await authorizations.refreshNow(handle)
        context(correlationID).logger.info("authorization refreshed", metadata: ["authorization": "\(handle)"])
        return refreshed
    }

    /// Revokes (unbinds) `handle` at the merchant's request, and records it: later payments
    /// with it are refused as ``WalletError/AuthorizationProblem/revoked`` without sending.
    /// Revoking an authorization already revoked does nothing.
    public func revokeAuthorization(handle: String, correlationID: String? = nil) async throws(WalletError) -> CustomerAuthorization {
        let adapter = try requireAuthorizationAdapter()
        let stored = try await authorizations.load(handle)
        if stored.isRevoked { return stored }
        try await adapter.revokeAuthorization(stored)
        try await authorizations.markRevoked(handle, at: configuration.clock.now())
        context(correlationID).logger.info("authorization revoked by the merchant", metadata: ["authorization": "\(handle)"])
        return try await authorizations.load(handle)
    }

    /// Receives an authorization notification: verifies it from its raw bytes, and for a
    /// revocation by the customer marks the stored authorization with that access token
    /// revoked. Returns the notification and its acknowledgement, and the handle it concerns
    /// when one is stored.
    /// - Throws: ``WalletError`` when it does not verify; answer such a request with an HTTP error.
    public func receiveAuthorizationNotification(
        _ inbound: InboundNotification, correlationID: String? = nil
    ) async throws(WalletError) -> (verified: VerifiedAuthorizationNotification, handle: String?) {
        let adapter = try requireAuthorizationAdapter()
        let log = context(correlationID).logger
        let verified: VerifiedAuthorizationNotification
        do throws(WalletError) {
            verified = try adapter.verifyAuthorizationNotification(inbound)
        } catch {
            log.warning("authorization notification rejected", metadata: ["error": "\(error.category.rawValue)"])
            throw error
        }
        let notification = verified.notification
        guard notification.event == .revoked, let token = notification.accessToken else {
            log.info("authorization notification", metadata: ["event": "\(notification.event)"])
            return (verified, nil)
        }
        let match = try await storedAuthorizations().first { $0.accessToken == token }
        if let match {
            try await authorizations.markRevoked(match.handle, at: configuration.clock.now())
        }
        log.info(
            "authorization revoked by the customer", metadata: ["authorization": "\(match?.handle ?? "(not stored here)")"])
        return (verified, match?.handle)
    }
}
