import Foundation
import Testing
import WalletBridgeAlipayPlus
import WalletBridgeCore
import WalletBridgeSandbox
import WalletBridgeTransport

/// The sandbox's delivery to several merchant instances (`WebhookTargets`): a target drawn per
/// attempt from the seed, the notify URL's path kept, some notifications sent to two instances.
@Suite("Webhook targets")
struct WebhookTargetsTests {
    @Test func withoutTargetsTheNotifyURLIsUsedAsItIs() {
        let url = "http://shop.example:8443/webhooks/gcash?x=1"
        #expect(WebhookTargets().url(for: url, seed: 1, wallet: "gcash", label: "PAYMENT_RESULT A") == url)
        #expect(!WebhookTargets().isDuplicated(seed: 1, wallet: "gcash", label: "PAYMENT_RESULT A"))
    }

    @Test func aTargetKeepsThePathAndQueryAndTheDrawReplays() {
        let targets = WebhookTargets(["http://127.0.0.1:1", "http://127.0.0.1:2/", "http://127.0.0.1:3"], duplicateRate: 0.5)
        var seen: Set<String> = []
        for n in 0..<60 {
            let label = "PAYMENT_RESULT R-\(n)"
            let url = targets.url(for: "http://anywhere:9/webhooks/dana?a=b", seed: 7, wallet: "dana", label: label, attempt: 1 + n % 3)
            #expect(url.hasSuffix("/webhooks/dana?a=b"))
            #expect(url == targets.url(for: "http://anywhere:9/webhooks/dana?a=b", seed: 7, wallet: "dana", label: label, attempt: 1 + n % 3))
            seen.insert(String(url.dropLast("/webhooks/dana?a=b".count)))
        }
        // Every target is drawn, and a trailing slash in a target does not double the path's.
        #expect(seen == ["http://127.0.0.1:1", "http://127.0.0.1:2", "http://127.0.0.1:3"])
    }

    @Test func theDuplicateGoesToAnotherTargetAndTheRateHolds() {
        let targets = WebhookTargets(["http://127.0.0.1:1", "http://127.0.0.1:2", "http://127.0.0.1:3"], duplicateRate: 0.3)
        var duplicated = 0
        for n in 0..<1000 {
            let label = "FINISH SUCCESS R-\(n)"
            let first = targets.url(for: "http://x/notify", seed: 11, wallet: "dana", label: label, copy: 1, attempt: 1)
            let second = targets.url(for: "http://x/notify", seed: 11, wallet: "dana", label: label, copy: 2, attempt: 1)
            #expect(first != second)
            if targets.isDuplicated(seed: 11, wallet: "dana", label: label) { duplicated += 1 }
        }
        #expect((230...370).contains(duplicated), "\(duplicated) of 1000 duplicated at rate 0.3")
        #expect(!WebhookTargets(["http://127.0.0.1:1"], duplicateRate: 0).isDuplicated(seed: 11, wallet: "dana", label: "FINISH SUCCESS R-1"))
    }

    /// Two merchant instances (receivers that verify and acknowledge), a payment whose notify URL
    /// names neither, every notification duplicated: each instance receives it once, on the
    /// notify URL's path, and both deliveries are acknowledged.
    @Test func everyInstanceGetsTheNotificationOnItsPath() async throws {
        let adapter = Later<any WalletAdapter>()
        let inboxes = [Inbox(), Inbox()]
        var receivers: [WebhookReceiver] = []
        for inbox in inboxes {
            receivers.append(
                try await WebhookReceiver.start { notification in
                    await inbox.add(notification)
                    guard let verified = try? adapter.value?.verifyNotification(notification) else {
                        return NotificationAcknowledgement(status: 400, headerFields: [:], body: [])
                    }
                    return verified.acknowledgement
                })
        }
        let bases = receivers.map { $0.url(path: "") }
        try await withSandboxAdapter(
            wallet: "gcash",
            configure: {
                $0.notificationRetryInterval = .milliseconds(20)
                $0.webhookTargets = WebhookTargets(bases, duplicateRate: 1)
            },
            build: { profile, transport in AlipayPlusAdapter(configuration: try AlipayPlusConfiguration(profile: profile), transport: transport) }
        ) { sandbox, built in
            adapter.value = built
            let request = PaymentRequest(
                merchantReference: "TARGETS-1", amount: try Money(parsing: "12.00", currency: .php), customer: CustomerCredential("gcash-pays"),
                orderDescription: "two instances", notifyURL: "http://127.0.0.1:9/webhooks/gcash")
            let result = try await built.pay(request)
            #expect(result.status == .succeeded)
            let arrived = await eventually {
                let deliveries = sandbox.notificationDeliveries
                return deliveries.count == 2 && deliveries.allSatisfy(\.acknowledged)
            }
            #expect(arrived, "\(sandbox.notificationDeliveries)")
            for inbox in inboxes {
                let received = await inbox.received
                #expect(received.count == 1)
                #expect(received.first?.path == "/webhooks/gcash")
            }
            let deliveries = sandbox.notificationDeliveries
            #expect(deliveries.map(\.label).sorted() == ["PAYMENT_RESULT TARGETS-1", "PAYMENT_RESULT TARGETS-1 (duplicate)"])
            #expect(Set(deliveries.map(\.url)) == Set(bases.map { $0 + "/webhooks/gcash" }))
        }
        for receiver in receivers { await receiver.shutdown() }
    }

    /// A target that does not answer (a killed instance): the redelivery is drawn again and
    /// reaches a live one.
    @Test func aRedeliveryAfterADeadTargetReachesALiveOne() async throws {
        let dead = "http://127.0.0.1:9"
        let adapter = Later<any WalletAdapter>()
        let inbox = Inbox()
        let receiver = try await WebhookReceiver.start { notification in
            await inbox.add(notification)
            guard let verified = try? adapter.value?.verifyNotification(notification) else {
                return NotificationAcknowledgement(status: 400, headerFields: [:], body: [])
            }
            return verified.acknowledgement
        }
        let targets = WebhookTargets([dead, receiver.url(path: "")])
        // A reference whose first attempt the seed sends to the dead target.
        let reference = try #require(
            (0..<100).map { "DEAD-\($0)" }.first {
                targets.url(for: "http://x/webhooks/gcash", seed: 5, wallet: "gcash", label: "PAYMENT_RESULT \($0)").hasPrefix(dead)
            })
        try await withSandboxAdapter(
            wallet: "gcash",
            configure: {
                $0.notificationRetryInterval = .milliseconds(20)
                $0.maxNotificationAttempts = 20
                $0.faultPlan = FaultPlan(seed: 5)
                $0.webhookTargets = targets
            },
            build: { profile, transport in AlipayPlusAdapter(configuration: try AlipayPlusConfiguration(profile: profile), transport: transport) }
        ) { sandbox, built in
            adapter.value = built
            let request = PaymentRequest(
                merchantReference: reference, amount: try Money(parsing: "12.00", currency: .php), customer: CustomerCredential("gcash-pays"),
                orderDescription: "a dead instance", notifyURL: "http://127.0.0.1:9/webhooks/gcash")
            _ = try await built.pay(request)
            #expect(await eventually { sandbox.notificationDeliveries.first?.acknowledged == true })
            let delivery = try #require(sandbox.notificationDeliveries.first)
            #expect(delivery.attempts >= 2)
            #expect(delivery.url == receiver.url(path: "/webhooks/gcash"))
            #expect(await inbox.received.count == 1)
        }
        await receiver.shutdown()
    }
}

/// A value set once the sandbox is up (the receivers start first: their URLs configure it).
final class Later<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value?

    var value: Value? {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
