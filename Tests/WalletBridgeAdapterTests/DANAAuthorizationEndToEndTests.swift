import Foundation
import HTTPTypes
import Logging
import Testing
import WalletBridgeCore
import WalletBridgeCrypto
import WalletBridgeHTTP
import WalletBridgeSandbox
import WalletBridgeSNAP
import WalletBridgeTransport

/// Moves the sandbox's clock and the client's clock apart or together (seconds ahead of now).
final class ClockOffsets: @unchecked Sendable {
    private let lock = NSLock()
    private var sandboxOffset: TimeInterval = 0
    private var clientOffset: TimeInterval = 0
    var sandbox: TimeInterval {
        get { lock.withLock { sandboxOffset } }
        set { lock.withLock { sandboxOffset = newValue } }
    }
    var client: TimeInterval {
        get { lock.withLock { clientOffset } }
        set { lock.withLock { clientOffset = newValue } }
    }
}

/// What a DANA authorization test works with.
struct DANAAuthorizationRig: Sendable {
    let sandbox: WalletSandbox
    let adapter: SNAPAdapter
    let client: WalletClient
    let offsets: ClockOffsets
    let lines: LogLines

    /// Starts binding, approves the consent as `customer` in the sandbox, and returns the redirect.
    func consent(_ customer: String, state: String? = nil) async throws -> (start: AuthorizationStart, redirect: String) {
        let start = try await client.startAuthorization(
            AuthorizationRequest(customerID: "shop-\(customer)", redirectURL: "https://merchant.example/dana/back", state: state))
        let body = try JSONSerialization.data(withJSONObject: ["consentURL": start.action.value, "customer": customer])
        let reply = try await sandboxPOST(sandbox, "/sandbox/dana/consent/approve", Array(body))
        let redirect = try #require((try JSONSerialization.jsonObject(with: Data(reply.body)) as? [String: Any])?["redirect"] as? String)
        return (start, redirect)
    }

    /// Binds `customer`: start, consent, complete.
    func bind(_ customer: String) async throws -> (CustomerAuthorization, AuthorizationGrant) {
        let (start, redirect) = try await consent(customer)
        let grant = try AuthorizationGrant(redirectURL: redirect)
        return (try await client.completeAuthorization(grant, start: start), grant)
    }

    func pay(_ reference: String, _ handle: String, _ amount: String = "15000") async throws -> PaymentResult {
        try await client.pay(
            PaymentRequest(merchantReference: reference, amount: try idr(amount), authorization: handle, orderDescription: "Bound order"))
    }
}

/// POSTs JSON to a sandbox admin endpoint.
func sandboxPOST(_ sandbox: WalletSandbox, _ path: String, _ body: [UInt8]) async throws -> TransportResponse {
    let transport = try CurlTransport()
    let response = try await transport.send(
        TransportRequest(method: .post, url: sandbox.baseURL + path, headerFields: [.contentType: "application/json"], body: body))
    await transport.shutdown()
    return response
}

/// A `WalletClient` on the SNAP adapter against a sandbox, through `CurlTransport`, every log line captured.
func withDANAAuthorization(_ body: (DANAAuthorizationRig) async throws -> Void) async throws {
    let offsets = ClockOffsets()
    var configuration = WalletSandbox.Configuration()
    configuration.clock = { Date().addingTimeInterval(offsets.sandbox) }
    let sandbox = try await WalletSandbox.start(configuration)
    let transport = try CurlTransport()
    let lines = LogLines()
    do {
        let profile = try sandbox.clientProfile(wallet: "dana")
        let clientNow: @Sendable () -> Date = { Date().addingTimeInterval(offsets.client) }
        let adapter = SNAPAdapter(
            configuration: try SNAPConfiguration(profile: profile), transport: transport, clock: clientNow,
            logger: Logger(label: "snap", factory: { _ in LineCapturingLogHandler(lines: lines) }))
        var policy = WalletClient.Configuration(clock: PolicyClock(clock: ContinuousClock(), now: clientNow))
        policy.authorizationRefresh = AuthorizationRefreshPolicy(margin: .seconds(30))
        let client = WalletClient(
            adapter: adapter, logger: Logger(label: "walletbridge", factory: { _ in LineCapturingLogHandler(lines: lines) }), configuration: policy)
        try await body(DANAAuthorizationRig(sandbox: sandbox, adapter: adapter, client: client, offsets: offsets, lines: lines))
        await transport.shutdown()
        await sandbox.shutdown()
    } catch {
        await transport.shutdown()
        await sandbox.shutdown()
        throw error
    }
}

/// Fails when any secret appears in `texts`.
func expectNoSecrets(_ secrets: [String], in texts: [String], sourceLocation: SourceLocation = #_sourceLocation) {
    for secret in secrets where !secret.isEmpty {
        for text in texts {
            #expect(!text.contains(secret), "a secret leaked into: \(text.prefix(120))", sourceLocation: sourceLocation)
        }
    }
}

@Suite("DANA-style SNAP customer authorization end to end")
struct DANAAuthorizationEndToEndTests {
    @Test func bindThenPayInOneStep() async throws {
        try await withDANAAuthorization { rig in
            let consentURL = try await rig.client.startAuthorization(AuthorizationRequest(customerID: "x")).action.value
            #expect(consentURL.hasPrefix(rig.sandbox.baseURL + "/v1.0/get-auth-code?partnerId="))
            #expect(consentURL.contains("%2B07%3A00"))
            let transport = try CurlTransport()
            let page = try await transport.send(TransportRequest(method: .get, url: consentURL))
            await transport.shutdown()
            #expect(page.status == 200)
            #expect(String(decoding: page.body, as: UTF8.self).contains("Bind your DANA account"))

            let (authorization, grant) = try await rig.bind("dana-binds")
            #expect(authorization.wallet == "dana")
            #expect(authorization.customerID == "shop-dana-binds")
            #expect(authorization.walletReference?.hasPrefix("DANAUSER") == true)
            #expect(authorization.scopes.contains("AGREEMENT_PAY"))
            #expect(authorization.refreshToken != nil)
            let expiry = try #require(authorization.accessTokenExpiresAt)
            #expect(abs(expiry.timeIntervalSinceNow - 3600) < 60)

            let ref = reference("bound")
            let paid = try await rig.pay(ref, authorization.handle)
            #expect(paid.status.isSucceeded)
            #expect(rig.sandbox.payment(wallet: "dana", merchantReference: ref)?.customerID == "dana-binds")

            let stored = try await rig.client.authorization(handle: authorization.handle)
            expectNoSecrets(
                [stored.accessToken.value, stored.refreshToken?.value ?? "", grant.code.value],
                in: rig.lines.all + ["\(stored)", String(reflecting: stored), "\(grant)", "\(paid)", String(reflecting: paid)])
        }
    }

    @Test func fiftyConcurrentPaymentsShareOneRefreshOfAQuickExpiryToken() async throws {
        try await withDANAAuthorization { rig in
            let (authorization, _) = try await rig.bind("dana-quick-expiry")
            let expiry = try #require(authorization.accessTokenExpiresAt)
            #expect(abs(expiry.timeIntervalSinceNow - 60) < 10)
            // 45 s later on both clocks: within the 30 s margin, so due for refresh.
            rig.offsets.sandbox += 45
            rig.offsets.client += 45
            let results = try await withThrowingTaskGroup(of: PaymentResult.self) { group in
                for index in 0..<50 {
                    group.addTask { try await rig.pay(reference("q\(index)"), authorization.handle, "1000") }
                }
                var all: [PaymentResult] = []
                for try await result in group { all.append(result) }
                return all
            }
            #expect(results.count == 50)
            #expect(results.allSatisfy { $0.status.isSucceeded })
            #expect(await rig.client.authorizations.refreshes == 1)
            let renewed = try await rig.client.authorization(handle: authorization.handle)
            #expect(renewed.accessToken != authorization.accessToken)
            #expect(renewed.refreshedAt != nil)
        }
    }

    @Test func anExpiredTokenRefusedByTheWalletIsRefreshedOnceAndResentUnderTheSameReference() async throws {
        try await withDANAAuthorization { rig in
            let (authorization, _) = try await rig.bind("dana-binds")
            // Only the wallet's clock moves: the client still thinks the token is good.
            rig.offsets.sandbox += 7200
            let ref = reference("expired")
            let paid = try await rig.pay(ref, authorization.handle)
            #expect(paid.status.isSucceeded)
            #expect(await rig.client.authorizations.refreshes == 1)
            let entries = rig.sandbox.ledgerSnapshot(wallet: "dana").filter { $0.merchantReference == ref }
            #expect(entries.count == 1)
            #expect(entries.first?.charges == 1)
            let renewed = try await rig.client.authorization(handle: authorization.handle)
            #expect(renewed.accessToken != authorization.accessToken)
        }
    }

    @Test func aMerchantRevokeStopsTheNextPaymentWithoutSending() async throws {
        try await withDANAAuthorization { rig in
            let (authorization, _) = try await rig.bind("dana-binds")
            let revoked = try await rig.client.revokeAuthorization(handle: authorization.handle)
            #expect(revoked.isRevoked)
            // The wallet no longer knows the token: a second unbinding counts as done.
            try await rig.adapter.revokeAuthorization(authorization)

            let ref = reference("after-revoke")
            let error = await #expect(throws: WalletError.self) { _ = try await rig.pay(ref, authorization.handle) }
            #expect(error?.authorization == .revoked)
            #expect(rig.sandbox.payment(wallet: "dana", merchantReference: ref) == nil)
        }
    }

    @Test func aCustomerRevokeInTheAppIsNotifiedSignedAndMarksTheBindingRevoked() async throws {
        try await withDANAAuthorization { rig in
            let inbox = DANAAuthorizationInbox()
            let client = rig.client
            let webhook = try await WebhookReceiver.start { inbound in
                await inbox.add(inbound)
                do throws(WalletError) {
                    let received = try await client.receiveAuthorizationNotification(inbound)
                    await inbox.add(handle: received.handle)
                    return received.verified.acknowledgement
                } catch {
                    return NotificationAcknowledgement(status: 400, headerFields: [:], body: [])
                }
            }
            let (authorization, _) = try await rig.bind("dana-binds")
            let body = try JSONSerialization.data(withJSONObject: ["customer": "dana-binds", "notifyURL": webhook.url(path: "/dana/unbind")])
            let reply = try await sandboxPOST(rig.sandbox, "/sandbox/authorizations/dana/revoke", Array(body))
            #expect(reply.status == 200)
            #expect(await eventually { rig.sandbox.notificationDeliveries.contains { $0.label.hasPrefix("UNBIND") && $0.acknowledged } })
            #expect(await inbox.handles == [authorization.handle])
            #expect(try await rig.client.authorization(handle: authorization.handle).isRevoked)

            let inbound = try #require(await inbox.received.first)
            let verified = try rig.adapter.verifyAuthorizationNotification(inbound)
            #expect(verified.notification.event == .revoked)
            #expect(verified.notification.accessToken == authorization.accessToken)
            #expect(String(decoding: verified.acknowledgement.body, as: UTF8.self).contains("2006500"))
            expectNoSecrets([authorization.accessToken.value], in: ["\(verified.notification)"])

            var tampered = inbound
            tampered.body = Array(String(decoding: inbound.body, as: UTF8.self).replacingOccurrences(of: "UNBIND-", with: "UNBIND-X").utf8)
            var unsigned = inbound
            unsigned.headerFields[.xSignature] = nil
            for bad in [tampered, unsigned] {
                let error = #expect(throws: WalletError.self) { _ = try rig.adapter.verifyAuthorizationNotification(bad) }
                #expect(error?.category == .authenticationFailed)
            }

            let ref = reference("after-app-revoke")
            let error = await #expect(throws: WalletError.self) { _ = try await rig.pay(ref, authorization.handle) }
            #expect(error?.authorization == .revoked)
            #expect(rig.sandbox.payment(wallet: "dana", merchantReference: ref) == nil)
            await webhook.shutdown()
        }
    }

    @Test func usedForeignExpiredAndDeclinedCodesAreRefused() async throws {
        try await withDANAAuthorization { rig in
            let (start, redirect) = try await rig.consent("dana-binds")
            let grant = try AuthorizationGrant(redirectURL: redirect)
            _ = try await rig.client.completeAuthorization(grant, start: start)

            let used = await #expect(throws: WalletError.self) { _ = try await rig.client.completeAuthorization(grant, start: start) }
            #expect(used?.authorization == .invalidCode)
            #expect(used?.category == .invalidRequest)
            #expect(used?.partnerMessage == "Unauthorized. Auth Code Used")

            let foreign = await #expect(throws: WalletError.self) {
                _ = try await rig.client.completeAuthorization(AuthorizationGrant(code: "DANAACnotIssuedHere", state: start.state), start: start)
            }
            #expect(foreign?.authorization == .invalidCode)
            #expect(foreign?.partnerMessage == "Unauthorized. Invalid Auth Code")

            let (late, lateRedirect) = try await rig.consent("dana-binds")
            rig.offsets.sandbox += 301
            let expired = await #expect(throws: WalletError.self) {
                _ = try await rig.client.completeAuthorization(try AuthorizationGrant(redirectURL: lateRedirect), start: late)
            }
            #expect(expired?.authorization == .invalidCode)
            #expect(expired?.partnerMessage == "Unauthorized. Auth Code Expired")

            let (_, declined) = try await rig.consent("dana-refuses-consent")
            #expect(declined.contains("error=ACCESS_DENIED"))
            let refused = #expect(throws: WalletError.self) { _ = try AuthorizationGrant(redirectURL: declined) }
            // The customer said no: declined, not a bad code.
            #expect(refused?.category == .declined)

            let errors = [used, foreign, expired, refused].compactMap { $0 }
            let lateCode = (try? AuthorizationGrant(redirectURL: lateRedirect))?.code.value ?? ""
            expectNoSecrets(
                [grant.code.value, lateCode], in: rig.lines.all + errors.map { "\($0)" } + errors.map { String(reflecting: $0) })
        }
    }
}

actor DANAAuthorizationInbox {
    var received: [InboundNotification] = []
    var handles: [String?] = []
    func add(_ inbound: InboundNotification) { received.append(inbound) }
    func add(handle: String?) { handles.append(handle) }
}

/// The B2B2C token request, without a sandbox: what the adapter sends.
@Suite("SNAP B2B2C token request")
struct SNAPApplyTokenRequestTests {
    final class Capture: HTTPTransport, @unchecked Sendable {
        private let lock = NSLock()
        private var requests: [TransportRequest] = []
        var sent: [TransportRequest] { lock.withLock { requests } }
        func send(_ request: TransportRequest) async throws(TransportError) -> TransportResponse {
            lock.withLock { requests.append(request) }
            let body =
                #"{"responseCode":"2007400","responseMessage":"Successful","accessToken":"at","refreshToken":"rt","accessTokenExpiryTime":"2030-01-01T07:00:00+07:00","refreshTokenExpiryTime":"2030-01-31T07:00:00+07:00","additionalInfo":{"userInfo":{"publicUserId":"U1"}}}"#
            return TransportResponse(status: 200, headerFields: [.contentType: "application/json"], body: Array(body.utf8))
        }
    }

    @Test func theB2B2CTokenRequestIsSignedOverClientKeyAndTimestamp() async throws {
        let capture = Capture()
        let configuration = SNAPConfiguration(
            baseURL: "https://wallet.invalid", partnerID: SandboxCredentials.danaPartnerID, merchantID: SandboxCredentials.danaMerchantID,
            privateKey: try RSAPrivateKey(text: SandboxCredentials.merchantPrivateKeyPEM),
            walletKey: SNAPSignatureVerifier(publicKey: try RSAPublicKey(text: SandboxCredentials.platformPublicKeyPEM)))
        let adapter = SNAPAdapter(configuration: configuration, transport: capture)
        let start = AuthorizationStart(wallet: "dana", customerID: "c", action: .redirect(url: "https://x.invalid"), state: "s", scopes: ["CASHIER"])
        let authorization = try await adapter.completeAuthorization(AuthorizationGrant(code: "code-1", state: "s"), start: start)
        #expect(authorization.accessToken.value == "at")
        #expect(authorization.walletReference == "U1")
        #expect(authorization.accessTokenExpiresAt == TimestampText.parse("2030-01-01T07:00:00+07:00"))

        let request = try #require(capture.sent.first)
        #expect(request.url == "https://wallet.invalid/v1.0/access-token/b2b2c.htm")
        let timestamp = try #require(request.headerFields[.xTimestamp])
        let signature = try #require(request.headerFields[.xSignature])
        #expect(request.headerFields[.xClientKey] == SandboxCredentials.danaPartnerID)
        let merchant = SNAPSignatureVerifier(publicKey: try RSAPublicKey(text: SandboxCredentials.merchantPublicKeyPEM))
        try merchant.verifyAccessTokenRequest(signature: signature, clientKey: SandboxCredentials.danaPartnerID, timestamp: timestamp)
        #expect(String(decoding: request.body, as: UTF8.self) == #"{"additionalInfo":{},"authCode":"code-1","grantType":"AUTHORIZATION_CODE"}"#)
    }
}
