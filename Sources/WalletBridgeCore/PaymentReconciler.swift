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
    /// Entries this pass took over from another reconciler whose lease had expired (an
    /// instance that died or stalled mid-reconciliation); 0 without leases.
    public var takenOver: Int = 0

    /// Creates a report.
    public init(openBefore: Int, reconciled: Int, stillOpen: Int, openReferences: [String]) {
        self.openBefore = openBefore
        self.reconciled = reconciled
        self.stillOpen = stillOpen
        self.openReferences = openReferences
    }

    /// Creates a report that counts takeovers.
    public init(openBefore: Int, reconciled: Int, stillOpen: Int, openReferences: [String], takenOver: Int) {
        self.init(openBefore: openBefore, reconciled: reconciled, stillOpen: stillOpen, openReferences: openReferences)
        self.takenOver = takenOver
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

    /// Settles the open payments and refunds of this wallet that no other reconciler is working
    /// on: like ``recoverPending(within:correlationID:)``, but each entry is first leased in the
    /// journal to `leaseOwner` for `leaseDuration`
    /// (``PaymentJournal/leaseOpenEntries(wallet:owner:limit:for:at:)``), `batchSize` at a time;
    /// the lease of an entry settled is given back at once, that of one still open when the pass
    /// ends (so a batch never meets an entry this pass already tried). Several processes sharing one
    /// journal (PostgreSQL) can run it at once: no entry is reconciled by two of them, and an
    /// entry whose lease expired (its reconciler died) is taken over and counted in
    /// ``RecoveryReport/takenOver``. With a journal one process owns it behaves like
    /// ``recoverPending(within:correlationID:)``.
    /// - Parameters:
    ///   - within: How long each payment may take to settle (default: the rule's window).
    ///   - correlationID: Ties the pass's log lines together; a fresh one by default.
    ///   - leaseOwner: Who reconciles: unique per process (a ``PaymentReconciler`` passes its
    ///     ``PaymentReconciler/owner``).
    ///   - leaseDuration: How long a lease holds; longer than one batch takes to settle.
    ///   - batchSize: How many entries to lease at a time.
    public func recoverPending(
        within: Duration? = nil, correlationID: String? = nil, leaseOwner: String, leaseDuration: Duration = .seconds(300), batchSize: Int = 32
    ) async throws(WalletError) -> RecoveryReport {
        var log = context(correlationID, origin: .recovery).logger
        log[metadataKey: "leaseOwner"] = "\(leaseOwner)"
        var seen: Set<JournalEntry.ID> = []
        var held: [JournalEntry.ID] = []
        var stillOpen: [String] = []
        var openBefore = 0
        var takenOver = 0
        while !Task.isCancelled {
            let leases: [JournalLease]
            do {
                leases = try await journal.leaseOpenEntries(
                    wallet: adapter.walletName, owner: leaseOwner, limit: max(1, batchSize), for: leaseDuration, at: configuration.clock.now())
            } catch {
                if openBefore == 0 {
                    throw WalletError(.journalUnavailable, "the payment journal could not be read: \(error)", mayHaveCharged: false)
                }
                log.warning("could not lease more entries", metadata: ["error": "\(error)"])
                break
            }
            let fresh = leases.filter { seen.insert($0.entry.id).inserted }
            if fresh.isEmpty { break }
            for lease in fresh {
                openBefore += 1
                if lease.isTakeover {
                    takenOver += 1
                    log.notice(
                        "took over an entry whose lease expired",
                        metadata: ["entry": "\(lease.entry.id)", "previousOwner": "\(lease.previousOwner ?? "")"])
                }
                let entry = lease.entry
                let settled: Bool
                if Task.isCancelled {
                    settled = false
                } else if let current = try? await journal.entry(entry.id), !current.state.isFinal {
                    settled = await recover(current, within: within ?? reconciliationRule.window + .seconds(5), correlationID: correlationID)
                } else {
                    settled = true
                }
                if settled {
                    try? await journal.releaseLease(entry.id, owner: leaseOwner)
                } else {
                    // Held until the pass ends, so the next batch reaches entries beyond it.
                    stillOpen.append(entry.refundReference ?? entry.merchantReference)
                    held.append(entry.id)
                }
            }
        }
        for id in held { try? await journal.releaseLease(id, owner: leaseOwner) }
        let report = RecoveryReport(
            openBefore: openBefore, reconciled: openBefore - stillOpen.count, stillOpen: stillOpen.count, openReferences: stillOpen,
            takenOver: takenOver)
        log.info(
            "recovery pass finished",
            metadata: ["reconciled": "\(report.reconciled)", "stillOpen": "\(report.stillOpen)", "takenOver": "\(report.takenOver)"])
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
    /// Who this reconciler is in the journal's leases: unique per process, so that reconcilers
    /// of several processes sharing one journal never work on the same payment at once.
    public let owner: String
    /// How long a lease on an entry holds before another reconciler may take it over.
    public let leaseDuration: Duration
    /// How many entries a sweep leases at a time.
    public let batchSize: Int

    /// Creates a reconciler with a random ``owner``.
    public init(clients: [WalletClient], interval: Duration = .seconds(30)) {
        self.init(clients: clients, interval: interval, owner: "reconciler-" + UUID().uuidString.lowercased())
    }

    /// Creates a reconciler known as `owner` in the journal's leases.
    /// - Parameters:
    ///   - clients: The clients whose journals it settles (one per wallet).
    ///   - interval: Time between sweeps.
    ///   - owner: Unique per process (a host name and process id, or a random id).
    ///   - leaseDuration: How long a lease holds; longer than one batch takes to settle.
    ///   - batchSize: How many entries a sweep leases at a time.
    public init(
        clients: [WalletClient], interval: Duration = .seconds(30), owner: String, leaseDuration: Duration = .seconds(300), batchSize: Int = 32
    ) {
        self.clients = clients
        self.interval = interval
        self.owner = owner
        self.leaseDuration = leaseDuration
        self.batchSize = batchSize
    }

    /// One sweep over every client: recover what no other reconciler holds (leasing each entry
    /// first), then purge past retention.
    @discardableResult
    public func sweep() async -> [RecoveryReport] {
        var reports: [RecoveryReport] = []
        for client in clients {
            if let report = try? await client.recoverPending(leaseOwner: owner, leaseDuration: leaseDuration, batchSize: batchSize) {
                reports.append(report)
            }
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
