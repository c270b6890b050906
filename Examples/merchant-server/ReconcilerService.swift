import Logging
import CoreMetrics
import ServiceLifecycle
import WalletBridgeCore

/// Runs the SDK's `PaymentReconciler` as a service of the group, the way
/// `PaymentReconciler.run()` does (a sweep at start, then one every interval, until graceful
/// shutdown), and counts what each sweep did in `/metrics`:
/// `merchant_reconciler_sweeps_total`, `merchant_reconciler_reconciled_total{wallet}` and
/// `merchant_reconciler_taken_over_total{wallet}` (entries taken over from an instance whose
/// lease expired).
struct ReconcilerService: Service {
    /// One reconciler per wallet, so that each sweep's report is known to be that wallet's.
    let reconcilers: [PaymentReconciler]
    let interval: Duration
    let metrics: any MetricsFactory
    let logger: Logger

    /// - Parameter makeReconciler: The SDK's reconciler for some clients.
    init(
        clients: [WalletClient], interval: Duration, metrics: any MetricsFactory, logger: Logger,
        makeReconciler: ([WalletClient]) -> PaymentReconciler
    ) {
        reconcilers = clients.map { makeReconciler([$0]) }
        self.interval = interval
        self.metrics = metrics
        self.logger = logger
    }

    func run() async throws {
        guard let clock = reconcilers.first?.clients.first?.configuration.clock else { return }
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                for reconciler in reconcilers where !Task.isCancelled {
                    guard let client = reconciler.clients.first, let report = await reconciler.sweep().first else { continue }
                    record(report, wallet: client.adapter.walletName)
                }
                Counter(label: "merchant_reconciler_sweeps_total", factory: metrics).increment()
                await clock.sleep(for: interval)
            }
        }
    }

    func record(_ report: RecoveryReport, wallet: String) {
        let takenOver = Self.takenOver(report)
        Counter(label: "merchant_reconciler_reconciled_total", dimensions: [("wallet", wallet)], factory: metrics).increment(by: report.reconciled)
        Counter(label: "merchant_reconciler_taken_over_total", dimensions: [("wallet", wallet)], factory: metrics).increment(by: takenOver)
        if report.openBefore > 0 {
            logger.info(
                "reconciler sweep",
                metadata: [
                    "wallet": "\(wallet)", "openBefore": "\(report.openBefore)", "reconciled": "\(report.reconciled)",
                    "stillOpen": "\(report.stillOpen)", "takenOver": "\(takenOver)",
                ])
        }
    }

    /// Entries the sweep took over from an expired lease.
    static func takenOver(_ report: RecoveryReport) -> Int { report.takenOver }
}
