import Foundation
import WalletBridgeSandbox

/// A simulation's figures, every payment judged against the sandbox's ledger (the ground truth).
struct SimulationReport: Sendable {
    var payments = 0
    var succeeded = 0
    var failed = 0
    var cancelled = 0
    var unknownBeforeReconcile = 0
    var unknownAfterReconcile = 0
    /// References the ledger charged more than once.
    var duplicates: [String] = []
    /// References where the client disagrees with the ledger about money, in its final state or
    /// in a final answer the caller was given first: a charge not reported as `succeeded`, a
    /// `succeeded` the ledger did not charge, or `failed`/`cancelled` while the wallet still
    /// holds the payment open.
    var lost: [String] = []
    /// References whose final state is not the ledger's (lost ones included).
    var incorrect: [String] = []
    var retries = 0
    var canPay = 0
    var succeededOfCanPay = 0
    var p50: Duration = .zero
    var p99: Duration = .zero
    var seed: UInt64 = 0
    /// References still open at the end.
    var unresolved: [String] = []
    /// Payers that did not succeed, by the first fault drawn for their pay (`client:…` from the
    /// client's transport, `wallet:…` from the sandbox's plan, `none` when their pay was not hit).
    var notSucceededByFault: [String: Int] = [:]
    /// Faults injected during the run, by side and kind (`client:reply-lost`, `wallet:429`…).
    var faultsInjected: [String: Int] = [:]
    /// Notifications the sandbox started, and how many were acknowledged (in process only).
    var notifications: (sent: Int, acknowledged: Int)?
    /// Payments whose customer could pay that did not succeed: reference, final status, why.
    var payersNotSucceeded: [(reference: String, status: String, reason: String)] = []

    /// Judges `outcomes` against the ledger's entries.
    init(outcomes: [SimulatedOutcome], ledger: [SandboxLedgerEntry], seed: UInt64) {
        self.seed = seed
        let truth = Dictionary(ledger.map { ($0.merchantReference, $0) }, uniquingKeysWith: { first, _ in first })
        payments = outcomes.count
        for outcome in outcomes {
            let reference = outcome.payment.reference
            switch outcome.final {
            case "succeeded": succeeded += 1
            case "failed": failed += 1
            case "cancelled": cancelled += 1
            default:
                unknownAfterReconcile += 1
                unresolved.append(reference)
            }
            if outcome.first != "succeeded", outcome.first != "failed", outcome.first != "cancelled" { unknownBeforeReconcile += 1 }
            retries += outcome.retries
            if outcome.payment.canPay {
                canPay += 1
                if outcome.final == "succeeded" {
                    succeededOfCanPay += 1
                } else {
                    payersNotSucceeded.append((reference, outcome.final, outcome.reason ?? "no reason recorded"))
                }
            }
            let entry = truth[reference]
            let charges = entry?.charges ?? 0
            if charges > 1 { duplicates.append(reference) }
            let charged = charges > 0 && entry?.state == "succeeded"
            let agrees: Bool
            switch outcome.final {
            case "succeeded": agrees = charged
            case "failed", "cancelled":
                // Nothing charged, and the wallet agrees it is over (or never heard of it).
                agrees = !charged && charges == 0 && (entry == nil || entry?.state == "failed" || entry?.state == "cancelled")
            default: agrees = false
            }
            // What the caller was told, when it was final, is judged too: a caller told
            // `failed` whose payment then succeeds was told something the wallet never proved.
            let toldFirst = ["succeeded", "failed", "cancelled"].contains(outcome.first) ? outcome.first : nil
            if !agrees || (toldFirst != nil && toldFirst != outcome.final) { incorrect.append(reference) }
            // Lost: the client and the ledger disagree about money, in what the caller was told
            // or in the final state. A payment the wallet still holds open may yet charge.
            let pendingAtWallet = entry?.state == "processing"
            func disagrees(_ status: String) -> Bool {
                switch status {
                case "succeeded": return !charged
                case "failed", "cancelled": return charged || pendingAtWallet
                default: return charged
                }
            }
            if disagrees(outcome.final) || toldFirst.map(disagrees) == true { lost.append(reference) }
        }
        let latencies = outcomes.map(\.latency).sorted()
        p50 = Self.percentile(latencies, 0.50)
        p99 = Self.percentile(latencies, 0.99)
    }

    var successRate: Double { canPay == 0 ? 1 : Double(succeededOfCanPay) / Double(canPay) }
    var correctRate: Double { payments == 0 ? 1 : Double(payments - incorrect.count) / Double(payments) }

    /// Whether the run broke the promise: a double charge, a lost payment, or one left open.
    var brokePromise: Bool { !duplicates.isEmpty || !lost.isEmpty || unknownAfterReconcile > 0 }

    static func percentile(_ sorted: [Duration], _ p: Double) -> Duration {
        guard !sorted.isEmpty else { return .zero }
        let index = min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)
        return sorted[max(0, index)]
    }

    static func millis(_ duration: Duration) -> Double {
        let parts = duration.components
        return (Double(parts.seconds) * 1000 + Double(parts.attoseconds) / 1e15).rounded(toPlaces: 1)
    }

    /// The report's keys, as JSON values (numbers as numbers).
    var json: [String: Any] {
        [
            "payments": payments, "succeeded": succeeded, "failed": failed, "cancelled": cancelled,
            "unknown_before_reconcile": unknownBeforeReconcile, "unknown_after_reconcile": unknownAfterReconcile,
            "duplicates": duplicates.count, "lost": lost.count, "retries": retries,
            "success_rate": successRate.rounded(toPlaces: 5), "correct_rate": correctRate.rounded(toPlaces: 5),
            "p50_ms": Self.millis(p50), "p99_ms": Self.millis(p99), "seed": seed,
            "not_succeeded_by_fault": notSucceededByFault, "faults_injected": faultsInjected,
            "notifications_sent": notifications?.sent ?? 0, "notifications_acknowledged": notifications?.acknowledged ?? 0,
        ]
    }

    /// Human-readable lines.
    func lines(title: String) -> [String] {
        func percent(_ value: Double) -> String { String(format: "%.2f%%", value * 100) }
        var lines = [title]
        lines.append("  payments \(payments): succeeded \(succeeded), failed \(failed), cancelled \(cancelled)")
        lines.append("  unknown before reconcile \(unknownBeforeReconcile), after \(unknownAfterReconcile)")
        lines.append("  duplicates \(duplicates.count), lost \(lost.count), retries \(retries)")
        lines.append("  success rate \(percent(successRate)) (of \(canPay) payments whose customer could pay), correct \(percent(correctRate))")
        lines.append("  latency p50 \(Self.millis(p50)) ms, p99 \(Self.millis(p99)) ms")
        let injected: [String] = faultsInjected.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
        lines.append("  faults injected: " + injected.joined(separator: ", "))
        if let notifications { lines.append("  notifications: \(notifications.sent) sent, \(notifications.acknowledged) acknowledged") }
        if !notSucceededByFault.isEmpty {
            let causes: [String] = notSucceededByFault.sorted { $0.value > $1.value }.map { "\($0.key) \($0.value)" }
            lines.append("  payers not succeeded, by the first fault on their pay (or its inquiries): " + causes.joined(separator: ", "))
        }
        for payer in payersNotSucceeded.prefix(10) { lines.append("  payer not succeeded: \(payer.reference) \(payer.status): \(payer.reason)") }
        return lines
    }
}

extension Double {
    func rounded(toPlaces places: Int) -> Double {
        let factor = pow(10, Double(places))
        return (self * factor).rounded() / factor
    }
}
