import Foundation
import WalletBridgeCore
import WalletBridgeHTTP
import WalletBridgeSandbox
import WalletBridgeTesting

/// One simulated payment: who pays, how much, and whether that customer can pay at all.
struct SimulatedPayment: Sendable {
    var reference: String
    var customer: String
    var amount: Money
    /// False for the customers known not to pay (low balance, declines).
    var canPay: Bool
    /// Where the wallet sends its notifications.
    var notifyURL: String?

    /// The `index`-th payment of a run: customers and amounts drawn from the seed. Amounts
    /// end in 00–49 minor units, so they never hit a magic amount (51–56).
    static func make(_ index: Int, wallet: String, seed: UInt64, prefix: String) throws -> SimulatedPayment {
        let draw = SeededDraw.unit(seed: seed, "customer", wallet, String(index))
        let kind: String
        switch draw {
        case ..<0.80: kind = "pays"
        case ..<0.85: kind = "slow"
        case ..<0.92: kind = "low-balance"
        default: kind = "declines"
        }
        let currency: Currency
        switch wallet {
        case "paytm": currency = .inr
        case "dana": currency = .idr
        case "tng": currency = .myr
        default: currency = .php
        }
        // Whole units: 1–20 (PHP, INR, MYR) or 1,000–4,999 (IDR) for payers; above the low
        // balance (5.00 / 5,000) for the low-balance customer.
        let whole: Int64
        let pick = SeededDraw.unit(seed: seed, "amount", wallet, String(index))
        switch (kind, currency == .idr) {
        case ("low-balance", false): whole = 6 + Int64(pick * 4)
        case ("low-balance", true): whole = 6_000 + Int64(pick * 3_000)
        case (_, false): whole = 1 + Int64(pick * 20)
        case (_, true): whole = 1_000 + Int64(pick * 4_000)
        }
        let cents = Int64(SeededDraw.unit(seed: seed, "cents", wallet, String(index)) * 50)
        return SimulatedPayment(
            reference: "\(prefix)\(index)", customer: "\(wallet)-\(kind)", amount: Money(minorUnits: whole * 100 + cents, currency: currency),
            canPay: kind == "pays" || kind == "slow", notifyURL: nil)
    }

    var request: PaymentRequest {
        PaymentRequest(
            merchantReference: reference, amount: amount, customer: CustomerCredential(customer), orderDescription: "walletbridge simulate",
            notifyURL: notifyURL)
    }
}

/// What one client made of one payment.
struct SimulatedOutcome: Sendable {
    var payment: SimulatedPayment
    /// The status the caller saw when its own call returned (pay, then settling inline).
    var first: String
    /// The status after the end-of-run reconciliation.
    var final: String
    /// Wall time of the caller's call.
    var latency: Duration
    /// Times the pay was sent again under its reference with the identical body (from the
    /// journal; the naive client never resends).
    var retries: Int
    /// Why it did not succeed, when it did not (the error's category and message).
    var reason: String?
}

/// Drives payments through a client, `concurrency` at a time.
enum SimulationDriver {
    /// Runs `body` for every payment, at most `concurrency` at once; outcomes in payment order.
    static func run(
        _ payments: [SimulatedPayment], concurrency: Int, progress: SimulationProgress,
        _ body: @escaping @Sendable (SimulatedPayment) async -> SimulatedOutcome
    ) async -> [SimulatedOutcome] {
        var outcomes = [SimulatedOutcome?](repeating: nil, count: payments.count)
        await withTaskGroup(of: (Int, SimulatedOutcome).self) { group in
            var next = 0
            func add() {
                let index = next
                let payment = payments[index]
                group.addTask { (index, await body(payment)) }
                next += 1
            }
            while next < min(max(1, concurrency), payments.count) { add() }
            for await (index, outcome) in group {
                outcomes[index] = outcome
                progress.advance()
                if next < payments.count { add() }
            }
        }
        return outcomes.compactMap { $0 }
    }

    /// WalletBridge: `pay` through the client (retries, reconciliation, journal); an open
    /// answer is settled by the wallet's rule within `settleWithin`.
    static func walletBridge(_ client: WalletClient, settleWithin: Duration) -> @Sendable (SimulatedPayment) async -> SimulatedOutcome {
        { payment in
            let clock = ContinuousClock()
            let start = clock.now
            var status: String
            do throws(WalletError) {
                var result = try await client.pay(payment.request)
                if !result.status.isFinal {
                    result = (try? await client.settle(merchantReference: payment.reference, within: settleWithin)) ?? result
                }
                status = result.status.name
            } catch {
                status = error.mayHaveCharged ? "unknown" : "failed"
            }
            return SimulatedOutcome(payment: payment, first: status, final: status, latency: start.duration(to: clock.now), retries: 0, reason: nil)
        }
    }

    /// The naive client: one attempt, no retry, no reconciliation. A pending answer is polled
    /// with inquiries as the wallet's documentation asks, every `interval` for up to `window`;
    /// an unknown outcome, or an inquiry that fails, stays unknown.
    static func naive(
        _ adapter: any WalletAdapter, interval: Duration, window: Duration, clock policy: PolicyClock
    ) -> @Sendable (SimulatedPayment) async -> SimulatedOutcome {
        { payment in
            let clock = ContinuousClock()
            let start = clock.now
            var status: PaymentStatus
            var walletReference: String?
            // Bound as WalletClient binds it, so the client-side faults are drawn per reference.
            func call<T: Sendable>(_ operation: String, _ body: () async throws(WalletError) -> T) async throws(WalletError) -> T {
                let result = await RequestContext.$current.withValue(RequestContext(operation: operation, key: payment.reference)) {
                    () async -> Result<T, WalletError> in
                    do throws(WalletError) { return .success(try await body()) } catch { return .failure(error) }
                }
                return try result.get()
            }
            do throws(WalletError) {
                let result = try await call("pay") { () async throws(WalletError) in try await adapter.pay(payment.request) }
                status = result.status
                walletReference = result.walletReference
            } catch {
                status = error.mayHaveCharged ? .unknown(error) : .failed(error)
            }
            let watch = policy.stopwatch()
            while case .pending = status, watch.elapsed < window {
                await policy.sleep(for: interval)
                do throws(WalletError) {
                    let query = PaymentQuery(merchantReference: payment.reference, walletReference: walletReference, expectedAmount: payment.amount)
                    let answer = try await call("inquire") { () async throws(WalletError) in try await adapter.inquire(query) }
                    status = answer.status
                    walletReference = walletReference ?? answer.walletReference
                } catch {
                    status = .unknown(error)
                }
            }
            return SimulatedOutcome(
                payment: payment, first: status.name, final: status.name, latency: start.duration(to: clock.now), retries: 0,
                reason: status.error.map { "\($0.category.rawValue): \($0.message)" })
        }
    }

    /// Settles every payment the journal still holds open, `concurrency` at a time, for up
    /// to `passes` passes; then reads each payment's final state and attempts from the journal.
    static func reconcile(
        _ client: WalletClient, _ outcomes: [SimulatedOutcome], concurrency: Int, within: Duration, passes: Int = 3
    ) async -> [SimulatedOutcome] {
        for _ in 0..<passes {
            let open = (try? await client.journal.openEntries(wallet: client.adapter.walletName)) ?? []
            let payments = open.filter { $0.kind == .payment }.map(\.merchantReference)
            if payments.isEmpty { break }
            await withTaskGroup(of: Void.self) { group in
                var next = 0
                func add() {
                    let reference = payments[next]
                    group.addTask { _ = try? await client.settle(merchantReference: reference, within: within) }
                    next += 1
                }
                while next < min(max(1, concurrency), payments.count) { add() }
                for await _ in group where next < payments.count { add() }
            }
        }
        var settled: [SimulatedOutcome] = []
        for var outcome in outcomes {
            let id = JournalEntry.paymentID(wallet: client.adapter.walletName, merchantReference: outcome.payment.reference)
            if let entry = try? await client.journal.entry(id) {
                let result = entry.paymentResult
                outcome.final = result.status.name
                outcome.retries = max(0, entry.attempts - 1)
                if let error = result.status.error ?? result.lastError { outcome.reason = "\(error.category.rawValue): \(error.message)" }
            }
            settled.append(outcome)
        }
        return settled
    }
}

/// A progress bar on stderr, drawn only when stderr is a terminal.
final class SimulationProgress: @unchecked Sendable {
    private let lock = NSLock()
    private let total: Int
    private let label: String
    private var done = 0
    private var lastDrawn = ContinuousClock.now
    private let enabled: Bool

    init(total: Int, label: String) {
        self.total = total
        self.label = label
        enabled = isatty(STDERR_FILENO) == 1
    }

    func advance() {
        guard enabled else { return }
        lock.withLock {
            done += 1
            let now = ContinuousClock.now
            guard done == total || lastDrawn.duration(to: now) > .milliseconds(100) else { return }
            lastDrawn = now
            let width = 30
            let filled = total == 0 ? width : done * width / total
            let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
            FileHandle.standardError.write(Data("\r\(label) [\(bar)] \(done)/\(total)".utf8))
            if done == total { FileHandle.standardError.write(Data("\n".utf8)) }
        }
    }
}
