import Foundation
import Testing
import WalletBridgeAlipayPlus
import WalletBridgeCore
import WalletBridgeSandbox

/// "Bind once, pay in one step" on the Alipay+ adapter, end to end through `CurlTransport` to
/// the sandbox: consult, consent, applyToken, pay with the token, refresh, revoke, and the
/// authorization notifications.
@Suite("GCash-style customer authorization, end to end")
struct GCashAuthorizationEndToEndTests {
    static let consultPath = "/ams/api/v1/authorizations/consult"
    static let applyTokenPath = "/ams/api/v1/authorizations/applyToken"
    static let payPath = "/aps/api/v1/payments/pay"

    /// No access token, refresh token or code appears in the captured logs or in `texts`.
    static func expectNoSecrets(_ secrets: [String], in rig: AuthorizationRig, texts: [String] = []) {
        let everything = rig.lines.all + texts
        #expect(!everything.isEmpty)
        for secret in secrets where !secret.isEmpty {
            #expect(!everything.contains { $0.contains(secret) }, "a secret appeared in a log line or description")
        }
    }

    @Test func bindThenPaySucceeds() async throws {
        try await withAuthorizationRig { rig in
            let (start, redirect) = try await rig.consent("gcash-binds")
            // The consent page the customer would see.
            guard case .redirect(let page) = start.action else { throw RigError("no consent page") }
            let (status, html) = try await rig.get(page)
            #expect(status == 200)
            #expect(html.contains("AGREEMENT_PAY"))
            #expect(start.scopes == ["AGREEMENT_PAY"])

            let grant = try AuthorizationGrant(redirectURL: redirect)
            #expect(grant.state == start.state)
            let bound = try await rig.client.completeAuthorization(grant, start: start)
            #expect(bound.wallet == "gcash")
            #expect(bound.customerID == "merchant-gcash-binds")
            #expect(bound.refreshToken != nil)
            #expect(bound.accessToken.value.count >= 32)
            #expect(bound.walletReference?.contains("*") == true)
            let lifetime = try #require(bound.accessTokenExpiresAt).timeIntervalSince(bound.grantedAt)
            #expect(abs(lifetime - 3600) < 5)

            let ref = reference("bound-pay")
            let paid = try await rig.pay(bound.handle, try php("12.34"), reference: ref).get()
            #expect(paid.status.isSucceeded)
            #expect(rig.sandbox.payment(wallet: "gcash", merchantReference: ref)?.customerID == "gcash-binds")

            let (_, listing) = try await rig.get(rig.sandbox.baseURL + "/sandbox/authorizations")
            #expect(listing.contains("gcash-binds"))
            Self.expectNoSecrets(
                [bound.accessToken.value, bound.refreshToken?.value ?? "", grant.code.value], in: rig,
                texts: [listing, "\(bound)", String(reflecting: bound), "\(grant)", "\(start)", "\(paid)"])
        }
    }

    @Test func refreshBeforeExpiryIsSharedByFiftyConcurrentPayments() async throws {
        let time = ManualTime()
        try await withAuthorizationRig(walletTime: time, margin: .seconds(30)) { rig in
            let bound = try await rig.bind("gcash-quick-expiry")
            let lifetime = try #require(bound.accessTokenExpiresAt).timeIntervalSince(bound.grantedAt)
            #expect(abs(lifetime - 60) < 2)
            // 40 s later the token has 20 s left: inside the 30 s margin, so it is refreshed first.
            time.advance(40)
            let results = await withTaskGroup(of: Result<PaymentResult, WalletError>.self) { group in
                for index in 0..<50 {
                    group.addTask {
                        await rig.pay(bound.handle, Money(minorUnits: 100 + Int64(index), currency: .php), reference: reference("c\(index)"))
                    }
                }
                var all: [Result<PaymentResult, WalletError>] = []
                for await result in group { all.append(result) }
                return all
            }
            #expect(results.count == 50)
            #expect(results.allSatisfy { (try? $0.get())?.status.isSucceeded == true })
            #expect(await rig.client.authorizations.refreshes == 1)
            #expect(rig.counting.count(Self.applyTokenPath) == 2)  // the code, then one refresh
            let renewed = try await rig.client.authorization(handle: bound.handle)
            #expect(renewed.accessToken != bound.accessToken)
            #expect(renewed.refreshToken != bound.refreshToken)
            #expect(renewed.refreshedAt != nil)
            Self.expectNoSecrets(
                [bound.accessToken.value, bound.refreshToken?.value ?? "", renewed.accessToken.value, renewed.refreshToken?.value ?? ""], in: rig)
        }
    }

    @Test func tokenExpiredAtTheWalletIsRefreshedOnceAndThePaymentResent() async throws {
        let walletTime = ManualTime()
        let clientTime = ManualTime()
        try await withAuthorizationRig(walletTime: walletTime, clientTime: clientTime, margin: .zero) { rig in
            let bound = try await rig.bind("gcash-quick-expiry")
            // The wallet's clock runs ahead: the token has expired there, while the client still
            // sees it valid and sends it.
            walletTime.advance(120)
            let ref = reference("expired")
            let paid = try await rig.pay(bound.handle, try php("7.00"), reference: ref).get()
            #expect(paid.status.isSucceeded)
            #expect(await rig.client.authorizations.refreshes == 1)
            #expect(rig.counting.count(Self.payPath) == 2)
            let truth = rig.sandbox.ledgerSnapshot(wallet: "gcash").filter { $0.merchantReference == ref }
            #expect(truth.count == 1)
            #expect(truth.first?.charges == 1)
            let renewed = try await rig.client.authorization(handle: bound.handle)
            #expect(renewed.accessToken != bound.accessToken)
            #expect(rig.lines.all.contains { $0.contains("refreshing it once and resending") })
            Self.expectNoSecrets([bound.accessToken.value, renewed.accessToken.value, bound.refreshToken?.value ?? ""], in: rig)

            // The old token no longer pays at the wallet (rotation), whatever its expiry.
            let direct = try await rig.adapter.pay(payment(reference("old"), try php("1.00"), customer: bound.accessToken.value))
            guard case .failed(let refusal) = direct.status else { throw RigError("the rotated token was not refused: \(direct.status)") }
            #expect(refusal.authorization == .revoked)
            #expect(refusal.category == .authenticationFailed)
            #expect(!refusal.mayHaveCharged)
            #expect(!"\(refusal)".contains(bound.accessToken.value))
        }
    }

    @Test func merchantRevocationRefusesTheNextPaymentWithoutSending() async throws {
        try await withAuthorizationRig { rig in
            let bound = try await rig.bind("gcash-binds")
            let revoked = try await rig.client.revokeAuthorization(handle: bound.handle)
            #expect(revoked.isRevoked)
            let (_, listing) = try await rig.get(rig.sandbox.baseURL + "/sandbox/authorizations")
            #expect(listing.contains("\"revoked\":true"))
            let paysBefore = rig.counting.count(Self.payPath)
            let ref = reference("after-revoke")
            let error: WalletError
            switch await rig.pay(bound.handle, try php("5.00"), reference: ref) {
            case .failure(let thrown): error = thrown
            case .success(let result):
                guard case .failed(let refused) = result.status else { throw RigError("paid after revocation: \(result.status)") }
                error = refused
            }
            #expect(error.authorization == .revoked)
            #expect(!error.mayHaveCharged)
            #expect(rig.counting.count(Self.payPath) == paysBefore)
            #expect(rig.sandbox.payment(wallet: "gcash", merchantReference: ref) == nil)
            // The wallet no longer takes the token either.
            let direct = try await rig.adapter.pay(payment(reference("direct"), try php("1.00"), customer: bound.accessToken.value))
            #expect(direct.status.failureCategory == .authenticationFailed)
            Self.expectNoSecrets([bound.accessToken.value, bound.refreshToken?.value ?? ""], in: rig, texts: ["\(error)"])
        }
    }

    @Test func customerRevocationNotificationVerifiesAndMarksTheBindingRevoked() async throws {
        let inbox = AuthorizationInbox()
        let receiver = try await WebhookReceiver.start { await inbox.handle($0) }
        defer { Task { await receiver.shutdown() } }
        try await withAuthorizationRig(notifyURL: receiver.url(path: "/hooks/gcash-auth")) { rig in
            await inbox.use(rig.client)
            let (start, redirect) = try await rig.consent("gcash-binds")
            let grant = try AuthorizationGrant(redirectURL: redirect)
            let bound = try await rig.client.completeAuthorization(grant, start: start)
            // AUTHCODE_CREATED came too, with the same code and state.
            #expect(await eventually { await inbox.verified.contains { $0.notification.event == .granted } })
            let granted = try #require(await inbox.verified.first { $0.notification.event == .granted }?.notification)
            #expect(granted.grant == grant)
            #expect(granted.deduplicationKey.hasPrefix("gcash:auth:AUTHCODE_CREATED:"))
            #expect(!granted.deduplicationKey.contains(grant.code.value))

            let answer = try await rig.admin("/sandbox/authorizations/revoke", ["wallet": "gcash", "customer": "gcash-binds"])
            #expect((answer["revoked"] as? [String])?.count == 1)
            #expect(await eventually { await inbox.verified.contains { $0.notification.event == .revoked } })
            let revoked = try #require(await inbox.verified.first { $0.notification.event == .revoked })
            #expect(revoked.handle == bound.handle)
            #expect(revoked.notification.accessToken == bound.accessToken)
            #expect(revoked.notification.reason != nil)
            #expect(!revoked.notification.deduplicationKey.contains(bound.accessToken.value))
            #expect(try await rig.client.authorization(handle: bound.handle).isRevoked)
            #expect(await eventually { rig.sandbox.notificationDeliveries.filter(\.acknowledged).count == 2 })

            // One byte changed: refused.
            let original = try #require(await inbox.received.first { String(decoding: $0.body, as: UTF8.self).contains("TOKEN_CANCELED") })
            var tampered = original
            let index = try #require(tampered.body.firstIndex(of: UInt8(ascii: "T")))
            tampered.body[index] = UInt8(ascii: "X")
            let rejected = await #expect(throws: WalletError.self) { try await rig.client.receiveAuthorizationNotification(tampered) }
            #expect(rejected?.category == .authenticationFailed)
            #expect(!"\(String(describing: rejected))".contains(bound.accessToken.value))

            // The next payment is refused without sending.
            let paysBefore = rig.counting.count(Self.payPath)
            if case .success(let result) = await rig.pay(bound.handle, try php("3.00"), reference: reference("after-customer-revoke")) {
                #expect(result.status.error?.authorization == .revoked)
            }
            #expect(rig.counting.count(Self.payPath) == paysBefore)
            Self.expectNoSecrets(
                [bound.accessToken.value, bound.refreshToken?.value ?? "", grant.code.value], in: rig,
                texts: ["\(revoked.notification)", "\(granted)"])
        }
    }

    @Test func usedForeignAndMadeUpCodesAreRefusedAsInvalidCode() async throws {
        try await withAuthorizationRig { rig in
            let (start, redirect) = try await rig.consent("gcash-binds")
            let grant = try AuthorizationGrant(redirectURL: redirect)
            _ = try await rig.client.completeAuthorization(grant, start: start)

            // Used.
            let used = await #expect(throws: WalletError.self) { try await rig.client.completeAuthorization(grant, start: start) }
            #expect(used?.authorization == .invalidCode)
            #expect(used?.category == .invalidRequest)
            #expect(used?.partnerCode == "USED_CODE")

            // Made up.
            let madeUp = await #expect(throws: WalletError.self) {
                try await rig.client.completeAuthorization(AuthorizationGrant(code: "not-a-code", state: start.state), start: start)
            }
            #expect(madeUp?.authorization == .invalidCode)

            // Another client's (a Touch 'n Go-style merchant's code, on this GCash client).
            var tngProfile = try rig.sandbox.clientProfile(wallet: "tng")
            tngProfile.notifyURL = nil
            let tng = WalletClient(
                adapter: AlipayPlusAdapter(
                    walletName: "tng", configuration: try AlipayPlusConfiguration(profile: tngProfile), transport: rig.transport))
            let tngStart = try await tng.startAuthorization(AuthorizationRequest(customerID: "m-tng", redirectURL: "https://merchant.example/tng"))
            guard case .redirect(let page) = tngStart.action,
                let session = URLComponents(string: page)?.queryItems?.first(where: { $0.name == "session" })?.value
            else { throw RigError("no tng consent page") }
            let answer = try await rig.admin("/sandbox/consent/approve", ["session": session, "customer": "tng-binds"])
            let tngGrant = try AuthorizationGrant(redirectURL: try #require(answer["redirect"] as? String))
            let foreign = await #expect(throws: WalletError.self) {
                try await rig.client.completeAuthorization(AuthorizationGrant(code: tngGrant.code.value, state: start.state), start: start)
            }
            #expect(foreign?.authorization == .invalidCode)
            #expect(foreign?.partnerCode == "INVALID_CODE")
            // The code is still good for its own client.
            let tngBound = try await tng.completeAuthorization(tngGrant, start: tngStart)
            #expect(tngBound.wallet == "tng")

            // A state mismatch is refused before anything is sent.
            let (otherStart, otherRedirect) = try await rig.consent("gcash-binds")
            let sent = rig.counting.count(Self.applyTokenPath)
            let mismatch = await #expect(throws: WalletError.self) {
                try await rig.client.completeAuthorization(
                    AuthorizationGrant(code: try AuthorizationGrant(redirectURL: otherRedirect).code.value, state: "forged"), start: otherStart)
            }
            #expect(mismatch?.authorization == .invalidCode)
            #expect(rig.counting.count(Self.applyTokenPath) == sent)

            Self.expectNoSecrets(
                [grant.code.value, tngGrant.code.value], in: rig,
                texts: [used.map { "\($0)" } ?? "", foreign.map { "\($0)" } ?? "", mismatch.map { "\($0)" } ?? ""])
        }
    }

    @Test func aCustomerWhoRefusesConsentComesBackWithoutACode() async throws {
        try await withAuthorizationRig { rig in
            let (_, redirect) = try await rig.consent("gcash-refuses-consent")
            #expect(redirect.contains("error=ACCESS_DENIED"))
            let refused = #expect(throws: WalletError.self) { try AuthorizationGrant(redirectURL: redirect) }
            // The customer said no: declined, not a bad code (ask again only if they want to).
            #expect(refused?.category == .declined)
            #expect(refused?.mayHaveCharged == false)
            #expect(rig.counting.count(Self.applyTokenPath) == 0)
        }
    }

    @Test func tngBindsAndPaysThroughTheSharedModule() async throws {
        try await withAuthorizationRig(wallet: "tng") { rig in
            let bound = try await rig.bind("tng-binds")
            #expect(bound.wallet == "tng")
            let ref = reference("tng-bound")
            let paid = try await rig.pay(bound.handle, Money(minorUnits: 2_500, currency: .myr), reference: ref).get()
            #expect(paid.status.isSucceeded)
            #expect(rig.sandbox.payment(wallet: "tng", merchantReference: ref)?.customerID == "tng-binds")
            let refreshed = try await rig.client.refreshAuthorization(handle: bound.handle)
            #expect(refreshed.accessToken != bound.accessToken)
            _ = try await rig.client.revokeAuthorization(handle: bound.handle)
        }
    }
}
