import Foundation
import HTTPTypes
import Testing
import WalletBridgeAlipayPlus
import WalletBridgeCore
import WalletBridgeSandbox

/// Collects what a webhook receiver saw.
actor Inbox {
    var received: [InboundNotification] = []
    var verified: [WalletNotification] = []
    var rejected: [WalletError] = []
    func add(_ notification: InboundNotification) { received.append(notification) }
    func add(_ notification: WalletNotification) { verified.append(notification) }
    func add(_ error: WalletError) { rejected.append(error) }
}

/// A webhook that verifies with `adapter`, records into `inbox`, and answers with the signed
/// acknowledgement unless `ack` substitutes another reply (given how many were verified so far).
func verifyingReceiver(
    _ adapter: any WalletAdapter,
    _ inbox: Inbox,
    ack: @escaping @Sendable (VerifiedNotification, Int) -> NotificationAcknowledgement = { verified, _ in verified.acknowledgement }
) async throws -> WebhookReceiver {
    try await WebhookReceiver.start { notification in
        await inbox.add(notification)
        do throws(WalletError) {
            let verified = try adapter.verifyNotification(notification)
            await inbox.add(verified.notification)
            return ack(verified, await inbox.verified.count)
        } catch {
            await inbox.add(error)
            return NotificationAcknowledgement(status: 400, headerFields: [:], body: [])
        }
    }
}

/// Polls `condition` for up to `seconds` (notifications arrive asynchronously).
func eventually(seconds: Double = 10, _ condition: () async -> Bool) async -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(25))
    }
    return await condition()
}

@Suite("GCash-style notifications")
struct GCashNotificationTests {
    @Test func notificationIsVerifiedAndItsSignedAckStopsRedelivery() async throws {
        try await withGCash { sandbox, adapter in
            let inbox = Inbox()
            let receiver = try await verifyingReceiver(adapter, inbox)
            let ref = reference("notify")
            let paid = try await adapter.pay(payment(ref, try php("42.00"), customer: "gcash-pays", notifyURL: receiver.url(path: "/hooks/gcash")))
            #expect(paid.status.isSucceeded)
            #expect(await eventually { sandbox.notificationDeliveries.first?.acknowledged == true })
            let verified = await inbox.verified
            #expect(verified.count == 1)
            #expect(verified.first?.kind == .paymentResult)
            #expect(verified.first?.payment.status.isSucceeded == true)
            #expect(verified.first?.payment.merchantReference == ref)
            #expect(verified.first?.payment.walletReference == paid.walletReference)
            #expect(verified.first?.payment.amount == (try php("42.00")))
            #expect(sandbox.notificationDeliveries.first?.attempts == 1, "a signed ack ends the deliveries")
            #expect(await inbox.rejected.isEmpty)

            // The same bytes with one changed are rejected.
            let original = try #require(await inbox.received.first)
            var tampered = original
            if let index = tampered.body.firstIndex(of: UInt8(ascii: "4")) { tampered.body[index] = UInt8(ascii: "9") }
            let error = #expect(throws: WalletError.self) { try adapter.verifyNotification(tampered) }
            #expect(error?.category == .authenticationFailed)
            // ...and so is the right body on another path (the path is signed too).
            var moved = original
            moved.path = "/hooks/other"
            #expect(throws: WalletError.self) { try adapter.verifyNotification(moved) }
            var unsigned = original
            unsigned.headerFields = [.clientID: original.headerFields[.clientID] ?? "", .requestTime: original.headerFields[.requestTime] ?? ""]
            #expect(throws: WalletError.self) { try adapter.verifyNotification(unsigned) }
            await receiver.shutdown()
        }
    }

    @Test func withoutASignedAckTheWalletRedeliversAndDuplicatesShareAKey() async throws {
        try await withGCash { sandbox, adapter in
            let inbox = Inbox()
            // The first two deliveries get an unsigned ack, which the wallet must not accept.
            let receiver = try await verifyingReceiver(adapter, inbox) { verified, count in
                count < 3
                    ? NotificationAcknowledgement(status: 200, headerFields: [.contentType: "application/json"], body: verified.acknowledgement.body)
                    : verified.acknowledgement
            }
            let ref = reference("redeliver")
            _ = try await adapter.pay(payment(ref, try php("5.00"), customer: "gcash-pays", notifyURL: receiver.url()))
            #expect(await eventually { sandbox.notificationDeliveries.first?.acknowledged == true })
            let seen = await inbox.verified
            #expect(seen.count == 3)
            #expect(Set(seen.map(\.deduplicationKey)).count == 1, "redeliveries carry the same deduplication key")
            #expect(sandbox.notificationDeliveries.first?.attempts == 3)
            await receiver.shutdown()
        }
    }

    @Test func pendingThenResultForASlowPayment() async throws {
        try await withGCash { sandbox, adapter in
            let inbox = Inbox()
            let receiver = try await verifyingReceiver(adapter, inbox)
            let ref = reference("slow-notify")
            _ = try await adapter.pay(payment(ref, try php("5.00"), customer: "gcash-slow", notifyURL: receiver.url()))
            for _ in 0..<3 { _ = try await adapter.inquire(PaymentQuery(merchantReference: ref)) }
            #expect(await eventually { await inbox.verified.count == 2 })
            let kinds = await inbox.verified.map(\.kind)
            #expect(Set(kinds) == [.paymentPending, .paymentResult])
            let result = await inbox.verified.first { $0.kind == .paymentResult }
            #expect(result?.payment.status.isSucceeded == true)
            await receiver.shutdown()
        }
    }
}
