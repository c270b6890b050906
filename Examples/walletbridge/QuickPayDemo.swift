import Foundation
import WalletBridgeAlipayPlus
import WalletBridgeCore
import WalletBridgeHTTP
import WalletBridgeSandbox
import WalletBridgeTransport

/// The demo's opening story, "Quick Pay": the customer binds their GCash-style wallet once, then
/// pays five times in one step each; the client refreshes the token; the customer revokes the
/// binding in the wallet app (a signed notification the merchant verifies), and the next
/// payment asks for a new binding instead of charging.
enum QuickPayDemo {
    /// Runs the story against `sandbox`; true when every step behaved as expected.
    static func run(sandbox: WalletSandbox, transport: CurlTransport, wire: any HTTPTransport) async throws -> Bool {
        let holder = ClientHolder()
        let events = DemoEvents()
        // The merchant's webhook for authorization notifications (revoked in the app).
        let webhook = try await WebhookReceiver.start { notification in
            guard let client = await holder.client else { return NotificationAcknowledgement(status: 503, headerFields: [:], body: []) }
            if !notification.path.hasSuffix("/authorizations") {
                // The payments' own notifications: verified and acknowledged.
                return (try? client.verifyNotification(notification))?.acknowledgement
                    ?? NotificationAcknowledgement(status: 401, headerFields: [:], body: [])
            }
            do throws(WalletError) {
                let (verified, handle) = try await client.receiveAuthorizationNotification(notification)
                await events.add("\(verified.notification.event) for \(handle ?? "an unknown binding"), signature verified; signed ack sent")
                return verified.acknowledgement
            } catch {
                await events.add("notification REJECTED: \(error.category.rawValue)")
                return NotificationAcknowledgement(status: 401, headerFields: [:], body: [])
            }
        }
        defer { Task { await webhook.shutdown() } }
        var profile = try sandbox.clientProfile(wallet: "gcash")
        profile.notifyURL = webhook.url(path: "/webhooks/gcash/authorizations")
        let adapter = AlipayPlusAdapter(configuration: try AlipayPlusConfiguration(profile: profile), transport: wire)
        let client = WalletClient(adapter: adapter)
        await holder.set(client)
        // Payment notifications go to their own path; the profile's notify URL takes the
        // authorization notifications (sent to the consult's authNotifyUrl).
        func order(_ reference: String, _ amount: Money, _ handle: String) -> PaymentRequest {
            PaymentRequest(
                merchantReference: reference, amount: amount, authorization: handle, orderDescription: "Quick Pay order",
                notifyURL: webhook.url(path: "/webhooks/gcash/payments"))
        }

        print("Quick Pay: bind once, then pay in one step (GCash-style auto debit on the Alipay+ scheme)\n")
        print("0. the customer binds their wallet once: consent page, authorization code, tokens")
        let start = try await client.startAuthorization(
            AuthorizationRequest(customerID: "gcash-binds", redirectURL: "https://merchant.example/bound"))
        print("   → consent step: \(start.action)")
        let redirect = try await SandboxConsent.approve(start, customer: "gcash-binds", sandbox: sandbox, transport: transport)
        let bound = try await client.completeAuthorization(try AuthorizationGrant(redirectURL: redirect), start: start)
        print(
            "   → bound: handle \(bound.handle), scopes \(bound.scopes.joined(separator: ",")), token expires \(bound.accessTokenExpiresAt.map { TimestampText.iso8601($0) } ?? "-") (the tokens never leave the client)\n"
        )

        print("1. five payments, one step each: no password page, no redirect")
        var paid = 0
        let reference = "WB-QUICK-\(UUID().uuidString.prefix(8))"
        for i in 1...5 {
            let amount = Money(minorUnits: Int64(100 * (i * 7 + 3)), currency: .php)
            let result = try await client.pay(order("\(reference)-\(i)", amount, bound.handle))
            if result.status == .succeeded { paid += 1 }
            print("   → \(amount): \(result.status.name), wallet reference \(result.walletReference ?? "-")")
        }
        print("")

        print("2. the client refreshes the access token (a payment does it by itself when the token is due)")
        let refreshed = try await client.refreshAuthorization(handle: bound.handle)
        let rotated = refreshed.accessToken != bound.accessToken
        print(
            "   → new access token (\(rotated ? "rotated" : "NOT rotated")), expires \(refreshed.accessTokenExpiresAt.map { TimestampText.iso8601($0) } ?? "-")"
        )
        let afterRefresh = try await client.pay(order("\(reference)-6", Money(minorUnits: 4_200, currency: .php), bound.handle))
        print("   → the next payment uses it: \(afterRefresh.status.name)\n")

        print("3. the customer unbinds the merchant in the wallet app")
        let revoked = try await revokeInApp(sandbox: sandbox, transport: transport)
        let deadline = ContinuousClock.now + .seconds(5)
        // The first notification was the code's (AUTHCODE_CREATED, at consent); wait for the revocation.
        func revocation() async -> String? { await events.lines.first { $0.hasPrefix("revoked") || $0.contains("REJECTED") } }
        while await revocation() == nil, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        let event = await revocation()
        print("   → the wallet revoked \(revoked) binding(s) and notified the merchant: \(event ?? "no notification within 5 s")")
        let next: String
        do throws(WalletError) {
            let result = try await client.pay(order("\(reference)-7", Money(minorUnits: 1_000, currency: .php), bound.handle))
            next = "\(result.status.name)\(result.status.error?.authorization.map { " (\($0))" } ?? "")"
        } catch {
            next = "refused before sending (\(error.authorization?.description ?? error.category.rawValue)): ask the customer to bind again"
        }
        print("   → the next payment: \(next)\n")
        await holder.set(nil)
        return paid == 5 && rotated && afterRefresh.status == .succeeded && event?.hasPrefix("revoked for \(bound.handle)") == true
            && next.contains("authorizationRevoked")
    }

    /// The customer's "unbind" in the wallet app, through the sandbox's admin endpoint.
    static func revokeInApp(sandbox: WalletSandbox, transport: CurlTransport) async throws -> Int {
        let body = Array(try JSONSerialization.data(withJSONObject: ["wallet": "gcash", "customer": "gcash-binds"]))
        let response = try await transport.send(
            TransportRequest(
                method: .post, url: sandbox.baseURL + "/sandbox/authorizations/revoke", headerFields: [.contentType: "application/json"],
                body: body))
        let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
        return (object?["revoked"] as? Int) ?? (object?["revoked"] as? [Any])?.count ?? (response.status == 200 ? 1 : 0)
    }
}

/// The client the webhook hands notifications to (set once the client exists).
actor ClientHolder {
    var client: WalletClient?
    func set(_ client: WalletClient?) { self.client = client }
}
