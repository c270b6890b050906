import ArgumentParser
import Foundation
import WalletBridgeAlipayPlus
import WalletBridgeCore
import WalletBridgeHTTP
import WalletBridgeSandbox
import WalletBridgeTransport

/// `walletbridge demo`: the whole story in one process, against an in-memory sandbox and local
/// webhooks. It opens with Quick Pay (``QuickPayDemo``: bind once, five one-step payments, a
/// refresh, a revocation in the wallet app). Then GCash-style: a cross-border pay, its notification verified and acknowledged,
/// inquire, partial refund, a next action, and a tampered response treated as unknown and
/// reconciled. Then Paytm-style (``PaytmDemo``) and DANA-style on SNAP (``DANADemo``).
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Signed GCash-, Paytm- and DANA-style payments over libcurl against an embedded sandbox (no set-up)."
    )

    @Flag(help: "Instead, sign and verify one message in each scheme (Alipay+, Paytm, SNAP).")
    var signatures = false

    @Flag(help: "Also print each HTTP exchange (method, path, status, signature header) under its step.")
    var trace = false

    func run() async throws {
        if signatures {
            try SignatureDemo.run()
            return
        }
        let sandbox = try await WalletSandbox.start()
        let transport = try CurlTransport()
        // The story in plain words; the wire with --trace (and the signatures with --signatures).
        let wire: any HTTPTransport = trace ? TranscriptTransport(base: transport, write: { print($0) }) : transport
        let adapter = AlipayPlusAdapter(
            configuration: try AlipayPlusConfiguration(profile: try sandbox.clientProfile(wallet: "gcash")), transport: wire)
        // The story shows each first answer, so this client does not settle inline (a production
        // client settles an open payment by the wallet's rule before returning).
        let client = WalletClient(adapter: adapter, configuration: WalletClient.Configuration(settleWithin: .zero))
        let events = DemoEvents()
        let webhook = try await WebhookReceiver.start { notification in
            do throws(WalletError) {
                let verified = try client.verifyNotification(notification)
                let event = verified.notification
                await events.add(
                    "\(event.kind.rawValue) for \(event.payment.merchantReference): \(event.payment.status.name), signature verified; signed ack sent"
                )
                return verified.acknowledgement
            } catch {
                await events.add("notification REJECTED: \(error)")
                return NotificationAcknowledgement(status: 401, headerFields: [:], body: [])
            }
        }
        print(
            "WalletBridge demo: GCash-style wallet (Alipay+ scheme) on a sandbox at \(sandbox.baseURL), over \(CurlTransport.libraryVersion.split(separator: " ").first ?? "libcurl")"
        )
        print(
            "every request is signed with the merchant's key and every answer's signature is checked"
                + (trace ? "" : " (--trace shows each exchange, --signatures the signing itself)") + "\n")
        let quickPayOK = try await QuickPayDemo.run(sandbox: sandbox, transport: transport, wire: wire)
        print("Cross-border payments, notifications, refunds and unknown outcomes\n")

        let reference = "WB-DEMO-\(UUID().uuidString.prefix(8))"
        let amount = try Money(parsing: "10.00", currency: .usd)
        print("1. a US merchant charges \(amount) to customer gcash-pays, whose wallet holds PHP (ref \(reference))")
        let paid = try await client.pay(
            PaymentRequest(
                merchantReference: reference, amount: amount, customer: CustomerCredential("gcash-pays"),
                orderDescription: "Demo order", notifyURL: webhook.url(path: "/webhooks/gcash")))
        print("   → \(paid.status.name), wallet reference \(paid.walletReference ?? "-")")
        print(
            "   → the customer paid \(paid.customerAmount.map(\.description) ?? "-") at the wallet's quote \(paid.quote.map { "\($0.currencyPair) \($0.rate)" } ?? "-")\n"
        )

        print("2. the wallet notifies the merchant's webhook")
        let deadline = ContinuousClock.now + .seconds(5)
        // This payment's notification (Quick Pay's authorization notifications came before it).
        func ours() -> WalletSandbox.NotificationDelivery? { sandbox.notificationDeliveries.first { $0.label.contains(reference) } }
        while ours()?.acknowledged != true, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        let event = await events.lines.first
        print("   → \(event ?? "no notification arrived within 5 s")")
        let delivery = ours()
        print("   → sandbox: acknowledged \(delivery?.acknowledged == true ? "yes" : "no") after \(delivery?.attempts ?? 0) attempt(s)\n")

        print("3. inquire")
        let inquired = try await client.inquire(PaymentQuery(merchantReference: reference, expectedAmount: amount))
        print("   → \(inquired.status.name), \(inquired.amount.map(\.description) ?? "-"), paid at \(inquired.completedAt ?? "-")\n")

        let part = try Money(parsing: "4.00", currency: .usd)
        print("4. partial refund of \(part)")
        let refund = try await client.refund(
            RefundRequest(merchantReference: reference, walletReference: paid.walletReference, refundReference: reference + "-R1", amount: part))
        print("   → refund \(refund.status.name), wallet refund reference \(refund.walletRefundReference ?? "-")\n")

        let confirmRef = reference + "-C"
        print("5. a customer who must confirm in the app (gcash-confirm), paying \(try Money(parsing: "250.00", currency: .php))")
        let pending = try await client.pay(
            PaymentRequest(
                merchantReference: confirmRef, amount: try Money(parsing: "250.00", currency: .php),
                customer: CustomerCredential("gcash-confirm"), orderDescription: "Demo order"))
        if case .pending(let action?) = pending.status {
            print("   → pending; next action: \(action.kind) \(action.value)")
        } else {
            print("   → \(pending.status.name)")
        }
        let confirmed = try await client.inquire(PaymentQuery(merchantReference: confirmRef))
        print("   → after the customer confirms, inquiry says: \(confirmed.status.name)\n")

        print("6. a response with a tampered signature (injected fault) is never success")
        sandbox.injectFault(.tamperResponseSignature, path: AlipayPlusConfiguration.Paths().pay)
        let tamperedRef = reference + "-T"
        let tampered = try await client.pay(
            PaymentRequest(
                merchantReference: tamperedRef, amount: try Money(parsing: "10.00", currency: .php), customer: CustomerCredential("gcash-pays"),
                orderDescription: "Demo order"))
        print("   → \(tampered.status.name): \(tampered.status.error?.message ?? "")")
        let reconciled = try await client.inquire(PaymentQuery(merchantReference: tamperedRef))
        print("   → reconciled by inquiry: \(reconciled.status.name)\n")

        let paytmOK = try await PaytmDemo.run(sandbox: sandbox, transport: transport, trace: trace)
        let danaOK = try await DANADemo.run(sandbox: sandbox, transport: transport, trace: trace)

        await webhook.shutdown()
        await transport.shutdown()
        await sandbox.shutdown()
        let ok =
            quickPayOK && paytmOK && danaOK && paid.status == .succeeded && inquired.status == .succeeded && refund.status == .succeeded
            && event?.contains("verified") == true && delivery?.acknowledged == true
            && paid.quote != nil && pending.status.name == "pending" && confirmed.status == .succeeded
            && reconciled.status == .succeeded && !tampered.status.isFinal
        print(ok ? "demo finished: every step behaved as expected" : "demo finished WITH UNEXPECTED RESULTS")
        if !ok { throw ExitCode(1) }
    }
}

/// What the demo's webhook saw.
actor DemoEvents {
    var lines: [String] = []
    func add(_ line: String) { lines.append(line) }
}
