import Foundation
import Testing
import WalletBridgeCore
import WalletBridgeHTTP

/// A wallet in memory that issues, refreshes, expires and revokes tokens, for the client's
/// authorization policy without I/O (the wire and the sandbox are tested end to end elsewhere).
actor FakeAuthorizationWallet {
    var valid: Set<String> = []
    var expired: Set<String> = []
    var revoked: Set<String> = []
    var pays: [(reference: String, token: String)] = []
    var refreshCalls = 0
    var revokeCalls = 0
    var completeCalls = 0
    var serial = 0
    /// Lifetime of an issued access token, from `now`.
    var lifetime: TimeInterval = 3600
    var now = Date(timeIntervalSince1970: 1_795_000_000)

    func issue() -> CustomerAuthorization {
        serial += 1
        let token = "access-token-secret-\(serial)"
        valid.insert(token)
        return CustomerAuthorization(
            wallet: "fake", customerID: "c", accessToken: CustomerCredential(token), accessTokenExpiresAt: now + lifetime,
            refreshToken: CustomerCredential("refresh-token-secret-\(serial)"), refreshTokenExpiresAt: now + 86_400 * 30,
            scopes: ["AGREEMENT_PAY"], grantedAt: now)
    }

    func complete(code: String) throws(WalletError) -> CustomerAuthorization {
        completeCalls += 1
        guard code == "good-code" else {
            throw WalletError(.invalidRequest, "the code is not valid", partnerCode: "INVALID_CODE", mayHaveCharged: false).with(
                authorization: .invalidCode)
        }
        return issue()
    }

    func refresh(_ authorization: CustomerAuthorization) async throws(WalletError) -> CustomerAuthorization {
        refreshCalls += 1
        // Long enough for 50 concurrent payments to pile up behind one refresh.
        try? await Task.sleep(for: .milliseconds(50))
        valid.remove(authorization.accessToken.value)
        return issue()
    }

    func setNow(_ date: Date) { now = date }

    /// The next payment is processed (charged) but its answer is lost: unknown.
    var loseNextAnswer = false
    func loseTheNextAnswer() { loseNextAnswer = true }

    func expire(_ token: String) {
        valid.remove(token)
        expired.insert(token)
    }

    func revoke(_ token: String) {
        revokeCalls += 1
        valid.remove(token)
        revoked.insert(token)
    }

    func pay(_ request: PaymentRequest) -> PaymentResult {
        let token = request.customer.value
        pays.append((request.merchantReference, token))
        let status: PaymentStatus
        if loseNextAnswer, valid.contains(token) {
            loseNextAnswer = false
            status = .unknown(WalletError(.timeout, "no answer in time"))
        } else if valid.contains(token) {
            status = .succeeded
        } else if expired.contains(token) {
            status = .failed(
                WalletError(.authenticationFailed, "access token expired", partnerCode: "ACCESS_TOKEN_EXPIRED", mayHaveCharged: false).with(
                    authorization: .expired))
        } else {
            status = .failed(
                WalletError(.authenticationFailed, "access token invalid", partnerCode: "INVALID_ACCESS_TOKEN", mayHaveCharged: false).with(
                    authorization: .revoked))
        }
        return PaymentResult(status: status, merchantReference: request.merchantReference, amount: request.amount)
    }
}

struct FakeAuthorizationAdapter: AuthorizationAdapter {
    let wallet: FakeAuthorizationWallet
    var walletName: String { "fake" }
    var capabilities: WalletCapabilities {
        WalletCapabilities(operations: [.pay, .inquire], walletCurrency: .php, currencies: [.php])
    }
    var authorizationCapabilities: AuthorizationCapabilities { AuthorizationCapabilities(defaultScopes: ["AGREEMENT_PAY"]) }

    func pay(_ request: PaymentRequest) async throws(WalletError) -> PaymentResult { await wallet.pay(request) }
    func inquire(_ query: PaymentQuery) async throws(WalletError) -> PaymentResult {
        throw WalletError(.notFound, "not kept", mayHaveCharged: false)
    }
    func cancel(_ query: PaymentQuery) async throws(WalletError) -> PaymentResult { throw WalletError(.invalidRequest, "no") }
    func refund(_ request: RefundRequest) async throws(WalletError) -> RefundResult { throw WalletError(.invalidRequest, "no") }
    func inquireRefund(_ query: RefundQuery) async throws(WalletError) -> RefundResult { throw WalletError(.invalidRequest, "no") }
    func verifyNotification(_ notification: InboundNotification) throws(WalletError) -> VerifiedNotification {
        throw WalletError(.authenticationFailed, "no")
    }

    func startAuthorization(_ request: AuthorizationRequest) async throws(WalletError) -> AuthorizationStart {
        AuthorizationStart(
            wallet: walletName, customerID: request.customerID, action: .redirect(url: "https://wallet.example/consent?s=1"),
            state: request.state ?? AuthorizationRequest.newState(), scopes: request.scopes ?? ["AGREEMENT_PAY"])
    }
    func completeAuthorization(_ grant: AuthorizationGrant, start: AuthorizationStart) async throws(WalletError) -> CustomerAuthorization {
        try await wallet.complete(code: grant.code.value)
    }
    func refreshAuthorization(_ authorization: CustomerAuthorization) async throws(WalletError) -> CustomerAuthorization {
        try await wallet.refresh(authorization)
    }
    func revokeAuthorization(_ authorization: CustomerAuthorization) async throws(WalletError) {
        await wallet.revoke(authorization.accessToken.value)
    }
    func verifyAuthorizationNotification(_ notification: InboundNotification) throws(WalletError) -> VerifiedAuthorizationNotification {
        throw WalletError(.authenticationFailed, "no notifications here")
    }
}

@Suite("Customer authorization: the client's policy")
struct CustomerAuthorizationTests {
    static let start = Date(timeIntervalSince1970: 1_795_000_000)

    static func client(_ wallet: FakeAuthorizationWallet, now: Date = start, margin: Duration = .seconds(300)) -> WalletClient {
        var configuration = WalletClient.Configuration(
            retry: RetryPolicy(maxAttempts: 1), settleWithin: .zero, clock: PolicyClock(clock: ContinuousClock(), now: { now }))
        configuration.authorizationRefresh = AuthorizationRefreshPolicy(margin: margin)
        return WalletClient(adapter: FakeAuthorizationAdapter(wallet: wallet), configuration: configuration)
    }

    static func bind(_ client: WalletClient) async throws -> CustomerAuthorization {
        let start = try await client.startAuthorization(AuthorizationRequest(customerID: "cust-1", redirectURL: "https://merchant.example/back"))
        let grant = try AuthorizationGrant(redirectURL: "https://merchant.example/back?authCode=good-code&authState=\(start.state)")
        return try await client.completeAuthorization(grant, start: start)
    }

    static func payment(_ reference: String, _ handle: String) throws -> PaymentRequest {
        PaymentRequest(
            merchantReference: reference, amount: Money(minorUnits: 1000, currency: .php), authorization: handle, orderDescription: "order")
    }

    @Test func theRefreshPolicyIsAPureDecision() {
        let policy = AuthorizationRefreshPolicy(margin: .seconds(300))
        let now = Self.start
        var auth = CustomerAuthorization(
            wallet: "w", customerID: "c", accessToken: CustomerCredential("a"), accessTokenExpiresAt: now + 3600,
            refreshToken: CustomerCredential("r"), refreshTokenExpiresAt: now + 7200, grantedAt: now)
        #expect(policy.decide(auth, now: now) == .use)
        #expect(policy.decide(auth, now: now + 3301) == .refresh)
        #expect(policy.decide(auth, now: now + 4000) == .refresh)
        #expect(policy.decide(auth, now: now + 7300) == .refuse(.expired))
        auth.refreshToken = nil
        #expect(policy.decide(auth, now: now + 3400) == .use)
        #expect(policy.decide(auth, now: now + 3600) == .refuse(.expired))
        auth.accessTokenExpiresAt = nil
        #expect(policy.decide(auth, now: now + 1_000_000) == .use)
        auth.revokedAt = now
        #expect(policy.decide(auth, now: now) == .refuse(.revoked))
    }

    @Test func bindThenPayPutsTheStoredTokenInTheRequest() async throws {
        let wallet = FakeAuthorizationWallet()
        let client = Self.client(wallet)
        let bound = try await Self.bind(client)
        #expect(bound.customerID == "cust-1")
        #expect(bound.wallet == "fake")
        let result = try await client.pay(try Self.payment("WB-1", bound.handle))
        #expect(result.status == .succeeded)
        #expect(await wallet.pays.map(\.token) == [bound.accessToken.value])
        #expect(try await client.storedAuthorizations().map(\.handle) == [bound.handle])
    }

    @Test func aStateMismatchIsRefusedWithoutAskingTheWallet() async throws {
        let wallet = FakeAuthorizationWallet()
        let client = Self.client(wallet)
        let start = try await client.startAuthorization(AuthorizationRequest(customerID: "c"))
        let error = await #expect(throws: WalletError.self) {
            _ = try await client.completeAuthorization(AuthorizationGrant(code: "good-code", state: "forged"), start: start)
        }
        #expect(error?.authorization == .invalidCode)
        #expect(await wallet.completeCalls == 0)
        let bad = await #expect(throws: WalletError.self) {
            _ = try await client.completeAuthorization(AuthorizationGrant(code: "used-code", state: start.state), start: start)
        }
        #expect(bad?.authorization == .invalidCode)
        #expect(bad?.isRetryable == false)
        #expect(throws: WalletError.self) { _ = try AuthorizationGrant(redirectURL: "https://m.example/back?error=ACCESS_DENIED&authState=x") }
    }

    /// A store whose reads take a while: the window in which a second payment could start a
    /// refresh of its own while the first one is still reading the store.
    struct SlowStore: CustomerAuthorizationStore {
        let inner = InMemoryCustomerAuthorizationStore()
        func save(_ authorization: CustomerAuthorization) async throws { await inner.save(authorization) }
        func authorization(handle: String) async throws -> CustomerAuthorization? {
            try await Task.sleep(for: .milliseconds(20))
            return await inner.authorization(handle: handle)
        }
        func authorizations(wallet: String?) async throws -> [CustomerAuthorization] { await inner.authorizations(wallet: wallet) }
    }

    @Test func aSlowStoreReadDoesNotLetTwoPaymentsEachRefresh() async throws {
        let wallet = FakeAuthorizationWallet()
        let bound = try await Self.bind(Self.client(wallet))
        await wallet.setNow(Self.start + 3480)
        var configuration = WalletClient.Configuration(clock: PolicyClock(clock: ContinuousClock(), now: { Self.start + 3480 }))
        let store = SlowStore()
        try await store.save(bound)
        configuration.authorizationStore = store
        let client = WalletClient(adapter: FakeAuthorizationAdapter(wallet: wallet), configuration: configuration)
        let results = try await withThrowingTaskGroup(of: PaymentResult.self) { group in
            for i in 0..<8 { group.addTask { try await client.pay(try Self.payment("WB-SLOW-\(i)", bound.handle)) } }
            return try await group.reduce(into: [PaymentResult]()) { $0.append($1) }
        }
        #expect(results.allSatisfy { $0.status == .succeeded })
        #expect(await wallet.refreshCalls == 1)
        #expect(Set(await wallet.pays.map(\.token)).count == 1)
    }

    @Test func fiftyConcurrentPaymentsShareOneRefreshOfADueToken() async throws {
        let wallet = FakeAuthorizationWallet()
        let bound = try await Self.bind(Self.client(wallet))
        // 58 minutes later the token is within the 5-minute margin; the same store is shared.
        // The wallet's clock moves too, so the renewed token is good for another hour.
        await wallet.setNow(Self.start + 3480)
        var configuration = WalletClient.Configuration(clock: PolicyClock(clock: ContinuousClock(), now: { Self.start + 3480 }))
        let store = InMemoryCustomerAuthorizationStore()
        await store.save(bound)
        configuration.authorizationStore = store
        let client = WalletClient(adapter: FakeAuthorizationAdapter(wallet: wallet), configuration: configuration)
        let results = try await withThrowingTaskGroup(of: PaymentResult.self) { group in
            for i in 0..<50 { group.addTask { try await client.pay(try Self.payment("WB-\(i)", bound.handle)) } }
            return try await group.reduce(into: [PaymentResult]()) { $0.append($1) }
        }
        #expect(results.allSatisfy { $0.status == .succeeded })
        #expect(await wallet.refreshCalls == 1)
        #expect(await client.authorizations.refreshes == 1)
        let tokens = Set(await wallet.pays.map(\.token))
        #expect(tokens.count == 1)
        #expect(!tokens.contains(bound.accessToken.value))
        #expect(try await client.authorization(handle: bound.handle).refreshedAt != nil)
    }

    @Test func anExpiredTokenRefusalIsRefreshedOnceAndResentUnderTheSameReference() async throws {
        let wallet = FakeAuthorizationWallet()
        let client = Self.client(wallet)
        let bound = try await Self.bind(client)
        await wallet.expire(bound.accessToken.value)  // the wallet expired it early; the client did not know
        let result = try await client.pay(try Self.payment("WB-EXP", bound.handle))
        #expect(result.status == .succeeded)
        let pays = await wallet.pays
        #expect(pays.map(\.reference) == ["WB-EXP", "WB-EXP"])
        #expect(pays[0].token == bound.accessToken.value && pays[1].token != bound.accessToken.value)
        #expect(await wallet.refreshCalls == 1)
        // The journal saw one payment, settled once.
        let entries = try await client.journal.allEntries(wallet: "fake")
        #expect(entries.count == 1)
        #expect(entries.first?.state == .succeeded)
    }

    @Test func aRevokedAuthorizationIsNeverRetriedAndLaterPaymentsAreRefusedWithoutSending() async throws {
        let wallet = FakeAuthorizationWallet()
        let client = Self.client(wallet)
        let bound = try await Self.bind(client)
        await wallet.revoke(bound.accessToken.value)  // the customer unbound in the wallet app
        let first = try await client.pay(try Self.payment("WB-R1", bound.handle))
        #expect(first.status.error?.authorization == .revoked)
        #expect(first.status.error?.mayHaveCharged == false)
        #expect(await wallet.pays.count == 1)
        #expect(await wallet.refreshCalls == 0)
        let second = await #expect(throws: WalletError.self) { _ = try await client.pay(try Self.payment("WB-R2", bound.handle)) }
        #expect(second?.authorization == .revoked)
        #expect(second?.isRetryable == false)
        #expect(await wallet.pays.count == 1)
        // Refused before sending: the journal does not leave it open for recovery to chase.
        let entries = try await client.journal.openEntries(wallet: "fake")
        #expect(entries.isEmpty, "open: \(entries.map(\.merchantReference))")
    }

    @Test func theMerchantRevokesOnceAndPaymentsAreRefused() async throws {
        let wallet = FakeAuthorizationWallet()
        let client = Self.client(wallet)
        let bound = try await Self.bind(client)
        let revoked = try await client.revokeAuthorization(handle: bound.handle)
        #expect(revoked.isRevoked)
        _ = try await client.revokeAuthorization(handle: bound.handle)
        #expect(await wallet.revokeCalls == 1)
        let error = await #expect(throws: WalletError.self) { _ = try await client.pay(try Self.payment("WB-X", bound.handle)) }
        #expect(error?.authorization == .revoked)
        #expect(error?.category == .authenticationFailed)
        #expect(await wallet.pays.isEmpty)
        let unknown = await #expect(throws: WalletError.self) { _ = try await client.pay(try Self.payment("WB-Y", "wbauth_nope")) }
        #expect(unknown?.category == .invalidRequest)
    }

    /// A resend of a payment whose first answer was lost (it may have been processed) is never
    /// settled as failed by a token refusal: the customer may have paid before unbinding.
    @Test func aTokenRefusalOnAResendIsUnknownNeverFailed() async throws {
        let wallet = FakeAuthorizationWallet()
        let client = Self.client(wallet)
        let bound = try await Self.bind(client)
        await wallet.loseTheNextAnswer()
        let first = try await client.pay(try Self.payment("WB-LOST", bound.handle))
        #expect(first.status.name == "unknown")
        await wallet.revoke(bound.accessToken.value)  // the customer unbinds in the app meanwhile
        let resent = try await client.pay(try Self.payment("WB-LOST", bound.handle))
        #expect(resent.status.name == "unknown", "a resend's token refusal must not settle the payment: \(resent.status)")
        #expect(resent.status.error?.mayHaveCharged == true)
        let entry = try await client.journal.entry(JournalEntry.paymentID(wallet: "fake", merchantReference: "WB-LOST"))
        #expect(entry?.state.isFinal == false)
    }

    /// A payment the journal already settled is answered from it, even once the binding is revoked.
    @Test func aSettledPaymentIsAnsweredFromTheJournalAfterTheBindingIsRevoked() async throws {
        let wallet = FakeAuthorizationWallet()
        let client = Self.client(wallet)
        let bound = try await Self.bind(client)
        #expect(try await client.pay(try Self.payment("WB-DONE", bound.handle)).status == .succeeded)
        _ = try await client.revokeAuthorization(handle: bound.handle)
        let again = try await client.pay(try Self.payment("WB-DONE", bound.handle))
        #expect(again.status == .succeeded)
        #expect(await wallet.pays.count == 1)
        // A new payment with the revoked binding is refused.
        await #expect(throws: WalletError.self) { _ = try await client.pay(try Self.payment("WB-NEW", bound.handle)) }
    }

    @Test func tokensAndCodesNeverAppearInDescriptions() async throws {
        let wallet = FakeAuthorizationWallet()
        let client = Self.client(wallet)
        let bound = try await Self.bind(client)
        let grant = AuthorizationGrant(code: "one-time-code-secret", state: "s")
        let texts = [
            "\(bound)", String(reflecting: bound), "\(grant)", String(reflecting: grant), "\(Mirror(reflecting: bound).children.map { "\($0)" })",
            "\(Mirror(reflecting: grant).children.map { "\($0)" })", "\(try Self.payment("WB-1", bound.handle))",
        ]
        for text in texts {
            #expect(!text.contains("secret"), "leaked: \(text)")
        }
        #expect("\(bound)".contains(bound.handle))
    }
}
