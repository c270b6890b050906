import Foundation

/// A ``PaymentJournal`` in memory: for one process and for tests. It forgets everything when
/// the process ends; use `SQLitePaymentJournal` where a crash must not lose a payment.
public actor InMemoryPaymentJournal: PaymentJournal {
    private var entries: [JournalEntry.ID: JournalEntry] = [:]
    private var order: [JournalEntry.ID] = []
    private var log: [JournalEntry.ID: [JournalEvent]] = [:]
    private var claims: [String: Date] = [:]

    /// Creates an empty journal.
    public init() {}

    public func begin(_ intent: JournalEntry) -> JournalEntry {
        if let existing = entries[intent.id] { return existing }
        entries[intent.id] = intent
        order.append(intent.id)
        append(
            intent.id,
            JournalEvent(
                at: intent.createdAt, kind: "intent", operation: intent.kind == .payment ? "pay" : "refund",
                detail: "\(intent.amountMinorUnits) \(intent.currency)"))
        return intent
    }

    public func beginFirstAttempt(_ intent: JournalEntry, operation: WalletCapabilities.Operation, at: Date) -> (entry: JournalEntry, inserted: Bool)
    {
        if let existing = entries[intent.id] { return (existing, false) }
        _ = begin(intent)
        recordAttempt(intent.id, operation: operation, attempt: 1, at: at)
        return (entries[intent.id] ?? intent, true)
    }

    public func entry(_ id: JournalEntry.ID) -> JournalEntry? { entries[id] }

    public func recordAttempt(_ id: JournalEntry.ID, operation: WalletCapabilities.Operation, attempt: Int, at: Date) {
        guard var entry = entries[id] else { return }
        if operation == .pay || operation == .refund { entry.attempts += 1 }
        entry.updatedAt = at
        entries[id] = entry
        append(id, JournalEvent(at: at, kind: "attempt", operation: operation.rawValue, detail: "attempt \(attempt)"))
    }

    public func recordOutcome(_ id: JournalEntry.ID, _ outcome: JournalOutcome, at: Date) throws -> (JournalEntry, JournalTransition.Verdict) {
        guard let entry = entries[id] else { throw JournalError("no journal entry \(id)") }
        let (next, verdict) = JournalTransition.apply(outcome, to: entry, at: at)
        entries[id] = next
        append(id, JournalEvent(outcome: outcome, verdict: verdict, at: at))
        return (next, verdict)
    }

    public func openEntries(wallet: String?) -> [JournalEntry] {
        order.compactMap { entries[$0] }.filter { !$0.state.isFinal && (wallet == nil || $0.wallet == wallet) }
    }

    public func allEntries(wallet: String?) -> [JournalEntry] {
        order.compactMap { entries[$0] }.filter { wallet == nil || $0.wallet == wallet }
    }

    public func events(_ id: JournalEntry.ID) -> [JournalEvent] { log[id] ?? [] }

    public func claimNotification(_ key: String, wallet: String, at: Date) -> Bool {
        let scoped = wallet + "/" + key
        guard claims[scoped] == nil else { return false }
        claims[scoped] = at
        return true
    }

    public func releaseNotification(_ key: String, wallet: String) {
        claims[wallet + "/" + key] = nil
    }

    public func purge(before cutoff: Date) -> Int {
        let gone = entries.values.filter { $0.state.isFinal && $0.updatedAt < cutoff }.map(\.id)
        for id in gone { entries[id] = nil; log[id] = nil }
        if !gone.isEmpty { order.removeAll { entries[$0] == nil } }
        claims = claims.filter { $0.value >= cutoff }
        return gone.count
    }

    private func append(_ id: JournalEntry.ID, _ event: JournalEvent) {
        log[id, default: []].append(event)
    }
}

/// Why a journal operation failed (storage, not the wallet).
public struct JournalError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    public let message: String
    /// Creates an error.
    public init(_ message: String) { self.message = message }
    public var description: String { "journal: \(message)" }
}

extension JournalEvent {
    /// The event recording an outcome and what the journal did with it.
    public init(outcome: JournalOutcome, verdict: JournalTransition.Verdict, at: Date) {
        var detail = outcome.state?.rawValue ?? (outcome.notSent ? "not sent" : "no answer")
        if let code = outcome.partnerCode { detail += " [\(code)]" }
        if let error = outcome.error { detail += " \(error.category.rawValue): \(error.message)" }
        switch verdict {
        case .applied: self.init(at: at, kind: "outcome", operation: outcome.operation.rawValue, detail: detail)
        case .kept: self.init(at: at, kind: "kept", operation: outcome.operation.rawValue, detail: detail)
        case .refused(let why): self.init(at: at, kind: "refused", operation: outcome.operation.rawValue, detail: "\(detail); refused: \(why)")
        }
    }
}
