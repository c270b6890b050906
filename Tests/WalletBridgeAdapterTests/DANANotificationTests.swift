import Foundation
import HTTPTypes
import Testing
import WalletBridgeCore
import WalletBridgeCrypto
import WalletBridgeHTTP
import WalletBridgeSandbox
import WalletBridgeSNAP
import WalletBridgeTesting

/// SNAP finish notifications (service 56): signed by the wallet, verified, acknowledged with
/// 2005600, deduplicated.
@Suite("DANA-style SNAP notifications")
struct DANANotificationTests {
    @Test func theFinishNotifyIsVerifiedAcknowledgedAndDeduplicated() async throws {
        try await withDANA { sandbox, adapter in
            let inbox = Inbox()
            let webhook = try await verifyingReceiver(adapter, inbox)
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
            let webhook = try await verifyingReceiver(adapter, inbox)
            let ref = reference("tampered")
            _ = try await adapter.pay(payment(ref, try idr("25000"), customer: "dana-pays", notifyURL: webhook.url(path: "/v1.0/debit/notify")))
            #expect(await eventually { await !inbox.received.isEmpty })
            let inbound = try #require(await inbox.received.first)
            var amount = inbound
            amount.body = Array(String(decoding: inbound.body, as: UTF8.self).replacingOccurrences(of: "25000.00", with: "2500000.00").utf8)
            var path = inbound
            path.path = "/v1.0/debit/other"
            var time = inbound
            time.headerFields[.xTimestamp] = "2026-01-01T00:00:00+07:00"
            var unsigned = inbound
            unsigned.headerFields[.xSignature] = nil
            for tampered in [amount, path, time, unsigned] {
                let error = #expect(throws: WalletError.self) { _ = try adapter.verifyNotification(tampered) }
                #expect(error?.category == .authenticationFailed)
            }
            await webhook.shutdown()
            _ = sandbox
        }
    }

    @Test func aNotificationOutsideTheClockToleranceIsRefusedAsSkew() throws {
        let now = Date(timeIntervalSince1970: 1_795_000_000)
        let signer = SNAPRSASigner(privateKey: try RSAPrivateKey(text: SandboxCredentials.platformPrivateKeyPEM))
        let body =
            #"{"originalPartnerReferenceNo":"WB-1","merchantId":"M1","amount":{"value":"1.00","currency":"IDR"},"latestTransactionStatus":"00"}"#
        func notification(at date: Date) throws -> InboundNotification {
            let timestamp = TimestampText.iso8601(date, offsetHours: 7)
            let signature = try signer.sign(method: "POST", path: "/notify", body: Array(body.utf8), timestamp: timestamp)
            return InboundNotification(path: "/notify", headerFields: [.xTimestamp: timestamp, .xSignature: signature.value], body: Array(body.utf8))
        }
        var configuration = try SNAPAdapterUnitTests.adapter(.replying(TransportResponse(status: 200))).configuration
        let lenient = SNAPAdapter(configuration: configuration, transport: MockTransport.replying(TransportResponse(status: 200)), clock: { now })
        configuration.notificationClockTolerance = .seconds(300)
        let strict = SNAPAdapter(configuration: configuration, transport: MockTransport.replying(TransportResponse(status: 200)), clock: { now })

        let old = try notification(at: now.addingTimeInterval(-3600))
        #expect(throws: Never.self) { _ = try lenient.verifyNotification(old) }
        let error = #expect(throws: WalletError.self) { _ = try strict.verifyNotification(old) }
        #expect(error?.message.contains("stale or skewed") == true)
        #expect(error?.message.contains("3600 s behind") == true)
        let ahead = #expect(throws: WalletError.self) { _ = try strict.verifyNotification(try notification(at: now.addingTimeInterval(301))) }
        #expect(ahead?.message.contains("ahead of") == true)
        #expect(throws: Never.self) { _ = try strict.verifyNotification(try notification(at: now.addingTimeInterval(-299))) }
        #expect(throws: Never.self) { _ = try strict.verifyNotification(try notification(at: now.addingTimeInterval(120))) }
        // A signed but impossible timestamp: nothing to measure the skew against.
        let impossible = "2026-02-30T10:00:00+07:00"
        let signed = try signer.sign(method: "POST", path: "/notify", body: Array(body.utf8), timestamp: impossible)
        let odd = InboundNotification(path: "/notify", headerFields: [.xTimestamp: impossible, .xSignature: signed.value], body: Array(body.utf8))
        let malformed = #expect(throws: WalletError.self) { _ = try strict.verifyNotification(odd) }
        #expect(malformed?.category == .authenticationFailed)
    }

    @Test func theSharedFinishNotifyVectorVerifies() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(
            "Fixtures/vectors/snap.json")
        let cases = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [[String: Any]])
        let vector = try #require(cases.first { $0["id"] as? String == "snap-verify-finish-notify" })
        let keys = url.deletingLastPathComponent().appendingPathComponent("keys")
        let walletKey = try RSAPublicKey(
            text: KeySource.file(path: keys.appendingPathComponent("test-only-partner-rsa2048-public-spki.pem").path).loadText())
        let configuration = SNAPConfiguration(
            baseURL: "https://x", partnerID: "2026112400000000000001", merchantID: "216620000000000000001",
            privateKey: try RSAPrivateKey(
                text: KeySource.file(path: keys.appendingPathComponent("test-only-merchant-rsa2048-private-pkcs8.pem").path).loadText()),
            walletKey: SNAPSignatureVerifier(publicKey: walletKey))
        let adapter = SNAPAdapter(configuration: configuration, transport: MockTransport.replying(TransportResponse(status: 200)))
        let inbound = InboundNotification(
            path: try #require(vector["path"] as? String),
            headerFields: [.xTimestamp: try #require(vector["timestamp"] as? String), .xSignature: try #require(vector["signature"] as? String)],
            body: Array(try #require(vector["body"] as? String).utf8))
        let verified = try adapter.verifyNotification(inbound)
        #expect(verified.notification.payment.status.isSucceeded)
        #expect(verified.notification.payment.merchantReference == "WB-ORDER-0001")
        #expect(verified.notification.payment.amount == (try idr("10000")))
    }
}

@Suite("DANA-style malformed notifications")
struct DANAMalformedNotificationTests {
    @Test(arguments: [
        ("[1]", WalletError.Category.invalidRequest),
        (#"{"latestTransactionStatus":"00"}"#, .invalidRequest),
        (#"{"originalPartnerReferenceNo":"WB-1","merchantId":"OTHER","latestTransactionStatus":"00"}"#, .invalidRequest),
        (
            #"{"originalPartnerReferenceNo":"WB-1","merchantId":"M1","latestTransactionStatus":"00","amount":{"value":"1","currency":"IDR"}}"#,
            .invalidRequest
        ),
    ])
    func signedButMalformedNotificationsAreRefused(_ body: String, _ category: WalletError.Category) throws {
        let signer = SNAPRSASigner(privateKey: try RSAPrivateKey(text: SandboxCredentials.platformPrivateKeyPEM))
        let timestamp = "2026-11-24T10:04:31+07:00"
        let signature = try signer.sign(method: "POST", path: "/notify", body: Array(body.utf8), timestamp: timestamp)
        let adapter = try SNAPAdapterUnitTests.adapter(.replying(TransportResponse(status: 200)))
        let inbound = InboundNotification(
            path: "/notify", headerFields: [.xTimestamp: timestamp, .xSignature: signature.value], body: Array(body.utf8))
        let error = #expect(throws: WalletError.self) { _ = try adapter.verifyNotification(inbound) }
        #expect(error?.category == category)
    }
}
