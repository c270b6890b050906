import Foundation
import Testing
import WalletBridgeAlipayPlus
import WalletBridgeCore
import WalletBridgeHTTP
import WalletBridgePaytm
import WalletBridgeSNAP
import WalletBridgeSandbox
import WalletBridgeTransport

/// The sandbox's seeded fault plan, its magic amounts, its ground-truth ledger and its
/// compressed time: unit tests of the pure draws, and payments end to end through the real
/// transport and `WalletClient`.
@Suite struct FaultPlanTests {
    // MARK: Pure draws

    @Test func drawsArePureFunctionsOfSeedAndRequest() throws {
        let plan = try #require(FaultPlan.profile("chaos", seed: 42))
        let again = try #require(FaultPlan.profile("chaos", seed: 42))
        let other = try #require(FaultPlan.profile("chaos", seed: 43))
        var differences = 0
        for index in 0..<500 {
            let reference = "REF-\(index)"
            let drawn = plan.requestFault(wallet: "gcash", operation: "pay", reference: reference, attempt: 1)
            #expect(drawn == again.requestFault(wallet: "gcash", operation: "pay", reference: reference, attempt: 1))
            if drawn != other.requestFault(wallet: "gcash", operation: "pay", reference: reference, attempt: 1) { differences += 1 }
            #expect(plan.notificationFault(wallet: "dana", label: reference) == again.notificationFault(wallet: "dana", label: reference))
        }
        #expect(differences > 20)
    }

    @Test(arguments: ["flaky", "chaos"])
    func requestFaultsHitAboutTheirDocumentedRate(profile: String) throws {
        let plan = try #require(FaultPlan.profile(profile, seed: 7))
        let expected = FaultPlan.Kind.requestKinds.map { plan.rate($0, wallet: "paytm") }.reduce(0, +)
        let draws = 20_000
        var hits: [FaultPlan.Kind: Int] = [:]
        for index in 0..<draws {
            if let kind = plan.requestFault(wallet: "paytm", operation: "inquire", reference: "R\(index)", attempt: 1) { hits[kind, default: 0] += 1 }
        }
        let rate = Double(hits.values.reduce(0, +)) / Double(draws)
        #expect(abs(rate - expected) < 0.015, "drawn \(rate), documented \(expected)")
        for kind in FaultPlan.Kind.requestKinds where plan.rate(kind, wallet: "paytm") > 0 {
            #expect(hits[kind, default: 0] > 0, "\(kind) never drawn")
        }
    }

    @Test func noneInjectsNothingAndUnknownProfilesAreRefused() throws {
        let none = try #require(FaultPlan.profile("none", seed: 1))
        #expect(none.isEmpty)
        #expect((0..<1_000).allSatisfy { none.requestFault(wallet: "gcash", operation: "pay", reference: "R\($0)", attempt: 1) == nil })
        #expect(FaultPlan.profile("mayhem", seed: 1) == nil)
    }

    @Test func magicAmountsGoByTheLastTwoMinorDigits() {
        #expect(FaultPlan.magicFault(minorUnits: 1051) == .serverErrorAfterCommit(500))
        #expect(FaultPlan.magicFault(minorUnits: 1_000_052) == .httpStatus(503))
        #expect(FaultPlan.magicFault(minorUnits: 53) == .unsignedTooManyRequests(processed: false))
        #expect(FaultPlan.magicFault(minorUnits: 1054) == .walletInProcess)
        #expect(FaultPlan.magicFault(minorUnits: 1050) == nil)
        #expect(FaultPlan.magicFault(minorUnits: 1057) == nil)
    }

    @Test func adminNamesParse() {
        #expect(SandboxFault(name: "in-process") == .walletInProcess)
        #expect(SandboxFault(name: "http-status-after-commit:502") == .serverErrorAfterCommit(502))
        #expect(SandboxFault(name: "http-status-after-commit:404") == nil)
        #expect(SandboxFault(name: "slow-body-ms:250") == .slowBody(.milliseconds(250)))
        #expect(SandboxFault(name: "expire-token") == .expireToken)
    }

    // MARK: End to end

    /// A client and a sandbox (with `configure` applied) for `wallet`; shut down after `body`.
    func withClient<T: Sendable>(
        _ wallet: String, snapMode: String = "rsa", configure: (inout WalletSandbox.Configuration) -> Void = { _ in },
        _ body: (WalletSandbox, WalletClient) async throws -> T
    ) async throws -> T {
        try await withSandboxAdapter(
            wallet: wallet, snapMode: snapMode,
            configure: { configuration in
                configuration.notificationRetryInterval = .milliseconds(20)
                configure(&configuration)
            },
            build: { profile, transport -> any WalletAdapter in
                switch wallet {
                case "paytm": return PaytmAdapter(configuration: try PaytmConfiguration(profile: profile), transport: transport)
                case "dana": return SNAPAdapter(configuration: try SNAPConfiguration(profile: profile), transport: transport)
                default: return AlipayPlusAdapter(configuration: try AlipayPlusConfiguration(profile: profile), transport: transport)
                }
            }
        ) { sandbox, adapter in
            try await body(sandbox, fastClient(adapter))
        }
    }

    func request(_ reference: String, _ amount: String, _ currency: Currency, customer: String) throws -> PaymentRequest {
        PaymentRequest(
            merchantReference: reference, amount: try Money(parsing: amount, currency: currency), customer: CustomerCredential(customer),
            orderDescription: "fault plan test")
    }

    @Test(arguments: [
        ("gcash", "10.51", Currency.php), ("gcash", "10.52", .php), ("gcash", "10.53", .php), ("gcash", "10.54", .php), ("gcash", "10.56", .php),
        ("dana", "10000.51", .idr), ("dana", "10000.52", .idr), ("dana", "10000.54", .idr), ("paytm", "10.51", .inr), ("paytm", "10.52", .inr),
    ])
    func aMagicAmountHitsOneRequestAndThePaymentStillSettlesOnce(wallet: String, amount: String, currency: Currency) async throws {
        try await withClient(wallet) { sandbox, client in
            let reference = "MAGIC-\(wallet)-\(amount)"
            var result = try await client.pay(try request(reference, amount, currency, customer: "\(wallet)-pays"))
            if !result.status.isFinal { result = try await client.settle(merchantReference: reference, within: .seconds(3600)) }
            #expect(result.status == .succeeded, "\(wallet) \(amount): \(result.status)")
            let truth = try #require(sandbox.ledgerSnapshot(wallet: wallet).first { $0.merchantReference == reference })
            #expect(truth.charges == 1)
            #expect(truth.state == "succeeded")
            // The first pay was hit: its recorded answer is not what the same pay gets with an
            // amount that is not magic (ending in 50).
            let control = "CONTROL-\(wallet)-\(amount)"
            _ = try await client.pay(try request(control, String(amount.dropLast(2)) + "50", currency, customer: "\(wallet)-pays"))
            func firstPayAnswer(_ reference: String) async throws -> String? {
                let events = try await client.journal.events(JournalEntry.paymentID(wallet: wallet, merchantReference: reference))
                return events.first { $0.operation == "pay" && $0.kind != "attempt" }?.detail
            }
            let hit = try await firstPayAnswer(reference), clean = try await firstPayAnswer(control)
            #expect(hit != nil && clean != nil && hit != clean, "magic \(hit ?? "-"), control \(clean ?? "-")")
        }
    }

    @Test func theLedgerSnapshotCountsChargesRefundsAndCancelsAndIsServedAtItsEndpoint() async throws {
        try await withClient("gcash") { sandbox, client in
            _ = try await client.pay(try request("LEDGER-1", "12.00", .php, customer: "gcash-pays"))
            _ = try await client.refund(
                RefundRequest(merchantReference: "LEDGER-1", refundReference: "LEDGER-1-R1", amount: try Money(parsing: "2.00", currency: .php)))
            _ = try await client.pay(try request("LEDGER-2", "12.00", .php, customer: "gcash-declines"))
            let entries = sandbox.ledgerSnapshot(wallet: "gcash")
            let paid = try #require(entries.first { $0.merchantReference == "LEDGER-1" })
            #expect(paid.charges == 1 && paid.refunds == 1 && paid.refundedMinor == 200 && paid.cancels == 0)
            let declined = try #require(entries.first { $0.merchantReference == "LEDGER-2" })
            #expect(declined.charges == 0 && declined.state == "failed")

            let transport = try CurlTransport()
            let response = try await transport.send(TransportRequest(method: .get, url: "\(sandbox.baseURL)/sandbox/ledger?wallet=gcash"))
            await transport.shutdown()
            #expect(response.status == 200)
            let served = try JSONDecoder().decode([SandboxLedgerEntry].self, from: Data(response.body))
            #expect(served == entries)
        }
    }

    @Test func aSlowBodyStillArrivesWhole() async throws {
        try await withClient("gcash") { sandbox, client in
            sandbox.injectFault(.slowBody(.milliseconds(150)), path: "/aps/api/v1/payments/pay")
            let result = try await client.pay(try request("SLOW-1", "12.00", .php, customer: "gcash-pays"))
            #expect(result.status == .succeeded)
        }
    }

    @Test func anExpiredTokenIsRenewedAndThePaymentGoesThrough() async throws {
        try await withClient("dana", snapMode: "token") { sandbox, client in
            _ = try await client.pay(try request("TOKEN-0", "10000.00", .idr, customer: "dana-pays"))
            let issued = sandbox.snapTokensIssued
            sandbox.injectFault(.expireToken, path: "/payment-gateway/v1.0/debit/payment-host-to-host.htm")
            var result = try await client.pay(try request("TOKEN-1", "10000.00", .idr, customer: "dana-pays"))
            if !result.status.isFinal { result = try await client.settle(merchantReference: "TOKEN-1", within: .seconds(3600)) }
            #expect(result.status == .succeeded)
            #expect(sandbox.snapTokensIssued == issued + 1)
        }
    }

    @Test func notificationFaultsFollowThePlan() async throws {
        for (kind, expectSent) in [(FaultPlan.Kind.notificationNeverSent, 0), (.notificationDuplicated, 2)] {
            try await withClient("gcash", configure: { $0.faultPlan = FaultPlan(seed: 3, defaultRates: [kind: 1.0]) }) { sandbox, client in
                // The client's own signed acknowledgements, so each delivery is acknowledged once.
                let received = Received()
                let webhook = try await WebhookReceiver.start { notification in
                    await received.add(notification.body)
                    return (try? await client.receiveNotification(notification).acknowledgement)
                        ?? NotificationAcknowledgement(status: 400, headerFields: [:], body: [])
                }
                var request = try request("NOTIFY-\(kind.rawValue)", "12.00", .php, customer: "gcash-pays")
                request.notifyURL = webhook.url()
                _ = try await client.pay(request)
                // Deliveries are in the background: wait (bounded) until the plan has drawn and
                // what it says arrived, then a little more for anything extra.
                for _ in 0..<200 where await received.count < expectSent || sandbox.injectedFaults[kind] == nil {
                    try await Task.sleep(for: .milliseconds(10))
                }
                try await Task.sleep(for: .milliseconds(200))
                await webhook.shutdown()
                #expect(await received.count == expectSent, "\(kind)")
                #expect(sandbox.injectedFaults[kind] == 1)
                let delivery = try #require(sandbox.notificationDeliveries.first)
                #expect(delivery.acknowledged == (expectSent > 0))
            }
        }
    }

    @Test func compressedTimeRunsTheSandboxClockFaster() {
        let start = Date(timeIntervalSince1970: 1_000_000)
        let ticks = Ticks(start)
        let clock = WalletSandbox.compressedClock({ ticks.now }, scale: 100)
        ticks.advance(2)
        #expect(clock().timeIntervalSince(start) == 200)
    }
}

/// Notification bodies a webhook received.
actor Received {
    private var bodies: [[UInt8]] = []
    func add(_ body: [UInt8]) { bodies.append(body) }
    func reset() { bodies = [] }
    var count: Int { bodies.count }
}

/// A settable wall clock.
final class Ticks: @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date
    init(_ start: Date) { current = start }
    var now: Date { lock.withLock { current } }
    func advance(_ seconds: TimeInterval) { lock.withLock { current = current.addingTimeInterval(seconds) } }
}
