import Foundation
import PostgresNIO
import Testing
import WalletBridgeCore
import WalletBridgePostgres
import WalletBridgeSQLite

/// One scenario through a journal: every call's result, then every entry and its events.
private struct Transcript: Equatable {
    var steps: [String] = []
    var entries: [JournalEntry] = []
    var events: [[JournalEvent]] = []
}

/// Every transition of `JournalTransition` (each state an entry can be driven to, then each
/// incoming state, a failed call and a "never sent" close), plus begin, attempts, claims and
/// purge: run identically against PostgreSQL and SQLite.
private func scenario(_ journal: any PaymentJournal) async throws -> Transcript {
    var transcript = Transcript()
    func step(_ line: String) { transcript.steps.append(line) }
    let states: [JournalEntry.State] = JournalEntry.State.allCases
    var index = 0
    for from in states {
        for to in states + [nil] {
            index += 1
            let at = t0.addingTimeInterval(Double(index))
            let entry = payment("R\(index)", at: at)
            let (_, inserted) = try await journal.beginFirstAttempt(entry, operation: .pay, at: at)
            step("begin \(index) \(inserted)")
            if from != .created {
                let (driven, verdict) = try await journal.recordOutcome(entry.id, outcome(from, code: "F"), at: at.addingTimeInterval(0.25))
                step("drive \(from) -> \(driven.state) \(verdict)")
            }
            let incoming =
                to.map { outcome($0, .notifications, code: "N") } ?? .threw(.pay, WalletError(.partnerUnavailable, "refused", mayHaveCharged: false))
            let (after, verdict) = try await journal.recordOutcome(entry.id, incoming, at: at.addingTimeInterval(0.5))
            step("\(from) + \(to.map(\.rawValue) ?? "threw") -> \(after.state) \(verdict) unsent \(after.unsentAttempts)")
        }
    }
    // Begin twice: the second returns the first, unchanged.
    let twice = payment("twice", amount: 1)
    _ = try await journal.begin(twice)
    var other = twice
    other.amountMinorUnits = 2
    step("begin again keeps amount \(try await journal.begin(other).amountMinorUnits)")
    try await journal.recordAttempt(twice.id, operation: .pay, attempt: 1, at: t0.addingTimeInterval(1_000))
    try await journal.recordAttempt(twice.id, operation: .inquire, attempt: 1, at: t0.addingTimeInterval(1_001))
    try await journal.recordAttempt("missing", operation: .pay, attempt: 1, at: t0)
    // Recovery's "never sent" close: refused once an attempt may have reached the wallet.
    let never = payment("never")
    _ = try await journal.begin(never)
    var close = JournalOutcome(operation: .pay, state: .failed, error: WalletError(.partnerUnavailable, "nothing sent", mayHaveCharged: false))
    close.onlyIfNeverSent = true
    step("never sent -> \(try await journal.recordOutcome(never.id, close, at: t0.addingTimeInterval(2_000)).1)")
    step("sent, then never sent -> \(try await journal.recordOutcome(twice.id, close, at: t0.addingTimeInterval(2_001)).1)")
    // A refund entry.
    var refund = payment("refunded")
    refund.id = JournalEntry.refundID(wallet: "paytm", refundReference: "RF-1")
    refund.kind = .refund
    refund.refundReference = "RF-1"
    _ = try await journal.beginFirstAttempt(refund, operation: .refund, at: t0.addingTimeInterval(3_000))
    var refunded = outcome(.succeeded, .refund)
    refunded.walletRefundReference = "WR-1"
    step("refund -> \(try await journal.recordOutcome(refund.id, refunded, at: t0.addingTimeInterval(3_001)).1)")
    // Missing entry.
    do {
        _ = try await journal.recordOutcome("missing", outcome(.succeeded), at: t0)
        step("missing recorded")
    } catch let error as JournalError {
        step("missing: \(error.message)")
    }
    // Claims.
    step("claim \(try await journal.claimNotification("k1", wallet: "paytm", at: t0))")
    step("claim again \(try await journal.claimNotification("k1", wallet: "paytm", at: t0))")
    step("claim other wallet \(try await journal.claimNotification("k1", wallet: "gcash", at: t0))")
    try await journal.releaseNotification("k1", wallet: "paytm")
    step("claim after release \(try await journal.claimNotification("k1", wallet: "paytm", at: t0.addingTimeInterval(5_000)))")
    step("open \(try await journal.openEntries(wallet: "paytm").map(\.id))")
    step("open other \(try await journal.openEntries(wallet: "gcash").count)")
    // Purge the final entries updated before t0 + 20 (the first rows), and claims before it.
    step("purged \(try await journal.purge(before: t0.addingTimeInterval(20)))")
    step("claim k1 gcash again \(try await journal.claimNotification("k1", wallet: "gcash", at: t0))")
    transcript.entries = try await journal.allEntries(wallet: nil)
    for entry in transcript.entries { transcript.events.append(try await journal.events(entry.id)) }
    return transcript
}

@Suite(
    "PostgresPaymentJournal against a real PostgreSQL server", .enabled(if: TestPostgres.url != nil, TestPostgres.disabledReason),
    .timeLimit(.minutes(3)))
struct PostgresPaymentJournalTests {
    @Test("every transition, begin, attempts, claims and purge give exactly what the SQLite journal gives (entries, verdicts, events)")
    func sameAsSQLite() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("walletbridge-pg-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let sqlite = try await scenario(try SQLitePaymentJournal(path: directory.appendingPathComponent("j.sqlite").path))
        let postgres = try await TestPostgres.withStorages { storages in
            try await scenario(try await PostgresPaymentJournal(storage: storages[0]))
        }
        #expect(postgres.steps == sqlite.steps)
        #expect(postgres.entries == sqlite.entries)
        #expect(postgres.events == sqlite.events)
        #expect(postgres.steps.contains { $0.contains("refused") })
        #expect(sqlite.entries.count > 30)
    }

    @Test("two instances recording outcomes for one entry at once: the row lock serialises them, the success applies exactly once")
    func concurrentOutcomesApplyOnce() async throws {
        try await TestPostgres.withStorages(2) { storages in
            let first = try await PostgresPaymentJournal(storage: storages[0])
            let second = try await PostgresPaymentJournal(storage: storages[1])
            let entry = payment("contended")
            _ = try await first.begin(entry)
            let verdicts = try await withThrowingTaskGroup(of: JournalTransition.Verdict.self) { group in
                for index in 0..<24 {
                    let journal = index.isMultiple(of: 2) ? first : second
                    group.addTask {
                        try await journal.recordAttempt(entry.id, operation: .pay, attempt: index, at: t0)
                        return try await journal.recordOutcome(entry.id, outcome(.succeeded, code: "S\(index)"), at: t0.addingTimeInterval(1)).1
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(verdicts.filter { $0 == .applied }.count == 1)
            #expect(verdicts.filter { $0 == .kept }.count == 23)
            let stored = try #require(try await second.entry(entry.id))
            #expect(stored.state == .succeeded)
            #expect(stored.attempts == 24)
            let events = try await first.events(entry.id)
            #expect(events.filter { $0.kind == "outcome" }.count == 1)
            #expect(events.filter { $0.kind == "attempt" }.count == 24)
        }
    }

    @Test("a notification delivered to two instances at once is claimed and applied by exactly one")
    func notificationClaimedOnce() async throws {
        try await TestPostgres.withStorages(2) { storages in
            let journals = [try await PostgresPaymentJournal(storage: storages[0]), try await PostgresPaymentJournal(storage: storages[1])]
            #expect(journals[0].claimsNotificationsWithOutcome)
            let entry = payment("notified")
            _ = try await journals[0].begin(entry)
            let results = try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<16 {
                    group.addTask {
                        try await journals[index % 2].recordOutcome(
                            entry.id, outcome(.succeeded, .notifications), claimingNotification: "delivery-1", wallet: "paytm", at: t0) != nil
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.filter { $0 }.count == 1)
            #expect(try await journals[1].isNotificationClaimed("delivery-1", wallet: "paytm"))
            #expect(try await journals[1].events(entry.id).filter { $0.kind == "outcome" }.count == 1)
            // The plain claim: one winner too.
            let claims = try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<16 { group.addTask { try await journals[index % 2].claimNotification("delivery-2", wallet: "paytm", at: t0) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(claims.filter { $0 }.count == 1)
        }
    }

    @Test("a claim whose effect fails is rolled back with it, and one whose effect is refused is not kept: the redelivery is processed")
    func failedEffectRollsBackTheClaim() async throws {
        try await TestPostgres.withStorages { storages in
            let journal = try await PostgresPaymentJournal(storage: storages[0])
            // The effect fails (no such entry): the claim goes with it.
            await #expect(throws: JournalError.self) {
                _ = try await journal.recordOutcome("paytm/payment/absent", outcome(.succeeded), claimingNotification: "k", wallet: "paytm", at: t0)
            }
            #expect(try await journal.isNotificationClaimed("k", wallet: "paytm") == false)
            let entry = payment("late")
            _ = try await journal.begin(entry)
            let redelivered = try await journal.recordOutcome(entry.id, outcome(.succeeded), claimingNotification: "k", wallet: "paytm", at: t0)
            #expect(redelivered?.1 == .applied)
            #expect(try await journal.recordOutcome(entry.id, outcome(.succeeded), claimingNotification: "k", wallet: "paytm", at: t0) == nil)
            // A contradiction of the final state is recorded as refused, and its key left free.
            let refused = try await journal.recordOutcome(entry.id, outcome(.failed), claimingNotification: "k2", wallet: "paytm", at: t0)
            guard case .refused = refused?.1 else {
                Issue.record("expected a refusal, got \(String(describing: refused?.1))")
                return
            }
            #expect(try await journal.isNotificationClaimed("k2", wallet: "paytm") == false)
            #expect(try await journal.events(entry.id).last?.kind == "refused")
        }
    }

    @Test("two reconcilers leasing at once never get the same entry, and between them get every open one")
    func leasesAreDisjoint() async throws {
        try await TestPostgres.withStorages(2) { storages in
            let journals = [try await PostgresPaymentJournal(storage: storages[0]), try await PostgresPaymentJournal(storage: storages[1])]
            for index in 0..<40 { _ = try await journals[0].begin(payment("open-\(index)", at: t0.addingTimeInterval(Double(index)))) }
            let done = payment("done")
            _ = try await journals[0].begin(done)
            _ = try await journals[0].recordOutcome(done.id, outcome(.succeeded), at: t0)
            let leased = try await withThrowingTaskGroup(of: (String, [JournalEntry.ID]).self) { group in
                for (index, owner) in ["a", "b"].enumerated() {
                    group.addTask {
                        var mine: [JournalEntry.ID] = []
                        while true {
                            let batch = try await journals[index].leaseOpenEntries(wallet: "paytm", owner: owner, limit: 3, for: .seconds(60), at: t0)
                            if batch.isEmpty { break }
                            #expect(batch.allSatisfy { $0.owner == owner && !$0.isTakeover })
                            mine += batch.map(\.entry.id)
                        }
                        return (owner, mine)
                    }
                }
                return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
            }
            let a = leased["a"] ?? []
            let b = leased["b"] ?? []
            #expect(Set(a).isDisjoint(with: Set(b)))
            #expect(a.count + b.count == 40)
            #expect(Set(a + b).count == 40)
            #expect(!(a + b).contains(done.id))
            // Nothing else is free until the leases expire or are given back.
            #expect(
                try await journals[1].leaseOpenEntries(wallet: nil, owner: "c", limit: 100, for: .seconds(60), at: t0.addingTimeInterval(30)).isEmpty)
            try await journals[0].releaseLease(a[0], owner: "a")
            let freed = try await journals[1].leaseOpenEntries(wallet: nil, owner: "c", limit: 100, for: .seconds(60), at: t0.addingTimeInterval(30))
            #expect(freed.map(\.entry.id) == [a[0]])
            #expect(freed.first?.isTakeover == false)
        }
    }

    @Test("a lease whose owner died is taken over once it expires, and counted; the dead owner's release leaves the new lease alone")
    func expiredLeaseTakenOver() async throws {
        try await TestPostgres.withStorages(2) { storages in
            let dead = try await PostgresPaymentJournal(storage: storages[0])
            let alive = try await PostgresPaymentJournal(storage: storages[1])
            for index in 0..<5 { _ = try await dead.begin(payment("p\(index)", at: t0.addingTimeInterval(Double(index)))) }
            let held = try await dead.leaseOpenEntries(wallet: "paytm", owner: "dead", limit: 3, for: .seconds(60), at: t0)
            #expect(held.count == 3)
            // Before expiry: only the two unleased entries.
            let early = try await alive.leaseOpenEntries(wallet: "paytm", owner: "alive", limit: 10, for: .seconds(60), at: t0.addingTimeInterval(59))
            #expect(early.count == 2)
            #expect(early.allSatisfy { !$0.isTakeover })
            // After expiry: the dead owner's three, each a takeover naming it.
            let late = try await alive.leaseOpenEntries(wallet: "paytm", owner: "alive", limit: 10, for: .seconds(60), at: t0.addingTimeInterval(61))
            #expect(late.map(\.entry.id) == held.map(\.entry.id))
            #expect(late.allSatisfy { $0.previousOwner == "dead" })
            #expect(late.filter(\.isTakeover).count == 3)
            try await dead.releaseLease(held[0].entry.id, owner: "dead")
            let lease = try #require(try await alive.lease(held[0].entry.id))
            #expect(lease.owner == "alive")
        }
    }

    @Test("migrating is idempotent, three instances starting at once migrate once, and the version table says so")
    func migrationsIdempotentAndConcurrent() async throws {
        try await TestPostgres.withStorages(3) { storages in
            let applied = try await withThrowingTaskGroup(of: Int.self) { group in
                for storage in storages { group.addTask { try await storage.migrate() } }
                return try await group.reduce(0, +)
            }
            #expect(applied == PostgresStorage.schemaVersion)
            #expect(try await storages[2].migrate() == 0)
            let journals = try await withThrowingTaskGroup(of: PostgresPaymentJournal.self) { group in
                for storage in storages { group.addTask { try await PostgresPaymentJournal(storage: storage) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(journals.count == 3)
            let rows = try await storages[0].client.query(
                "SELECT version FROM \(unescaped: "\"\(storages[0].schema)\"").walletbridge_schema_migrations ORDER BY version"
            ).collect()
            #expect(try rows.map { Int(try $0.decode(Int32.self)) } == Array(1...PostgresStorage.schemaVersion))
        }
    }

    @Test("a schema written by a newer library is refused clearly")
    func newerSchemaRefused() async throws {
        try await TestPostgres.withStorages { storages in
            let storage = storages[0]
            try await storage.migrate()
            let future = Int32(PostgresStorage.schemaVersion + 1)
            try await storage.client.query(
                "INSERT INTO \(unescaped: "\"\(storage.schema)\"").walletbridge_schema_migrations (version, name) VALUES (\(future), 'future')")
            let error = await #expect(throws: JournalError.self) { try await storage.migrate() }
            #expect(error?.message.contains("newer than this library") == true)
        }
    }
}
