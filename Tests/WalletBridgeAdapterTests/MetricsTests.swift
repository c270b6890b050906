import CoreMetrics
import Foundation
import MetricsTestKit
import Testing
import WalletBridgeCore
import WalletBridgeSandbox
import WalletBridgeTransport

// MARK: Harness

/// A ``fastClient`` that records its metrics on `metrics` (injected, never bootstrapped).
func metricsClient(
    _ adapter: any WalletAdapter, metrics: TestMetrics, journal: any PaymentJournal = InMemoryPaymentJournal(),
    settleWithin: Duration = .seconds(3600), retry: RetryPolicy = RetryPolicy(), clock: VirtualClock = VirtualClock()
) -> WalletClient {
    WalletClient(
        adapter: adapter, journal: journal,
        configuration: WalletClient.Configuration(retry: retry, settleWithin: settleWithin, clock: clock.policy, jitter: { 0.5 }, metrics: metrics))
}

extension TestMetrics {
    /// The total of counter `walletbridge_<name>` over every handle whose dimensions include `dimensions`.
    func total(_ name: String, _ dimensions: [(String, String)] = []) -> Int64 {
        counterTotal(label: "walletbridge_\(name)", dimensions: dimensions)
    }

    /// Every value recorded by timer `walletbridge_<name>` with exactly `dimensions`.
    func timed(_ name: String, _ dimensions: [(String, String)]) -> [Int64] {
        (try? expectTimer("walletbridge_\(name)", dimensions))?.values ?? []
    }

    /// Every dimension value any `walletbridge_` metric was recorded with, for the cardinality check.
    var dimensionValues: [String] {
        (counters.flatMap(\.dimensions) + timers.flatMap(\.dimensions)).map(\.1)
    }
}

/// A factory that counts the handles it is asked to make (delegating to `TestMetrics`).
final class CountingMetricsFactory: MetricsFactory, @unchecked Sendable {
    let base = TestMetrics()
    private let lock = NSLock()
    private var made: [String: Int] = [:]

    /// How many handles were made for `label`.
    func made(_ label: String) -> Int { lock.withLock { made[label, default: 0] } }
    private func note(_ label: String) { lock.withLock { made[label, default: 0] += 1 } }

    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        note(label)
        return base.makeCounter(label: label, dimensions: dimensions)
    }
    func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        note(label)
        return base.makeFloatingPointCounter(label: label, dimensions: dimensions)
    }
    func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        note(label)
        return base.makeMeter(label: label, dimensions: dimensions)
    }
    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        note(label)
        return base.makeRecorder(label: label, dimensions: dimensions, aggregate: aggregate)
    }
    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        note(label)
        return base.makeTimer(label: label, dimensions: dimensions)
    }
    func destroyCounter(_ handler: any CounterHandler) { base.destroyCounter(handler) }
    func destroyMeter(_ handler: any MeterHandler) { base.destroyMeter(handler) }
    func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) { base.destroyFloatingPointCounter(handler) }
    func destroyRecorder(_ handler: any RecorderHandler) { base.destroyRecorder(handler) }
    func destroyTimer(_ handler: any TimerHandler) { base.destroyTimer(handler) }
}

// MARK: Tests

/// `WalletMetrics` recorded by a `WalletClient` whose configuration names a `TestMetrics`
/// factory, end to end through `CurlTransport` to the sandbox on a virtual clock.
@Suite("Metrics")
struct MetricsTests {
    /// Handles are made once per label and dimension values; copies share the cache.
    @Test func handlesAreMadeOncePerDimensionsAndCached() throws {
        let factory = CountingMetricsFactory()
        let metrics = WalletMetrics(factory: factory)
        let first = metrics.calls(wallet: "gcash", operation: .pay, outcome: .succeeded)
        let again = metrics.calls(wallet: "gcash", operation: .pay, outcome: .succeeded)
        let copy = metrics
        #expect(first === again)
        #expect(copy.calls(wallet: "gcash", operation: .pay, outcome: .succeeded) === first, "a copy shares the cache")
        #expect(first.label == "walletbridge_calls_total")
        #expect(first.dimensions.map(\.0) == ["wallet", "operation", "outcome"])
        #expect(first.dimensions.map(\.1) == ["gcash", "pay", "succeeded"])
        #expect(factory.made("walletbridge_calls_total") == 1)

        let other = metrics.calls(wallet: "gcash", operation: .pay, outcome: .failed)
        #expect(other !== first)
        #expect(metrics.calls(wallet: "dana", operation: .pay, outcome: .succeeded) !== first)
        #expect(factory.made("walletbridge_calls_total") == 3)

        let timer = metrics.callDuration(wallet: "gcash", operation: .inquire, outcome: .pending)
        #expect(metrics.callDuration(wallet: "gcash", operation: .inquire, outcome: .pending) === timer)
        #expect(timer.label == "walletbridge_call_duration_seconds")
        #expect(factory.made("walletbridge_call_duration_seconds") == 1)

        #expect(metrics.retries(wallet: "paytm", operation: .pay).dimensions.map(\.0) == ["wallet", "operation"])
        #expect(metrics.reconciliationsStarted(wallet: "paytm").dimensions.map(\.0) == ["wallet"])
        #expect(metrics.reconciliationsFinished(wallet: "paytm", result: .open).dimensions.map(\.1) == ["paytm", "open"])
        #expect(metrics.callErrors(wallet: "paytm", operation: .refund, category: .timeout).dimensions.map(\.0) == ["wallet", "operation", "error"])
        #expect(metrics.paymentsFinal(wallet: "dana", status: .succeeded)?.dimensions.map(\.0) == ["wallet", "status"])
        #expect(metrics.paymentsFinal(wallet: "dana", status: .pending) == nil, "only final states")
        #expect(
            WalletMetrics(factory: factory, labelPrefix: "shop").attempts(wallet: "dana", operation: .pay, outcome: .error).label
                == "shop_attempts_total")

        // Recording a counter goes to the one handle.
        first.increment()
        again.increment()
        #expect(
            try factory.base.expectCounter("walletbridge_calls_total", [("wallet", "gcash"), ("operation", "pay"), ("outcome", "succeeded")])
                .totalValue == 2)
    }

    /// Only an open → final transition of a payment counts, whatever else the journal reports.
    @Test func onlyATransitionFromOpenToFinalCountsAPaymentFinal() async throws {
        let factory = TestMetrics()
        let metrics = WalletMetrics(factory: factory)
        let journal: any PaymentJournal = InMemoryPaymentJournal()
        let request = payment("WB-final", Money(minorUnits: 1000, currency: .php), customer: "c")
        let intent = JournalEntry.intent(wallet: "gcash", request, at: Date())
        _ = try await journal.begin(intent)
        func record(_ state: JournalEntry.State) async throws {
            let (entry, verdict) = try await journal.recordOutcome(intent.id, JournalOutcome(operation: .inquire, state: state), at: Date())
            metrics.recorded(entry, verdict: verdict)
        }
        try await record(.pending)
        #expect(factory.total("payments_final_total") == 0)
        try await record(.succeeded)
        #expect(factory.total("payments_final_total", [("wallet", "gcash"), ("status", "succeeded")]) == 1)
        try await record(.succeeded)
        try await record(.pending)
        try await record(.failed)
        #expect(factory.total("payments_final_total") == 1, "a replay, a late pending and a contradiction never count")
    }

    /// A GCash payment that succeeds at once: one call, one attempt, one final payment.
    @Test func aSucceededGCashPaymentCountsOneCallOneAttemptOneFinalPayment() async throws {
        try await withWallet(.gcash) { w in
            let clock = VirtualClock()
            let metrics = TestMetrics()
            let client = metricsClient(try walletAdapter(.gcash, w.profile, w.transport, now: { clock.date }), metrics: metrics, clock: clock)
            let ref = reference("metrics-ok")
            #expect(try await client.pay(w.request(ref)).status.isSucceeded)

            let payDims = [("wallet", "gcash"), ("operation", "pay")]
            #expect(metrics.total("calls_total") == 1)
            #expect(metrics.total("calls_total", payDims + [("outcome", "succeeded")]) == 1)
            #expect(metrics.timed("call_duration_seconds", payDims + [("outcome", "succeeded")]).count == 1)
            #expect(metrics.total("attempts_total") == 1)
            #expect(metrics.total("attempts_total", payDims + [("outcome", "succeeded")]) == 1)
            #expect(metrics.total("retries_total") == 0)
            #expect(metrics.total("reconciliations_started_total") == 0)
            #expect(metrics.total("payments_final_total") == 1)
            #expect(metrics.total("payments_final_total", [("wallet", "gcash"), ("status", "succeeded")]) == 1)
            #expect(!metrics.dimensionValues.contains(ref), "a reference is never a dimension")
            #expect(metrics.counters.allSatisfy { $0.label.hasPrefix("walletbridge_") })
        }
    }

    /// A second pay under the same reference is answered from the journal: a call, no attempt,
    /// and the payment is not counted final again.
    @Test func aPayAnsweredFromTheJournalIsACallButNotASecondFinalPayment() async throws {
        try await withWallet(.gcash) { w in
            let clock = VirtualClock()
            let metrics = TestMetrics()
            let wire = WireRecorder(base: w.transport)
            let client = metricsClient(try walletAdapter(.gcash, w.profile, wire, now: { clock.date }), metrics: metrics, clock: clock)
            let ref = reference("metrics-twice")
            #expect(try await client.pay(w.request(ref)).status.isSucceeded)
            #expect(try await client.pay(w.request(ref)).status.isSucceeded)

            #expect(wire.count(SandboxWallet.gcash.payPath) == 1, "answered from the journal")
            #expect(metrics.total("calls_total", [("operation", "pay"), ("outcome", "succeeded")]) == 2)
            #expect(metrics.total("attempts_total") == 1)
            #expect(metrics.total("payments_final_total") == 1)
        }
    }

    /// A pay whose reply is lost (`U`, or HTTP 500 without processing): the reconciliation
    /// settles it with the policy's own calls, each an attempt, and the payment is counted
    /// final exactly once.
    @Test(arguments: [SandboxFault.resultUnknown, .httpStatus(500)])
    func aPayInDoubtCountsItsReconciliationAndOneFinalPayment(_ fault: SandboxFault) async throws {
        try await withWallet(.gcash) { w in
            let clock = VirtualClock()
            let metrics = TestMetrics()
            let journal: any PaymentJournal = InMemoryPaymentJournal()
            let client = metricsClient(
                try walletAdapter(.gcash, w.profile, w.transport, now: { clock.date }), metrics: metrics, journal: journal, clock: clock)
            let ref = reference("metrics-doubt")
            w.sandbox.injectFault(fault, path: SandboxWallet.gcash.payPath)
            let result = try await client.pay(w.request(ref))
            let entry = try #require(try await journal.entry(w.entryID(ref)))
            #expect(entry.state.isFinal, "settled inline: \(entry.state)")
            if fault == .resultUnknown { #expect(result.status.isSucceeded, "\(result.status)") }

            #expect(metrics.total("calls_total") == 1)
            #expect(metrics.total("calls_total", [("operation", "pay"), ("outcome", result.status.name)]) == 1)
            #expect(metrics.total("attempts_total") > metrics.total("calls_total"), "the policy's inquiries are attempts too")
            #expect(metrics.total("attempts_total", [("operation", "pay"), ("outcome", "unknown")]) == 1, "the first attempt's reply was lost")
            #expect(metrics.total("attempts_total", [("operation", "inquire")]) >= 1)
            #expect(metrics.total("reconciliations_started_total", [("wallet", "gcash")]) == 1)
            #expect(metrics.total("reconciliations_finished_total", [("wallet", "gcash"), ("result", entry.state.rawValue)]) == 1)
            #expect(metrics.total("payments_final_total") == 1)
            #expect(metrics.total("payments_final_total", [("status", entry.state.rawValue)]) == 1)
            #expect(!metrics.dimensionValues.contains(ref))
        }
    }

    /// SNAP: a debit throttled before it was processed is resent by DANA's rule: a retry.
    @Test func aResentDANADebitCountsARetry() async throws {
        try await withWallet(.dana) { w in
            let clock = VirtualClock()
            let metrics = TestMetrics()
            let wire = WireRecorder(base: w.transport)
            let client = metricsClient(try walletAdapter(.dana, w.profile, wire, now: { clock.date }), metrics: metrics, clock: clock)
            let ref = reference("metrics-resend")
            w.sandbox.injectFault(.unsignedTooManyRequests(processed: false), path: SandboxWallet.dana.payPath)
            #expect(try await client.pay(w.request(ref)).status.isSucceeded)

            let pays = Int64(wire.count(SandboxWallet.dana.payPath))
            #expect(pays == 2)
            #expect(metrics.total("attempts_total", [("operation", "pay")]) == pays, "one attempt per pay on the wire")
            #expect(metrics.total("retries_total", [("wallet", "dana"), ("operation", "pay")]) == pays - 1)
            #expect(metrics.total("calls_total") == 1)
            #expect(metrics.total("payments_final_total", [("status", "succeeded")]) == 1)
        }
    }

    /// Paytm and DANA answer a pay `pending`: the payment counts final once, when an inquiry
    /// settles it, never on the pending pay nor on later inquiries.
    @Test(arguments: [SandboxWallet.paytm, .dana])
    func aPendingPayCountsFinalOnceWhenItSettles(_ wallet: SandboxWallet) async throws {
        try await withWallet(wallet) { w in
            let clock = VirtualClock()
            let metrics = TestMetrics()
            let client = metricsClient(
                try walletAdapter(wallet, w.profile, w.transport, now: { clock.date }), metrics: metrics, settleWithin: .zero, clock: clock)
            let ref = reference("metrics-pending")
            let started = try await client.pay(w.request(ref, customer: wallet.slowCustomer))
            #expect(started.status.isPending, "\(started.status)")
            #expect(metrics.total("calls_total", [("operation", "pay"), ("outcome", "pending")]) == 1)
            #expect(metrics.total("payments_final_total") == 0, "a pending pay is not final")

            var inquiries = 0
            var status = started.status
            while !status.isFinal, inquiries < 8 {
                status = try await client.inquire(PaymentQuery(merchantReference: ref)).status
                inquiries += 1
            }
            #expect(status.isSucceeded, "\(status)")
            #expect(metrics.total("payments_final_total", [("wallet", wallet.rawValue), ("status", "succeeded")]) == 1)
            _ = try await client.inquire(PaymentQuery(merchantReference: ref))
            #expect(metrics.total("payments_final_total") == 1, "a later inquiry does not count it again")
            #expect(metrics.total("calls_total", [("operation", "inquire")]) == Int64(inquiries + 1))
            #expect(metrics.total("calls_total", [("operation", "inquire"), ("outcome", "pending")]) == Int64(inquiries - 1))
        }
    }

    /// GCash settling gives up at its deadline (`open`); recovery settles the payment later,
    /// through the same chain, and that is when it counts final.
    @Test func recoveryCountsItsReconciliationAndTheFinalPayment() async throws {
        try await withWallet(.gcash) { w in
            let clock = VirtualClock()
            let metrics = TestMetrics()
            let journal: any PaymentJournal = InMemoryPaymentJournal()
            let client = metricsClient(
                try walletAdapter(.gcash, w.profile, w.transport, now: { clock.date }), metrics: metrics, journal: journal,
                settleWithin: .seconds(10), clock: clock)
            let ref = reference("metrics-recover")
            w.sandbox.injectFault(.resultUnknown, path: SandboxWallet.gcash.payPath)
            w.sandbox.injectFault(.resultUnknown, path: SandboxWallet.gcash.inquiryPath, count: 500)
            #expect(try await client.pay(w.request(ref)).status.name == "unknown")
            #expect(metrics.total("calls_total", [("operation", "pay"), ("outcome", "unknown")]) == 1)
            #expect(metrics.total("reconciliations_finished_total", [("result", "open")]) == 1)
            #expect(metrics.total("payments_final_total") == 0)
            let attemptsBefore = metrics.total("attempts_total")

            w.sandbox.clearFaults()
            let report = try await client.recoverPending()
            #expect(report.reconciled == 1)
            #expect(metrics.total("calls_total") == 1, "recovery is not a caller's call")
            #expect(metrics.total("attempts_total") > attemptsBefore, "recovery's inquiries are attempts")
            #expect(metrics.total("reconciliations_started_total") == 2)
            #expect(metrics.total("reconciliations_finished_total", [("result", "succeeded")]) == 1)
            #expect(metrics.total("payments_final_total", [("status", "succeeded")]) == 1)
            #expect(metrics.total("retries_total", [("operation", "pay")]) == 0, "recovery never pays again")
        }
    }

    /// A payment the journal holds pending, made final by the wallet's notification: counted
    /// once, however often the notification is delivered.
    @Test(arguments: SandboxWallet.allCases)
    func aNotificationThatFinalizesAPaymentCountsItOnce(_ wallet: SandboxWallet) async throws {
        try await withWallet(wallet) { w in
            try await withWebhook(w) { inbox, receiver in
                let metrics = TestMetrics()
                let journal: any PaymentJournal = InMemoryPaymentJournal()
                let client = metricsClient(w.adapter, metrics: metrics, journal: journal, settleWithin: .zero)
                let ref = reference("metrics-notify")
                let inbound = try await w.payPendingThenDecide(client, ref, inbox: inbox, receiver: receiver)
                #expect(metrics.total("payments_final_total") == 0)

                #expect(try await client.receiveNotification(inbound).disposition == .apply)
                #expect(try await journal.entry(w.entryID(ref))?.state == .succeeded)
                #expect(metrics.total("payments_final_total", [("wallet", wallet.rawValue), ("status", "succeeded")]) == 1)
                #expect(try await client.receiveNotification(inbound).disposition == .duplicate)
                #expect(metrics.total("payments_final_total") == 1, "a redelivery does not count again")
            }
        }
    }

    /// Thrown calls count as `error`, with their category on the separate errors counter.
    @Test func aThrownCallCountsAnErrorByCategory() async throws {
        try await withWallet(.gcash) { w in
            let clock = VirtualClock()
            let metrics = TestMetrics()
            var closed = w.profile
            closed.baseURL = "http://127.0.0.1:1"
            let client = metricsClient(
                try walletAdapter(.gcash, closed, w.transport, now: { clock.date }), metrics: metrics, retry: secondsApartRetry, clock: clock)
            let ref = reference("metrics-refused")
            let error = await #expect(throws: WalletError.self) { _ = try await client.pay(w.request(ref)) }
            let category = try #require(error?.category)

            #expect(metrics.total("calls_total", [("operation", "pay"), ("outcome", "error")]) == 1)
            #expect(metrics.total("call_errors_total", [("wallet", "gcash"), ("operation", "pay"), ("error", category.rawValue)]) == 1)
            let attempts = Int64(secondsApartRetry.maxAttempts)
            #expect(metrics.total("attempts_total", [("operation", "pay"), ("outcome", "error")]) == attempts)
            #expect(metrics.total("retries_total", [("operation", "pay")]) == attempts - 1)
            #expect(metrics.total("payments_final_total") == 0)
        }
    }

    /// Without a factory nothing is recorded, and nothing else changes.
    @Test func withoutAFactoryNothingIsRecorded() async throws {
        try await withWallet(.gcash) { w in
            let unused = TestMetrics()
            let clock = VirtualClock()
            let configuration = WalletClient.Configuration(settleWithin: .seconds(3600), clock: clock.policy, jitter: { 0.5 })
            #expect(configuration.metrics == nil)
            let client = WalletClient(adapter: try walletAdapter(.gcash, w.profile, w.transport, now: { clock.date }), configuration: configuration)
            #expect(client.metrics == nil)
            let ref = reference("metrics-none")
            w.sandbox.injectFault(.resultUnknown, path: SandboxWallet.gcash.payPath)
            #expect(try await client.pay(w.request(ref)).status.isSucceeded)
            #expect(try await client.pay(w.request(ref)).status.isSucceeded)
            #expect(try await client.inquire(PaymentQuery(merchantReference: ref)).status.isSucceeded)
            #expect(try await client.recoverPending().openBefore == 0)
            #expect(unused.counters.isEmpty && unused.timers.isEmpty)
        }
    }
}
