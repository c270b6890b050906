import Foundation
import HTTPTypes
import Logging
import Testing
import WalletBridgeCore
import WalletBridgeHTTP
import WalletBridgePaytm
import WalletBridgeSandbox
import WalletBridgeTransport

/// What a Paytm Auto Debit test works with.
struct PaytmAuthorizationRig: Sendable {
    let sandbox: WalletSandbox
    let adapter: PaytmAdapter
    let client: WalletClient
    let counting: CountingTransport
    let offsets: ClockOffsets
    let lines: LogLines

    /// Starts linking (Send OTP), answers the sandbox's OTP page as `customer`, and returns the redirect.
    func consent(_ customer: String, phone: String? = nil) async throws -> (start: AuthorizationStart, redirect: String) {
        let start = try await client.startAuthorization(
            AuthorizationRequest(customerID: phone ?? customer, redirectURL: "https://merchant.example/paytm/back"))
        let body = try JSONSerialization.data(withJSONObject: ["consentURL": start.action.value, "customer": customer])
        let reply = try await sandboxPOST(sandbox, "/sandbox/paytm/otp/approve", Array(body))
        let redirect = try #require((try JSONSerialization.jsonObject(with: Data(reply.body)) as? [String: Any])?["redirect"] as? String)
        return (start, redirect)
    }

    /// Links `customer`: Send OTP, the OTP page, Validate OTP.
    func bind(_ customer: String, phone: String? = nil) async throws -> (CustomerAuthorization, AuthorizationGrant) {
        let (start, redirect) = try await consent(customer, phone: phone)
        let grant = try AuthorizationGrant(redirectURL: redirect)
        return (try await client.completeAuthorization(grant, start: start), grant)
    }

    func pay(_ reference: String, _ handle: String, _ amount: String = "10.00") async throws -> PaymentResult {
        try await client.pay(
            PaymentRequest(merchantReference: reference, amount: try inr(amount), authorization: handle, orderDescription: "Bound order"))
    }
}

/// A `WalletClient` on the Paytm adapter against a sandbox, through `CurlTransport`, every log line captured.
func withPaytmAuthorization(_ body: (PaytmAuthorizationRig) async throws -> Void) async throws {
    let offsets = ClockOffsets()
    var configuration = WalletSandbox.Configuration()
    configuration.clock = { Date().addingTimeInterval(offsets.sandbox) }
    let sandbox = try await WalletSandbox.start(configuration)
    let transport = try CurlTransport()
    let lines = LogLines()
    do {
        let profile = try sandbox.clientProfile(wallet: "paytm")
        let clientNow: @Sendable () -> Date = { Date().addingTimeInterval(offsets.client) }
        let counting = CountingTransport(base: transport)
        let adapter = PaytmAdapter(configuration: try PaytmConfiguration(profile: profile), transport: counting, clock: clientNow)
        var policy = WalletClient.Configuration(clock: PolicyClock(clock: ContinuousClock(), now: clientNow))
        policy.authorizationRefresh = AuthorizationRefreshPolicy(margin: .seconds(30))
        let client = WalletClient(
            adapter: adapter, logger: Logger(label: "walletbridge", factory: { _ in LineCapturingLogHandler(lines: lines) }), configuration: policy)
        try await body(
            PaytmAuthorizationRig(sandbox: sandbox, adapter: adapter, client: client, counting: counting, offsets: offsets, lines: lines))
        await transport.shutdown()
        await sandbox.shutdown()
    } catch {
        await transport.shutdown()
        await sandbox.shutdown()
        throw error
    }
}

@Suite("Paytm Auto Debit (account linking) end to end")
struct PaytmAuthorizationEndToEndTests {
    static let withdrawPath = "/paymentservices/HANDLER_FF/withdrawScw"

    @Test func bindByOTPThenPayInOneStep() async throws {
        try await withPaytmAuthorization { rig in
            let (start, redirect) = try await rig.consent("paytm-binds", phone: "7777700001")
            #expect(start.action.value.hasPrefix(rig.sandbox.baseURL + "/sandbox/paytm/otp?state="))
            let transport = try CurlTransport()
            let page = try await transport.send(TransportRequest(method: .get, url: start.action.value))
            await transport.shutdown()
            #expect(page.status == 200)
            #expect(String(decoding: page.body, as: UTF8.self).contains("Link your Paytm wallet"))
            #expect(redirect.contains("authCode=123456"))

            let grant = try AuthorizationGrant(redirectURL: redirect)
            let authorization = try await rig.client.completeAuthorization(grant, start: start)
            #expect(authorization.wallet == "paytm")
            #expect(authorization.customerID == "7777700001")
            #expect(authorization.walletReference == "77******01")
            #expect(authorization.refreshToken != nil)
            let expiry = try #require(authorization.accessTokenExpiresAt)
            #expect(abs(expiry.timeIntervalSinceNow - 3600) < 60)

            let ref = reference("bound")
            let paid = try await rig.pay(ref, authorization.handle)
            #expect(paid.status.isSucceeded)
            #expect(paid.walletReference?.hasPrefix("PTM") == true)
            #expect(rig.counting.count(Self.withdrawPath) == 1)
            #expect(rig.sandbox.payment(wallet: "paytm", merchantReference: ref)?.customerID == "paytm-binds")
            // The order is known to the status API as well (reconciliation works as for checkout orders).
            let inquired = try await rig.client.inquire(PaymentQuery(merchantReference: ref, expectedAmount: try inr("10.00")))
            #expect(inquired.status.isSucceeded)

            let stored = try await rig.client.authorization(handle: authorization.handle)
            let linking = try #require(rig.adapter.configuration.autoDebit)
            var dumped = ""
            dump(linking, to: &dumped)
            expectNoSecrets(
                [SandboxCredentials.paytmOAuthClientSecret], in: rig.lines.all + ["\(linking)", String(reflecting: linking), dumped])
            expectNoSecrets(
                [stored.accessToken.value, stored.refreshToken?.value ?? ""],
                in: rig.lines.all + ["\(stored)", String(reflecting: stored), "\(grant)", "\(start)", "\(paid)", String(reflecting: paid)])
        }
    }

    @Test func fiftyConcurrentPaymentsShareOneRefreshOfAQuickExpiryToken() async throws {
        try await withPaytmAuthorization { rig in
            let (authorization, _) = try await rig.bind("paytm-quick-expiry")
            let expiry = try #require(authorization.accessTokenExpiresAt)
            #expect(abs(expiry.timeIntervalSinceNow - 60) < 10)
            rig.offsets.sandbox += 45
            rig.offsets.client += 45
            let results = try await withThrowingTaskGroup(of: PaymentResult.self) { group in
                for index in 0..<50 {
                    group.addTask { try await rig.pay(reference("q\(index)"), authorization.handle, "1.00") }
                }
                var all: [PaymentResult] = []
                for try await result in group { all.append(result) }
                return all
            }
            #expect(results.count == 50)
            #expect(results.allSatisfy { $0.status.isSucceeded })
            #expect(await rig.client.authorizations.refreshes == 1)
            #expect(rig.counting.count("/oauth2/token") == 1)
            let renewed = try await rig.client.authorization(handle: authorization.handle)
            #expect(renewed.accessToken != authorization.accessToken)
            #expect(renewed.refreshToken != authorization.refreshToken)
        }
    }

    @Test func anExpiredTokenRefusedByTheWalletIsRefreshedOnceAndResentUnderTheSameReference() async throws {
        try await withPaytmAuthorization { rig in
            let (authorization, _) = try await rig.bind("paytm-binds")
            // Only the wallet's clock moves: the client still thinks the token is good.
            rig.offsets.sandbox += 7200
            let ref = reference("expired")
            let paid = try await rig.pay(ref, authorization.handle)
            #expect(paid.status.isSucceeded)
            #expect(await rig.client.authorizations.refreshes == 1)
            #expect(rig.counting.count(Self.withdrawPath) == 2)
            let entries = rig.sandbox.ledgerSnapshot(wallet: "paytm").filter { $0.merchantReference == ref }
            #expect(entries.count == 1)
            #expect(entries.first?.charges == 1)
        }
    }

    @Test func aMerchantRevokeStopsTheNextPaymentWithoutSending() async throws {
        try await withPaytmAuthorization { rig in
            let (authorization, _) = try await rig.bind("paytm-binds")
            let revoked = try await rig.client.revokeAuthorization(handle: authorization.handle)
            #expect(revoked.isRevoked)
            // The wallet no longer knows the token: a second revoke (HTTP 400 "Token not found") counts as done.
            try await rig.adapter.revokeAuthorization(authorization)

            let ref = reference("after-revoke")
            let error = await #expect(throws: WalletError.self) { _ = try await rig.pay(ref, authorization.handle) }
            #expect(error?.authorization == .revoked)
            #expect(rig.counting.count(Self.withdrawPath) == 0)
            #expect(rig.sandbox.payment(wallet: "paytm", merchantReference: ref) == nil)
        }
    }

    @Test func aCustomerUnlinkInTheAppIsRefusedAsRevokedOnTheNextPayment() async throws {
        try await withPaytmAuthorization { rig in
            let (authorization, _) = try await rig.bind("paytm-binds")
            let body = try JSONSerialization.data(withJSONObject: ["customer": "paytm-binds"])
            let reply = try await sandboxPOST(rig.sandbox, "/sandbox/authorizations/paytm/revoke", Array(body))
            #expect(reply.status == 200)
            let ref = reference("after-unlink")
            let paid = try await rig.pay(ref, authorization.handle)
            guard case .failed(let error) = paid.status else {
                Issue.record("expected a refusal, got \(paid.status)")
                return
            }
            #expect(error.authorization == .revoked)
            #expect(error.category == .authenticationFailed)
            #expect(error.partnerCode == "530")
            #expect(try await rig.client.authorization(handle: authorization.handle).isRevoked)
        }
    }

    @Test func aWrongOTPIsAnInvalidCodeAndADeclinedLinkIsDeclined() async throws {
        try await withPaytmAuthorization { rig in
            let (start, _) = try await rig.consent("paytm-binds")
            let wrong = AuthorizationGrant(code: "000000", state: start.state)
            let refused = await #expect(throws: WalletError.self) { _ = try await rig.client.completeAuthorization(wrong, start: start) }
            #expect(refused?.authorization == .invalidCode)
            #expect(refused?.category == .invalidRequest)
            #expect(refused?.partnerCode == "BE1426001")
            // The right OTP still links afterwards (a wrong one does not use up the state token).
            let bound = try await rig.client.completeAuthorization(AuthorizationGrant(code: "123456", state: start.state), start: start)
            #expect(!bound.isRevoked)

            let (_, declined) = try await rig.consent("paytm-refuses-consent")
            #expect(declined.contains("error=ACCESS_DENIED"))
            let no = #expect(throws: WalletError.self) { _ = try AuthorizationGrant(redirectURL: declined) }
            #expect(no?.category == .declined)

            let errors = [refused, no].compactMap { $0 }
            #expect(!"\(wrong)".contains("000000"))
            #expect(!String(reflecting: wrong).contains("000000"))
            expectNoSecrets(
                [bound.accessToken.value, bound.refreshToken?.value ?? ""],
                in: rig.lines.all + errors.map { "\($0)" } + errors.map { String(reflecting: $0) } + ["\(bound)"])
        }
    }
}
