import Foundation
import HTTPTypes
import Testing
import WalletBridgeCore
import WalletBridgePostgres

/// A wallet that answers every inquiry "succeeded" and takes notifications as `reference|key`
/// in clear (no signature: the tests exercise the journal, not a scheme).
private struct SettlingWallet: WalletAdapter {
    let walletName = "paytm"
    let capabilities = WalletCapabilities(operations: [.pay, .inquire, .notifications], walletCurrency: .inr, currencies: [.inr])

    private func succeeded(_ reference: String) -> PaymentResult {
        PaymentResult(
            status: .succeeded, merchantReference: reference, walletReference: "W-\(reference)", amount: Money(minorUnits: 10_000, currency: .inr))
    }

    func pay(_ request: PaymentRequest) async throws(WalletError) -> PaymentResult { succeeded(request.merchantReference) }
    func inquire(_ query: PaymentQuery) async throws(WalletError) -> PaymentResult { succeeded(query.merchantReference) }
    func cancel(_ query: PaymentQuery) async throws(WalletError) -> PaymentResult { throw WalletError(.invalidRequest, "no cancel") }
    func refund(_ request: RefundRequest) async throws(WalletError) -> RefundResult { throw WalletError(.invalidRequest, "no refund") }
    func inquireRefund(_ query: RefundQuery) async throws(WalletError) -> RefundResult { throw WalletError(.invalidRequest, "no refund") }
    func verifyNotification(_ notification: InboundNotification) throws(WalletError) -> VerifiedNotification {
        let parts = String(decoding: notification.body, as: UTF8.self).split(separator: "|").map(String.init)
        guard parts.count == 2 else { throw WalletError(.invalidPartnerResponse, "not a test notification") }
        return VerifiedNotification(
            notification: WalletNotification(kind: .paymentResult, payment: succeeded(parts[0]), deduplicationKey: parts[1]),
            acknowledgement: NotificationAcknowledgement(status: 200, headerFields: [:], body: Array("OK".utf8)))
    }
}

private func client(_ journal: PostgresPaymentJournal, now: Date = t0) -> WalletClient {
    WalletClient(
        adapter: SettlingWallet(), journal: journal,
        configuration: WalletClient.Configuration(clock: PolicyClock(clock: ContinuousClock(), now: { now })))
}

private func sent(_ reference: String, at: Date = t0) -> JournalEntry {
    var entry = payment(reference, at: at)
    entry.attempts = 1
    entry.state = .unknown
    return entry
}

@Suite("WalletClient over a PostgreSQL journal", .enabled(if: TestPostgres.url != nil, TestPostgres.disabledReason), .timeLimit(.minutes(3)))
struct PostgresWalletClientTests {
    @Test("one delivery received by two instances at once is applied by exactly one; the other acknowledges a duplicate")
    func notificationAppliedOnce() async throws {
        try await TestPostgres.withStorages(2) { storages in
            let journals = [try await PostgresPaymentJournal(storage: storages[0]), try await PostgresPaymentJournal(storage: storages[1])]
            _ = try await journals[0].begin(sent("order-1"))
            let clients = journals.map { client($0) }
            let inbound = InboundNotification(path: "/notify", headerFields: HTTPFields(), body: Array("order-1|delivery-1".utf8))
            let dispositions = try await withThrowingTaskGroup(of: ReceivedNotification.Disposition.self) { group in
                for index in 0..<8 { group.addTask { try await clients[index % 2].receiveNotification(inbound).disposition } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(dispositions.filter { $0 == .apply }.count == 1)
            #expect(dispositions.filter { $0 == .duplicate }.count == 7)
            #expect(try await journals[1].entry(JournalEntry.paymentID(wallet: "paytm", merchantReference: "order-1"))?.state == .succeeded)
            // A notification about a payment the journal does not hold: its claim is the effect.
            let unknown = InboundNotification(path: "/notify", headerFields: HTTPFields(), body: Array("elsewhere|delivery-2".utf8))
            #expect(try await clients[0].receiveNotification(unknown).disposition == .apply)
            #expect(try await clients[1].receiveNotification(unknown).disposition == .duplicate)
        }
    }

    @Test("reconcilers in two instances settle disjoint payments; one whose lease expired with its instance is taken over and counted")
    func reconcilersShareTheWork() async throws {
        try await TestPostgres.withStorages(2) { storages in
            let journals = [try await PostgresPaymentJournal(storage: storages[0]), try await PostgresPaymentJournal(storage: storages[1])]
            for index in 0..<6 { _ = try await journals[0].begin(sent("p\(index)", at: t0.addingTimeInterval(Double(index)))) }
            // An instance that died holding three leases.
            let dead = try await journals[0].leaseOpenEntries(wallet: "paytm", owner: "dead", limit: 3, for: .seconds(60), at: t0)
            #expect(dead.count == 3)
            // Before they expire: the others only.
            let early = try await client(journals[1], now: t0.addingTimeInterval(30)).recoverPending(leaseOwner: "alive")
            #expect(early.openBefore == 3)
            #expect(early.reconciled == 3)
            #expect(early.takenOver == 0)
            // After: the dead instance's three, taken over.
            let late = try await client(journals[1], now: t0.addingTimeInterval(120)).recoverPending(leaseOwner: "alive")
            #expect(late == RecoveryReport(openBefore: 3, reconciled: 3, stillOpen: 0, openReferences: [], takenOver: 3))
            #expect(try await journals[0].openEntries(wallet: nil).isEmpty)
            // The reconciler service's sweep goes through the same leases.
            _ = try await journals[0].begin(sent("p-late", at: t0.addingTimeInterval(200)))
            let reports = await PaymentReconciler(clients: [client(journals[0], now: t0.addingTimeInterval(300))], owner: "svc").sweep()
            #expect(reports.map(\.reconciled) == [1])
        }
    }
}
