import Foundation
import Logging
import ServiceLifecycle

/// What a recovery pass did.
public struct RecoveryReport: Sendable, Equatable {
    /// Open entries when the pass began.
    public var openBefore: Int
    /// Entries the pass settled (final now).
    public var reconciled: Int
    /// Entries still open (the wallet has not decided, or could not be asked).
    public var stillOpen: Int
    /// The merchant references still open.
    public var openReferences: [String]

    /// Creates a report.
    public init(openBefore: Int, reconciled: Int, stillOpen: Int, openReferences: [String]) {
        self.openBefore = openBefore
        self.reconciled = reconciled
        self.stillOpen = stillOpen
        self.openReferences = openReferences
    }
}

extension WalletClient {
    /// Settles every payment and refund of this wallet the journal holds open: what a killed
    /// process left behind, or what an earlier call returned `unknown` or `pending`.
    ///
    /// Recovery inquires, and cancels where the wallet's rule says so; it never pays again. An
    /// entry whose attempts provably never reached the wallet is closed as failed without a
    /// call. A refund is read back with a refund inquiry, or (for wallets without one) by
    /// resending the identical refund under its reference.
    /// - Parameters:
    ///   - within: How long each payment may take to settle (default: the rule's window).
    ///   - correlationID: Ties the pass's log lines together; a fresh one by default.
    public func recoverPending(within: Duration? = nil, correlationID: String? = nil) async throws(WalletError) -> RecoveryReport {
        let open: [JournalEntry]
        do {
            open = try await journal.openEntries(wallet: adapter.walletName)
        } catch {
            throw WalletError(.journalUnavailable, "the payment journal could not be read: \(error)", mayHaveCharged: false)
        }
        var stillOpen: [String] = []
        var log = context(correlationID, origin: .recovery).logger
        log[metadataKey: "openBefore"] = "\(open.count)"
        for listed in open {
            if Task.isCancelled {
                stillOpen.append(listed.refundReference ?? listed.merchantReference)
                continue
            }
            // Re-read: the list may be minutes old by the time this entry's turn comes.
            guard let entry = try? await journal.entry(listed.id) else {
                stillOpen.append(listed.refundReference ?? listed.merchantReference)
                continue
            }
            if entry.state.isFinal { continue }
            let settled = await recover(entry, within: within ?? reconciliationRule.window + .seconds(5), correlationID: correlationID)
            if !settled { stillOpen.append(entry.refundReference ?? entry.merchantReference) }
        }
        let report = RecoveryReport(
            openBefore: open.count, reconciled: open.count - stillOpen.count, stillOpen: stillOpen.count, openReferences: stillOpen)
        log.info("recovery pass finished", metadata: ["reconciled": "\(report.reconciled)", "stillOpen": "\(report.stillOpen)"])
        return report
    }

    /// Settles one open entry; true when it is final afterwards.
    func recover(_ entry: JournalEntry, within: Duration, correlationID: String?) async -> Bool {
        let context = context(correlationID, origin: .recovery)
        let now = configuration.clock.now()
        if !entry.mayHaveReachedWallet {
            // Nothing ever left this process for it: close it without asking the wallet. The
            // journal re-checks that inside its transaction (a resend may have started since).
            let error = WalletError(.partnerUnavailable, "no attempt reached the wallet; nothing was charged", mayHaveCharged: false)
            var outcome = JournalOutcome(operation: entry.kind == .payment ? .pay : .refund, state: .failed, error: error)
            outcome.onlyIfNeverSent = true
            if let (closed, verdict) = try? await journal.recordOutcome(entry.id, outcome, at: now) {
                metrics?.recorded(closed, verdict: verdict)
                if closed.state.isFinal { return true }
            }
            // It was sent meanwhile: settle it like any other open entry, from a fresh read.
            guard let fresh = try? await journal.entry(entry.id), !fresh.state.isFinal else { return true }
            return await recover(fresh, within: within, correlationID: correlationID)
        }
        let next = policyChain
        switch entry.kind {
        case .payment:
            _ = await settleEntry(entry, within: within, context: context)
        case .refund:
            guard let refundReference = entry.refundReference, let amount = entry.amount else { return false }
            if adapter.capabilities.supports(.inquireRefund) {
                let query = RefundQuery(
                    refundReference: refundReference, walletRefundReference: entry.walletRefundReference,
                    merchantReference: entry.merchantReference, expectedAmount: amount)
                _ = try? await next(.inquireRefund(query), context)
            } else {
                let request = RefundRequest(
                    merchantReference: entry.merchantReference, walletReference: entry.walletReference,
                    refundReference: refundReference, amount: amount, reason: entry.pinned.reason)
                _ = try? await next(.refund(request), context)
            }
        }
        return (try? await journal.entry(entry.id))?.state.isFinal ?? false
    }
}

/// Keeps the journal settled, as a swift-service-lifecycle `Service` beside your server: on
/// start it resumes every open entry (what a crash left), then sweeps every ``interval``,
/// and purges final entries older than the client's retention. It stops on graceful shutdown.
public struct PaymentReconciler: Service {
    /// The clients whose journals it settles (one per wallet).
    public let clients: [WalletClient]
    /// Time between sweeps.
    public let interval: Duration

    /// Creates a reconciler.
    public init(clients: [WalletClient], interval: Duration = .seconds(30)) {
        self.clients = clients
        self.interval = interval
    }

    /// One sweep over every client: recover, then purge past retention.
    @discardableResult
    public func sweep() async -> [RecoveryReport] {
        var reports: [RecoveryReport] = []
        for client in clients {
            if let report = try? await client.recoverPending() { reports.append(report) }
            let retention = client.configuration.retention.components
            let cutoff = client.configuration.clock.now().addingTimeInterval(-(Double(retention.seconds) + Double(retention.attoseconds) / 1e18))
            _ = try? await client.journal.purge(before: cutoff)
        }
        return reports
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await sweep()
                guard let clock = clients.first?.configuration.clock else { return }
                await clock.sleep(for: interval)
            }
        }
    }
}
