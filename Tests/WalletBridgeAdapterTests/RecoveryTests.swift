import Foundation
import Logging
import ServiceLifecycle
import Testing
import WalletBridgeSQLite
import WalletBridgeCore
import WalletBridgeSandbox

// MARK: Harness

/// A virtual clock like ``VirtualClock`` whose sleeps also take a little real time (at most
/// `pace`), for loops that sleep between rounds (``PaymentReconciler/run()``): without it they
/// would spin. Cancellation ends a sleep at once.
final class PacedClock: Clock, @unchecked Sendable {
    typealias Instant = VirtualClock.Instant

    private let lock = NSLock()
    private var current = Instant(offset: .zero)
    private let pace: Duration
    /// Wall time at virtual zero.
    let start = Date()

    init(pace: Duration = .milliseconds(10)) { self.pace = pace }

    var now: Instant { lock.withLock { current } }
    var minimumResolution: Duration { .nanoseconds(1) }

    func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        let wait = lock.withLock { () -> Duration in
            let wait = current.duration(to: deadline)
            if current < deadline { current = deadline }
            return wait
        }
        try await Task.sleep(for: min(max(wait, .zero), pace))
    }

    /// Wall time that moves with the virtual clock.
    var date: Date {
        let parts = now.offset.components
        return start.addingTimeInterval(Double(parts.seconds) + Double(parts.attoseconds) / 1e18)
    }
}

extension WalletUnderTest {
    /// The profile with a short request timeout: a pay or refund the sandbox delays past it is
    /// left unknown after the wallet committed it (what a crash mid-call leaves).
    var impatientProfile: PartnerProfile {
        var profile = self.profile
        profile.requestTimeout = .milliseconds(400)
        return profile
    }

    /// The journal id of refund `refundReference`.
    func refundEntryID(_ refundReference: String) -> JournalEntry.ID {
        JournalEntry.refundID(wallet: wallet.rawValue, refundReference: refundReference)
    }

    /// What the sandbox answers late, and how late.
    static let lateReply = SandboxFault.delay(.milliseconds(1200))
}

/// A client that asks once, never resends, and settles nothing inline: an open outcome is
/// returned as is, the way a process killed mid-call leaves it in the journal.
func crashingClient(_ adapter: any WalletAdapter, journal: any PaymentJournal) -> WalletClient {
    fastClient(adapter, journal: journal, settleWithin: .zero, retry: .none)
}

/// A client on `journal` with this wallet's `rule` and a virtual clock.
func ruleClient(
    _ adapter: any WalletAdapter, journal: any PaymentJournal, rule: ReconciliationRule, clock: VirtualClock = VirtualClock()
) -> WalletClient {
    WalletClient(
        adapter: adapter, journal: journal,
        configuration: WalletClient.Configuration(settleWithin: .seconds(3600), reconciliationRule: rule, clock: clock.policy, jitter: { 0.5 }))
}

/// Short windows for each wallet's rule (so a payment the wallet never received settles, or is
/// given up on, within seconds of virtual time).
func shortRule(_ wallet: SandboxWallet) -> ReconciliationRule {
    switch wallet {
    case .gcash: return .inquireThenCancel(interval: .seconds(1), window: .seconds(3))
    case .paytm: return .queryUntilExpiry(validity: .seconds(5), initial: .seconds(1), cap: .seconds(2))
    case .dana: return .queryResendThenCancel(validity: .seconds(5), initial: .seconds(1), cap: .seconds(2))
    }
}

// MARK: Tests

/// `WalletClient.recoverPending()` and `PaymentReconciler`, end to end: what a killed process
/// left open in the journal is settled by a new client (another process) on the same journal,
/// by inquiry and cancel, never by paying again.
///
/// The crash test uses two `SQLitePaymentJournal` handles on one file, as two processes would.
@Suite("Recovery, end to end")
struct RecoveryTests {
    @Test(arguments: SandboxWallet.allCases)
    func aPayLeftOpenByACrashIsSettledByANewClientWithOneCharge(_ wallet: SandboxWallet) async throws {
        try await withWallet(wallet) { w in
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wb-recovery-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: directory) }
            let path = directory.appendingPathComponent("journal.sqlite").path
            let journal: any PaymentJournal = try SQLitePaymentJournal(path: path)
            let ref = reference("crash")
            let before = try #require(w.balance)
            // Process A: the wallet commits, the reply comes too late.
            w.sandbox.injectFault(WalletUnderTest.lateReply, path: wallet.payPath)
            let open = try await crashingClient(try wallet.adapter(w.impatientProfile, w.transport), journal: journal).pay(w.request(ref))
            #expect(open.status.name == "unknown", "\(open.status)")
            let left = try #require(try await journal.entry(w.entryID(ref)))
            #expect(!left.state.isFinal)
            #expect(left.mayHaveReachedWallet)
            #expect(await eventually(seconds: 5) { w.ledger(ref)?.state == "succeeded" }, "the wallet committed it")

            // Process B: a new client on the same journal.
            let wire = WireRecorder(base: w.transport)
            let recovering = fastClient(try walletAdapter(wallet, w.profile, wire), journal: try SQLitePaymentJournal(path: path))
            let report = try await recovering.recoverPending()
            #expect(report == RecoveryReport(openBefore: 1, reconciled: 1, stillOpen: 0, openReferences: []))
            let entry = try #require(try await journal.entry(w.entryID(ref)))
            #expect(entry.state == .succeeded)
            #expect(entry.walletReference == w.ledger(ref)?.walletReference)
            #expect(wire.count(wallet.payPath) == 0, "recovery never pays again")
            #expect(wire.count(wallet.inquiryPath) >= 1)
            #expect(w.sandbox.payments(wallet: wallet.rawValue).filter { $0.merchantReference == ref }.count == 1)
            #expect(w.balance == before - wallet.amount.minorUnits, "charged exactly once")
            #expect(try await journal.openEntries(wallet: wallet.rawValue).isEmpty)
        }
    }

    @Test(arguments: SandboxWallet.allCases)
    func anIntentNeverSentIsClosedFailedWithoutARequest(_ wallet: SandboxWallet) async throws {
        try await withWallet(wallet) { w in
            let journal: any PaymentJournal = InMemoryPaymentJournal()
            let ref = reference("unsent")
            _ = try await journal.begin(JournalEntry.intent(wallet: wallet.rawValue, w.request(ref), at: Date()))
            let wire = WireRecorder(base: w.transport)
            let report = try await fastClient(try walletAdapter(wallet, w.profile, wire), journal: journal).recoverPending()
            #expect(report == RecoveryReport(openBefore: 1, reconciled: 1, stillOpen: 0, openReferences: []))
            #expect(wire.all.isEmpty, "no HTTP request: \(wire.all.map(\.path))")
            let entry = try #require(try await journal.entry(w.entryID(ref)))
            #expect(entry.state == .failed)
            #expect(entry.lastError?.mayHaveCharged == false)
            #expect(try await journal.events(w.entryID(ref)).map(\.kind) == ["intent", "outcome"])
            #expect(w.ledger(ref) == nil)
        }
    }

    /// An attempt was recorded (the process died while sending), but the wallet never got it.
    @Test(arguments: SandboxWallet.allCases)
    func aPaymentTheWalletNeverReceivedIsSettledByTheRuleWithoutPaying(_ wallet: SandboxWallet) async throws {
        try await withWallet(wallet) { w in
            let journal: any PaymentJournal = InMemoryPaymentJournal()
            let clock = VirtualClock()
            let ref = reference("lost")
            let before = try #require(w.balance)
            _ = try await journal.begin(JournalEntry.intent(wallet: wallet.rawValue, w.request(ref), at: clock.date))
            try await journal.recordAttempt(w.entryID(ref), operation: .pay, attempt: 1, at: clock.date)
            let wire = WireRecorder(base: w.transport)
            let client = ruleClient(try walletAdapter(wallet, w.profile, wire), journal: journal, rule: shortRule(wallet), clock: clock)
            let report = try await client.recoverPending()

            let entry = try #require(try await journal.entry(w.entryID(ref)))
            #expect(wire.count(wallet.payPath) == 0, "recovery never pays again (DANA's rule resends only a caller's pay)")
            #expect(wire.count(wallet.inquiryPath) >= 1)
            #expect(w.ledger(ref) == nil)
            #expect(w.balance == before, "nothing charged")
            // Never arrived: failed, nothing charged. GCash and DANA inquire, cancel at the end of
            // the window and are refused as unknown; Paytm has no cancel: the status API still not
            // knowing the order once its validity has passed decides.
            #expect(report == RecoveryReport(openBefore: 1, reconciled: 1, stillOpen: 0, openReferences: []))
            #expect(entry.state == .failed, "\(entry.state) \(String(describing: entry.lastError))")
            #expect(entry.lastError?.mayHaveCharged == false)
            #expect(entry.lastError?.category == .notFound)
            if let cancelPath = wallet.cancelPath { #expect(wire.count(cancelPath) >= 1, "cancelled at the end of the window") }
        }
    }

    @Test(arguments: SandboxWallet.allCases)
    func anOpenRefundIsSettledByRecoveryAndRefundedOnce(_ wallet: SandboxWallet) async throws {
        try await withWallet(wallet) { w in
            let journal: any PaymentJournal = InMemoryPaymentJournal()
            let ref = reference("refund")
            let refundReference = ref + "-R1"
            let client = fastClient(w.adapter, journal: journal)
            var paid = try await client.pay(w.request(ref))
            if !paid.status.isSucceeded {
                // Paytm's initiate is pending (the customer checks out); its status query says how it went.
                paid = try await client.inquire(PaymentQuery(merchantReference: ref))
            }
            #expect(paid.status.isSucceeded, "\(paid.status)")
            #expect(try await journal.entry(w.entryID(ref))?.walletReference != nil, "the refund needs no lookup")
            let afterPay = try #require(w.balance)

            // The refund's reply comes too late: left open.
            w.sandbox.injectFault(WalletUnderTest.lateReply, path: wallet.refundPath)
            let request = RefundRequest(merchantReference: ref, refundReference: refundReference, amount: wallet.refundAmount)
            let open = try await crashingClient(try wallet.adapter(w.impatientProfile, w.transport), journal: journal).refund(request)
            #expect(open.status.name == "unknown", "\(open.status)")
            #expect(try await journal.entry(w.refundEntryID(refundReference))?.state.isFinal == false)
            #expect(await eventually(seconds: 5) { w.ledger(ref)?.refunded == wallet.refundAmount }, "the wallet refunded it")

            let wire = WireRecorder(base: w.transport)
            let report = try await fastClient(try walletAdapter(wallet, w.profile, wire), journal: journal).recoverPending()
            #expect(report == RecoveryReport(openBefore: 1, reconciled: 1, stillOpen: 0, openReferences: []))
            let entry = try #require(try await journal.entry(w.refundEntryID(refundReference)))
            #expect(entry.state == .succeeded)
            if let inquiryPath = wallet.refundInquiryPath {
                #expect(wire.count(inquiryPath) >= 1, "read back by refund inquiry")
                #expect(wire.count(wallet.refundPath) == 0)
            } else {
                #expect(wire.count(wallet.refundPath) == 1, "DANA has no refund query: the identical refund is resent")
            }
            #expect(wire.count(wallet.payPath) == 0)
            #expect(w.ledger(ref)?.refunded == wallet.refundAmount, "refunded once")
            #expect(w.balance == afterPay + wallet.refundAmount.minorUnits)
        }
    }

    // MARK: PaymentReconciler

    /// A journal with an open gcash payment (a crash left it unknown) and a succeeded one last
    /// updated 30 days ago (written by a client whose `now` is fixed in the past).
    func openAndStaleEntries(_ w: WalletUnderTest, journal: any PaymentJournal) async throws -> (open: String, stale: String) {
        let open = reference("open")
        w.sandbox.injectFault(WalletUnderTest.lateReply, path: w.wallet.payPath)
        #expect(
            try await crashingClient(try w.wallet.adapter(w.impatientProfile, w.transport), journal: journal).pay(w.request(open)).status.name
                == "unknown")
        let stale = reference("stale")
        let monthAgo = Date().addingTimeInterval(-30 * 86_400)
        let past = WalletClient(
            adapter: w.adapter, journal: journal,
            configuration: WalletClient.Configuration(clock: PolicyClock(clock: VirtualClock(), now: { monthAgo }), jitter: { 0.5 }))
        #expect(try await past.pay(w.request(stale)).status.isSucceeded)
        #expect(try await journal.entry(w.entryID(stale))?.updatedAt == monthAgo)
        return (open, stale)
    }

    /// A day: the stale entry is well past it, an entry settled now stays inside it even while a
    /// paced virtual clock runs the reconciler's 30-second intervals by the thousand.
    static let retention = Duration.seconds(86_400)

    @Test func aSweepSettlesOpenEntriesAndPurgesFinalOnesPastRetention() async throws {
        try await withWallet(.gcash) { w in
            let journal: any PaymentJournal = InMemoryPaymentJournal()
            let (open, stale) = try await openAndStaleEntries(w, journal: journal)
            let clock = VirtualClock()
            let client = WalletClient(
                adapter: w.adapter, journal: journal,
                configuration: WalletClient.Configuration(clock: clock.policy, retention: Self.retention, jitter: { 0.5 }))
            let reports = await PaymentReconciler(clients: [client]).sweep()
            #expect(reports == [RecoveryReport(openBefore: 1, reconciled: 1, stillOpen: 0, openReferences: [])])
            #expect(try await journal.entry(w.entryID(open))?.state == .succeeded)
            #expect(try await journal.entry(w.entryID(stale)) == nil, "purged: final and older than the retention")
            #expect(try await journal.events(w.entryID(stale)).isEmpty)
            #expect(w.ledger(stale)?.state == "succeeded", "purging forgets, the wallet keeps")
        }
    }

    @Test func theReconcilerRunsAsAServiceAndStopsOnGracefulShutdown() async throws {
        try await withWallet(.gcash) { w in
            let journal: any PaymentJournal = InMemoryPaymentJournal()
            let (open, stale) = try await openAndStaleEntries(w, journal: journal)
            let clock = PacedClock()
            let client = WalletClient(
                adapter: w.adapter, journal: journal,
                configuration: WalletClient.Configuration(
                    clock: PolicyClock(clock: clock, now: { clock.date }), retention: Self.retention,
                    jitter: { 0.5 }))
            let reconciler = PaymentReconciler(clients: [client], interval: .seconds(30))
            let group = ServiceGroup(services: [reconciler], logger: Logger(label: "reconciler-test", factory: { _ in SwiftLogNoOpLogHandler() }))
            let running = Task { try await group.run() }

            let settled = await eventually(seconds: 10) {
                let openState = try? await journal.entry(w.entryID(open))?.state
                let staleEntry = try? await journal.entry(w.entryID(stale))
                return openState == .succeeded && staleEntry == nil
            }
            #expect(settled, "the service settled the open entry and purged the stale one")
            await group.triggerGracefulShutdown()
            let ending = await howItEnds(running, within: .seconds(5))
            #expect(ending == "returned", "the service group stops on graceful shutdown: \(ending)")
            #expect(try await journal.entry(w.entryID(open))?.state == .succeeded, "a final entry inside the retention is kept")
        }
    }
}

/// How `task` ends: "returned", "threw: …", or "timed out" (then it is cancelled) after `limit`.
func howItEnds(_ task: Task<Void, any Error>, within limit: Duration) async -> String {
    await withTaskGroup(of: String.self) { group in
        group.addTask {
            do {
                try await task.value
                return "returned"
            } catch {
                return "threw: \(error)"
            }
        }
        group.addTask {
            try? await Task.sleep(for: limit)
            if Task.isCancelled { return "" }
            task.cancel()
            return "timed out"
        }
        let first = await group.next() ?? ""
        group.cancelAll()
        return first
    }
}
