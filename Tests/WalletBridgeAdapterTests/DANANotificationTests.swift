import Foundation
import Testing
import WalletBridgeCore
import WalletBridgeCrypto
import WalletBridgeSandbox
import WalletBridgeSNAP
import WalletBridgeTesting
import WalletBridgeTransport

/// SNAP finish notifications (service 56): signed by the wallet, verified, acknowledged with
/// 2005600, deduplicated.
@Suite("DANA-style SNAP notifications")
struct DANANotificationTests {
    /// A receiver that verifies with `adapter` and answers with its acknowledgement.
    func receiver(_ adapter: SNAPAdapter, _ inbox: Inbox) async throws -> WebhookReceiver {
        try await WebhookReceiver.start { notification in
            await inbox.add(notification)
            do throws(WalletError) {
                let verified = try adapter.verifyNotification(notification)
                await inbox.add(verified.notification)
                return verified.acknowledgement
            } catch {
                await inbox.add(error)
                return NotificationAcknowledgement(status: 401, headers: [:], body: [])
            }
        }
    }

    @Test func theFinishNotifyIsVerifiedAcknowledgedAndDeduplicated() async throws {
        try await withDANA { sandbox, adapter in
            let inbox = Inbox()
            let webhook = try await receiver(adapter, inbox)
            let ref = reference("notify")
            _ = try await adapter.pay(payment(ref, try idr("25000"), customer: "dana-pays", notifyURL: webhook.url(path: "/v1.0/debit/notify")))
            #expect(await eventually { sandbox.notificationDeliveries.contains { $0.label.hasSuffix(ref) && $0.acknowledged } })
            let event = try #require(await inbox.verified.first)
            #expect(event.kind == .paymentResult)
            #expect(event.payment.status.isSucceeded)
            #expect(event.payment.amount == (try idr("25000")))
            #expect(event.deduplicationKey == "snap|\(ref)|00")
            #expect(await inbox.rejected.isEmpty)

            let inbound = try #require(await inbox.received.first)
            let client = WalletClient(adapter: adapter)
            let store = InMemoryNotificationDeduplicator()
            let first = try await client.receiveNotification(inbound, deduplicator: store)
            let again = try await client.receiveNotification(inbound, deduplicator: store)
            #expect(first.disposition == .apply && first.fulfilsOrder)
            #expect(again.disposition == .duplicate)
            #expect(String(decoding: again.acknowledgement.body, as: UTF8.self).contains("2005600"))
            await webhook.shutdown()
        }
    }

    @Test func aTamperedNotificationIsRejected() async throws {
        try await withDANA { sandbox, adapter in
            let inbox = Inbox()
            let webhook = try await receiver(adapter, inbox)
            let ref = reference("tampered")
            _ = try await adapter.pay(payment(ref, try idr("25000"), customer: "dana-pays", notifyURL: webhook.url(path: "/v1.0/debit/notify")))
            #expect(await eventually { await !inbox.received.isEmpty })
            let inbound = try #require(await inbox.received.first)
            var amount = inbound
            amount.body = Array(String(decoding: inbound.body, as: UTF8.self).replacingOccurrences(of: "25000.00", with: "2500000.00").utf8)
            var path = inbound
            path.path = "/v1.0/debit/other"
            var time = inbound
            time.headers.replaceOrAdd(name: "X-TIMESTAMP", value: "2026-01-01T00:00:00+07:00")
            var unsigned = inbound
            unsigned.headers.remove(name: "X-SIGNATURE")
            for tampered in [amount, path, time, unsigned] {
                let error = #expect(throws: WalletError.self) { _ = try adapter.verifyNotification(tampered) }
                #expect(error?.category == .authenticationFailed)
            }
            await webhook.shutdown()
            _ = sandbox
        }
    }

    @Test func theSharedFinishNotifyVectorVerifies() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures/vectors/snap.json")
        let cases = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [[String: Any]])
        let vector = try #require(cases.first { $0["id"] as? String == "snap-verify-finish-notify" })
        let keys = url.deletingLastPathComponent().appendingPathComponent("keys")
        let walletKey = try RSAPublicKey(source: .file(path: keys.appendingPathComponent("test-only-partner-rsa2048-public-spki.pem").path))
        let configuration = SNAPConfiguration(baseURL: "https://x", partnerID: "2026112400000000000001", merchantID: "216620000000000000001",
                                              privateKey: try RSAPrivateKey(source: .file(path: keys.appendingPathComponent("test-only-merchant-rsa2048-private-pkcs8.pem").path)),
                                              walletKey: SNAPSignatureVerifier(publicKey: walletKey))
        let adapter = SNAPAdapter(configuration: configuration, transport: MockTransport.replying(HTTPResponse(status: 200)))
        let inbound = InboundNotification(path: try #require(vector["path"] as? String),
                                          headers: ["X-TIMESTAMP": try #require(vector["timestamp"] as? String), "X-SIGNATURE": try #require(vector["signature"] as? String)],
                                          body: Array(try #require(vector["body"] as? String).utf8))
        let verified = try adapter.verifyNotification(inbound)
        #expect(verified.notification.payment.status.isSucceeded)
        #expect(verified.notification.payment.merchantReference == "WB-ORDER-0001")
        #expect(verified.notification.payment.amount == (try idr("10000")))
    }
}
