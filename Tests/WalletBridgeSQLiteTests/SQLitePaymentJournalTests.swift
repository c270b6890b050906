import Foundation
import Testing
import WalletBridgeCore
import WalletBridgeSQLite

/// A unique directory under the temporary directory, removed when `body` ends. The database
/// path sits in a subdirectory that does not exist yet, so every test also checks that the
/// journal creates its parent directory.
private func withDatabasePath<T>(_ body: (String) async throws -> T) async throws -> T {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("walletbridge-sqlite-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: directory) }
    return try await body(directory.appendingPathComponent("journal/payments.sqlite").path)
}

/// A date with sub-microsecond bits, to prove dates round-trip exactly.
private let t0 = Date(timeIntervalSinceReferenceDate: 780_000_000.123_456_789)

private func payment(_ reference: String, wallet: String = "paytm", amount: Int64 = 10_000, currency: String = "INR", at: Date = t0) -> JournalEntry {
    JournalEntry(
        id: JournalEntry.paymentID(wallet: wallet, merchantReference: reference), wallet: wallet, kind: .payment,
        merchantReference: reference, amountMinorUnits: amount, currency: currency,
        pinned: JournalEntry.PinnedInputs(orderDescription: "Order \(reference)", notifyURL: "https://shop.example/notify"),
        createdAt: at, updatedAt: at)
}

private func succeeded(_ operation: WalletCapabilities.Operation = .pay) -> JournalOutcome {
    JournalOutcome(operation: operation, state: .succeeded, walletReference: "W-1", partnerCode: "01")
}

@Suite("SQLitePaymentJournal")
struct SQLitePaymentJournalTests {
    @Test("begin records the intent once and returns the existing entry unchanged")
    func beginAndBeginExisting() async throws {
        try await withDatabasePath { path in
            let journal = try SQLitePaymentJournal(path: path)
            let intent = payment("M-1")
            #expect(try await journal.begin(intent) == intent)
            #expect(try await journal.entry(intent.id) == intent)

            var different = intent
            different.amountMinorUnits = 99
            different.createdAt = t0.addingTimeInterval(60)
            #expect(try await journal.begin(different) == intent)
            #expect(try await journal.entry(intent.id) == intent)
            #expect(try await journal.events(intent.id) == [JournalEvent(at: t0, kind: "intent", operation: "pay", detail: "10000 INR")])
            #expect(try await journal.entry("paytm/payment/missing") == nil)
            #expect(try await journal.events("paytm/payment/missing").isEmpty)
        }
    }

    @Test("the intent and its first attempt are one step, equal to begin then recordAttempt in memory; an existing entry is returned untouched")
    func beginFirstAttemptIsOneStep() async throws {
        try await withDatabasePath { path in
            let journal = try SQLitePaymentJournal(path: path)
            let memory = InMemoryPaymentJournal()
            let intent = payment("M-first")
            let at = t0.addingTimeInterval(0.5)
            let (stored, inserted) = try await journal.beginFirstAttempt(intent, operation: .pay, at: at)
            let (expected, insertedInMemory) = try await memory.beginFirstAttempt(intent, operation: .pay, at: at)
            #expect(inserted && insertedInMemory)
            #expect(stored == expected)
            #expect(stored.attempts == 1 && stored.mayHaveReachedWallet)
            #expect(try await journal.entry(intent.id) == stored)
            let inMemoryEvents = await memory.events(intent.id)
            #expect(try await journal.events(intent.id) == inMemoryEvents)
            #expect(try await journal.events(intent.id).map(\.kind) == ["intent", "attempt"])

            let (again, insertedAgain) = try await journal.beginFirstAttempt(intent, operation: .pay, at: at.addingTimeInterval(1))
            #expect(!insertedAgain)
            #expect(again == stored)
            #expect(try await journal.events(intent.id).count == 2)
        }
    }

    @Test("attempts count pay and refund only; outcomes go through JournalTransition; a final state is never overwritten")
    func attemptsAndOutcomes() async throws {
        try await withDatabasePath { path in
            let journal = try SQLitePaymentJournal(path: path)
            let intent = try await journal.begin(payment("M-2"))
            try await journal.recordAttempt(intent.id, operation: .pay, attempt: 1, at: t0.addingTimeInterval(1))
            try await journal.recordAttempt(intent.id, operation: .inquire, attempt: 1, at: t0.addingTimeInterval(2))
            var entry = try #require(try await journal.entry(intent.id))
            #expect(entry.attempts == 1)
            #expect(entry.updatedAt == t0.addingTimeInterval(2))

            let (done, verdict) = try await journal.recordOutcome(intent.id, succeeded(), at: t0.addingTimeInterval(3))
            #expect(verdict == .applied)
            #expect(done == JournalTransition.apply(succeeded(), to: entry, at: t0.addingTimeInterval(3)).0)
            #expect(done.state == .succeeded && done.walletReference == "W-1" && done.partnerCode == "01")
            #expect(try await journal.entry(intent.id) == done)

            let failed = JournalOutcome(operation: .inquire, state: .failed, error: WalletError(.declined, "declined late"), partnerCode: "99")
            let (after, refused) = try await journal.recordOutcome(intent.id, failed, at: t0.addingTimeInterval(4))
            guard case .refused = refused else {
                Issue.record("expected a refused verdict, got \(refused)")
                return
            }
            #expect(after == done)
            entry = try #require(try await journal.entry(intent.id))
            #expect(entry == done)

            let events = try await journal.events(intent.id)
            #expect(events.map(\.kind) == ["intent", "attempt", "attempt", "outcome", "refused"])
            #expect(events.map(\.operation) == ["pay", "pay", "inquire", "pay", "inquire"])
            #expect(events.last == JournalEvent(outcome: failed, verdict: refused, at: t0.addingTimeInterval(4)))
        }
    }

    @Test("a pending entry stays pending on an unknown outcome, keeping the error")
    func pendingStaysPending() async throws {
        try await withDatabasePath { path in
            let journal = try SQLitePaymentJournal(path: path)
            let intent = try await journal.begin(payment("M-3"))
            let (pending, first) = try await journal.recordOutcome(
                intent.id, JournalOutcome(operation: .pay, state: .pending), at: t0.addingTimeInterval(1))
            #expect(first == .applied && pending.state == .pending)
            let timeout = WalletError(.timeout, "no answer in 30 s")
            let (still, second) = try await journal.recordOutcome(
                intent.id, JournalOutcome(operation: .inquire, state: .unknown, error: timeout),
                at: t0.addingTimeInterval(2))
            #expect(second == .kept)
            #expect(still.state == .pending)
            #expect(still.lastError == StoredError(timeout))
            #expect(try await journal.entry(intent.id) == still)
            #expect(try await journal.events(intent.id).map(\.kind) == ["intent", "outcome", "kept"])
        }
    }

    @Test("an outcome for a missing entry throws JournalError; an attempt for one does nothing")
    func missingEntry() async throws {
        try await withDatabasePath { path in
            let journal = try SQLitePaymentJournal(path: path)
            await #expect(throws: JournalError.self) {
                _ = try await journal.recordOutcome("paytm/payment/none", succeeded(), at: t0)
            }
            try await journal.recordAttempt("paytm/payment/none", operation: .pay, attempt: 1, at: t0)
            #expect(try await journal.events("paytm/payment/none").isEmpty)
            #expect(try await journal.allEntries(wallet: nil).isEmpty)
        }
    }

    @Test("open and all entries come oldest first (creation, then insertion) and filter by wallet")
    func ordering() async throws {
        try await withDatabasePath { path in
            let journal = try SQLitePaymentJournal(path: path)
            let late = payment("late", at: t0.addingTimeInterval(10))
            let early = payment("early", wallet: "gcash", currency: "PHP", at: t0)
            let sameA = payment("same-a", at: t0.addingTimeInterval(5))
            let sameB = payment("same-b", wallet: "gcash", currency: "PHP", at: t0.addingTimeInterval(5))
            let closed = payment("closed", at: t0.addingTimeInterval(1))
            for intent in [late, early, sameA, sameB, closed] { _ = try await journal.begin(intent) }
            let (closedNow, _) = try await journal.recordOutcome(closed.id, succeeded(), at: t0.addingTimeInterval(20))

            #expect(try await journal.allEntries(wallet: nil).map(\.merchantReference) == ["early", "closed", "same-a", "same-b", "late"])
            #expect(try await journal.openEntries(wallet: nil).map(\.merchantReference) == ["early", "same-a", "same-b", "late"])
            #expect(try await journal.openEntries(wallet: "paytm") == [sameA, late])
            #expect(try await journal.openEntries(wallet: "gcash") == [early, sameB])
            #expect(try await journal.allEntries(wallet: "paytm") == [closedNow, sameA, late])
            #expect(try await journal.openEntries(wallet: "dana").isEmpty)
        }
    }

    @Test("entries and events survive closing and reopening the file")
    func durableAcrossReopen() async throws {
        try await withDatabasePath { path in
            var journal: SQLitePaymentJournal? = try SQLitePaymentJournal(path: path)
            let first = try #require(journal)
            #expect(first.path == path)
            #expect(FileManager.default.fileExists(atPath: path + "-wal"), "the database is in WAL mode")
            let intent = try await first.begin(payment("M-4"))
            try await first.recordAttempt(intent.id, operation: .pay, attempt: 1, at: t0.addingTimeInterval(1))
            _ = try await first.recordOutcome(
                intent.id, .threw(.pay, WalletError(.partnerUnavailable, "connection refused", mayHaveCharged: false)),
                at: t0.addingTimeInterval(2))
            #expect(try await first.claimNotification("N-1", wallet: "paytm", at: t0))
            let entries = try await first.allEntries(wallet: nil)
            let events = try await first.events(intent.id)
            try first.close()
            journal = nil

            let reopened = try SQLitePaymentJournal(path: path)
            #expect(try await reopened.allEntries(wallet: nil) == entries)
            #expect(try await reopened.events(intent.id) == events)
            #expect(entries.first?.unsentAttempts == 1)
            #expect(entries.first?.mayHaveReachedWallet == false)
            #expect(try await reopened.claimNotification("N-1", wallet: "paytm", at: t0) == false)
        }
    }

    @Test("a closed journal throws JournalError instead of crashing")
    func closedJournalThrows() async throws {
        try await withDatabasePath { path in
            let journal = try SQLitePaymentJournal(path: path)
            try journal.close()
            await #expect(throws: JournalError.self) { _ = try await journal.begin(payment("M-closed")) }
            await #expect(throws: JournalError.self) { _ = try await journal.allEntries(wallet: nil) }
        }
    }

    @Test("two instances on one file (two processes) see each other's writes; a claim succeeds once")
    func twoInstances() async throws {
        try await withDatabasePath { path in
            let one = try SQLitePaymentJournal(path: path)
            let two = try SQLitePaymentJournal(path: path)
            let intent = try await one.begin(payment("M-5"))
            #expect(try await two.entry(intent.id) == intent)
            #expect(try await two.begin(payment("M-5", amount: 1)) == intent)
            let (done, _) = try await two.recordOutcome(intent.id, succeeded(), at: t0.addingTimeInterval(1))
            #expect(try await one.entry(intent.id) == done)
            #expect(try await one.events(intent.id) == two.events(intent.id))

            #expect(try await one.claimNotification("N-2", wallet: "paytm", at: t0))
            #expect(try await two.claimNotification("N-2", wallet: "paytm", at: t0) == false)
            #expect(try await two.claimNotification("N-2", wallet: "gcash", at: t0), "claims are scoped by wallet")
            try await two.releaseNotification("N-2", wallet: "paytm")
            #expect(try await one.claimNotification("N-2", wallet: "paytm", at: t0), "a released claim can be claimed again")
        }
    }

    @Test("50 concurrent claims of one key across two instances: exactly one wins")
    func concurrentClaims() async throws {
        try await withDatabasePath { path in
            let journals = [try SQLitePaymentJournal(path: path), try SQLitePaymentJournal(path: path)]
            let wins = try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<50 {
                    let journal = journals[index % 2]
                    group.addTask { try await journal.claimNotification("N-race", wallet: "dana", at: t0) }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(wins == 1)
        }
    }

    @Test("concurrent writes and a first open from several instances at once do not fail")
    func concurrentOpenAndWrites() async throws {
        try await withDatabasePath { path in
            let journals = try await withThrowingTaskGroup(of: SQLitePaymentJournal.self) { group in
                for _ in 0..<3 { group.addTask { try SQLitePaymentJournal(path: path) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<30 {
                    let journal = journals[index % journals.count]
                    group.addTask {
                        let intent = try await journal.begin(payment("C-\(index)", at: t0.addingTimeInterval(Double(index))))
                        try await journal.recordAttempt(intent.id, operation: .pay, attempt: 1, at: t0.addingTimeInterval(Double(index)))
                    }
                }
                try await group.waitForAll()
            }
            let entries = try await journals[0].allEntries(wallet: nil)
            #expect(entries.map(\.merchantReference) == (0..<30).map { "C-\($0)" })
            #expect(entries.allSatisfy { $0.attempts == 1 })
        }
    }

    @Test("purge removes only final entries older than the cutoff (with their events) and old claims")
    func purge() async throws {
        try await withDatabasePath { path in
            let journal = try SQLitePaymentJournal(path: path)
            let cutoff = t0.addingTimeInterval(100)
            let oldDone = try await journal.begin(payment("old-done"))
            _ = try await journal.recordOutcome(oldDone.id, succeeded(), at: t0.addingTimeInterval(50))
            let oldFailed = try await journal.begin(payment("old-failed"))
            _ = try await journal.recordOutcome(oldFailed.id, JournalOutcome(operation: .pay, state: .failed), at: t0.addingTimeInterval(60))
            let oldOpen = try await journal.begin(payment("old-open"))
            _ = try await journal.recordOutcome(oldOpen.id, JournalOutcome(operation: .pay, state: .pending), at: t0.addingTimeInterval(10))
            let recentDone = try await journal.begin(payment("recent-done"))
            _ = try await journal.recordOutcome(recentDone.id, succeeded(), at: cutoff)
            #expect(try await journal.claimNotification("old", wallet: "paytm", at: t0.addingTimeInterval(99)))
            #expect(try await journal.claimNotification("recent", wallet: "paytm", at: cutoff))

            #expect(try await journal.purge(before: cutoff) == 2)
            #expect(try await journal.allEntries(wallet: nil).map(\.merchantReference) == ["old-open", "recent-done"])
            #expect(try await journal.events(oldDone.id).isEmpty)
            #expect(try await journal.events(oldFailed.id).isEmpty)
            #expect(try await journal.events(oldOpen.id).count == 2)
            #expect(try await journal.events(recentDone.id).count == 2)
            #expect(try await journal.claimNotification("old", wallet: "paytm", at: cutoff), "the old claim was purged")
            #expect(try await journal.claimNotification("recent", wallet: "paytm", at: cutoff) == false)
            #expect(try await journal.purge(before: cutoff) == 0)
            // A purged id can be begun again; created at the same time as the survivors, it comes
            // after them (insertion order breaks the tie).
            _ = try await journal.begin(payment("old-done", at: t0))
            #expect(try await journal.allEntries(wallet: nil).map(\.merchantReference) == ["old-open", "recent-done", "old-done"])
            #expect(try await journal.events(oldDone.id).map(\.kind) == ["intent"])
        }
    }

    @Test("opening the same file three times migrates once and keeps the data")
    func migrationIsIdempotent() async throws {
        try await withDatabasePath { path in
            let intent = payment("M-6")
            for round in 0..<3 {
                let journal = try SQLitePaymentJournal(path: path)
                #expect(try await journal.begin(intent) == intent)
                #expect(try await journal.allEntries(wallet: nil) == [intent], "round \(round)")
                #expect(try await journal.events(intent.id).count == 1)
                try journal.close()
            }
        }
    }

    @Test("a file that is not an SQLite database gives a thrown JournalError")
    func corruptFile() async throws {
        try await withDatabasePath { path in
            let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try Data(String(repeating: "this is not a database, just some text. ", count: 200).utf8).write(to: URL(fileURLWithPath: path))
            let error = #expect(throws: JournalError.self) { _ = try SQLitePaymentJournal(path: path) }
            #expect(error?.description.contains("not a database") == true, "\(String(describing: error))")
        }
    }

    @Test("a path whose parent cannot be a directory gives a thrown JournalError")
    func unusablePath() async throws {
        try await withDatabasePath { path in
            let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
            try FileManager.default.createDirectory(at: directory.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data("a file".utf8).write(to: directory)
            #expect(throws: JournalError.self) { _ = try SQLitePaymentJournal(path: path) }
        }
    }

    @Test("an entry round-trips exactly, every field included")
    func exactRoundTrip() async throws {
        try await withDatabasePath { path in
            let full = JournalEntry(
                id: JournalEntry.refundID(wallet: "dana", refundReference: "R-1"), wallet: "dana", kind: .refund, merchantReference: "M-7",
                walletReference: "W-7", refundReference: "R-1", walletRefundReference: "WR-1", amountMinorUnits: Int64.max, currency: "IDR",
                pinned: JournalEntry.PinnedInputs(
                    orderDescription: "Kopi ☕️ \"quoted\"\nline", notifyURL: "https://shop.example/n?a=1&b=2",
                    redirectURL: "https://shop.example/r", validUntil: Date(timeIntervalSinceReferenceDate: 780_000_900.987_654_321),
                    reason: "customer changed mind"),
                state: .unknown,
                lastError: StoredError(
                    WalletError(.timeout, "no answer", partnerCode: "5001800", partnerMessage: "Request In Progress", mayHaveCharged: true)),
                partnerCode: "5001800", attempts: 3, unsentAttempts: 1, createdAt: t0, updatedAt: t0.addingTimeInterval(0.000_001))
            let minimal = JournalEntry(
                id: "paytm/payment/min", wallet: "paytm", kind: .payment, merchantReference: "min", amountMinorUnits: -1,
                currency: "INR", createdAt: Date(timeIntervalSinceReferenceDate: -1.5), updatedAt: Date())
            let journal = try SQLitePaymentJournal(path: path)
            #expect(try await journal.begin(full) == full)
            #expect(try await journal.begin(minimal) == minimal)
            try journal.close()
            let reopened = try SQLitePaymentJournal(path: path)
            #expect(try await reopened.entry(full.id) == full)
            #expect(try await reopened.entry(minimal.id) == minimal)
            #expect(try await reopened.events(full.id) == [JournalEvent(at: t0, kind: "intent", operation: "refund", detail: "\(Int64.max) IDR")])
        }
    }

    @Test("the same script gives the same entries and events as InMemoryPaymentJournal")
    func parityWithInMemory() async throws {
        try await withDatabasePath { path in
            let sqlite = try SQLitePaymentJournal(path: path)
            let memory = InMemoryPaymentJournal()
            let refund = JournalEntry.intent(
                wallet: "gcash",
                RefundRequest(
                    merchantReference: "M-8", walletReference: "W-8", refundReference: "R-8",
                    amount: Money(minorUnits: 500, currency: try Currency(code: "PHP")), reason: "damaged"),
                at: t0)
            let outcomes: [(WalletCapabilities.Operation, JournalOutcome)] = [
                (.refund, .threw(.refund, WalletError(.partnerUnavailable, "refused", mayHaveCharged: false))),
                (.refund, JournalOutcome(operation: .refund, state: .unknown, error: WalletError(.timeout, "timeout"))),
                (.inquireRefund, JournalOutcome(operation: .inquireRefund, state: .pending, walletRefundReference: "WR-8", partnerCode: "P")),
                (.inquireRefund, JournalOutcome(operation: .inquireRefund, state: .succeeded, partnerCode: "S")),
                (.inquireRefund, JournalOutcome(operation: .inquireRefund, state: .succeeded)),
                (.inquireRefund, JournalOutcome(operation: .inquireRefund, state: .failed)),
            ]
            for journal in [sqlite, memory] as [any PaymentJournal] {
                _ = try await journal.begin(refund)
                for (step, (operation, outcome)) in outcomes.enumerated() {
                    let at = t0.addingTimeInterval(Double(step) + 0.25)
                    try await journal.recordAttempt(refund.id, operation: operation, attempt: step + 1, at: at)
                    _ = try await journal.recordOutcome(refund.id, outcome, at: at.addingTimeInterval(0.5))
                }
                _ = try await journal.claimNotification("N", wallet: "gcash", at: t0)
            }
            #expect(try await sqlite.allEntries(wallet: nil) == memory.allEntries(wallet: nil))
            #expect(try await sqlite.openEntries(wallet: nil) == memory.openEntries(wallet: nil))
            #expect(try await sqlite.events(refund.id) == memory.events(refund.id))
            #expect(try await sqlite.purge(before: t0.addingTimeInterval(1_000)) == memory.purge(before: t0.addingTimeInterval(1_000)))
            #expect(try await sqlite.allEntries(wallet: nil) == memory.allEntries(wallet: nil))
        }
    }
}
