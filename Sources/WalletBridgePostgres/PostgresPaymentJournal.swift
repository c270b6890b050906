import Foundation
import Logging
import PostgresNIO
import WalletBridgeCore

/// A `PaymentJournal` in PostgreSQL, shared by every instance of a merchant's server.
///
/// The semantics are those of the SQLite journal and `InMemoryPaymentJournal`: outcomes go
/// through `JournalTransition.apply(_:to:at:)` (the core's pure state machine, never
/// re-implemented here), and every change that takes more than one statement is one
/// transaction. What sharing adds:
/// - `recordOutcome` reads the entry with `SELECT … FOR UPDATE`: two instances recording an
///   outcome for the same payment serialise, the second one applying its outcome to what the
///   first one committed.
/// - Notification claims are a primary key `(wallet, key)`, and
///   ``recordOutcome(_:_:claimingNotification:wallet:at:)`` claims the key in the transaction
///   that records the notification's effect (``claimsNotificationsWithOutcome`` is true), so
///   of two instances receiving the same delivery exactly one applies it, and a failure
///   between the claim and the effect rolls both back (the redelivery is processed).
/// - ``leaseOpenEntries(wallet:owner:limit:for:at:)`` leases open entries to one reconciler
///   (`SELECT … FOR UPDATE SKIP LOCKED` plus the `lease_owner` and `lease_until` columns): no
///   payment is reconciled by two instances at once, and a lease whose instance died is taken
///   over once it expires.
///
/// Errors are `JournalError`s (which the client reports as `WalletError.Category.journalUnavailable`,
/// as it does the SQLite journal's); a lost connection or a restarting server fails the
/// operation under way with nothing half-written, and later operations reconnect.
///
/// ```swift
/// let storage = try PostgresStorage(client: client, schema: "walletbridge")
/// let journal = try await PostgresPaymentJournal(storage: storage)
/// let wallet = WalletClient(adapter: adapter, journal: journal)
/// ```
public final class PostgresPaymentJournal: PaymentJournal {
    /// Where the tables are.
    public let storage: PostgresStorage
    private let entries: String
    private let events: String
    private let claims: String

    /// Opens the journal in `storage`, creating or upgrading its tables
    /// (``PostgresStorage/migrate()``). The storage's client must be running.
    ///
    /// - Throws: `JournalError` when the database cannot be reached or migrated.
    public convenience init(storage: PostgresStorage) async throws {
        try await storage.migrate()
        self.init(migratedStorage: storage)
    }

    /// Opens the journal in `storage` without migrating (the tables must exist: another
    /// instance or ``PostgresStorage/migrate()`` created them).
    public init(migratedStorage storage: PostgresStorage) {
        self.storage = storage
        entries = storage.table("walletbridge_journal_entries")
        events = storage.table("walletbridge_journal_events")
        claims = storage.table("walletbridge_notification_claims")
    }

    private var logger: Logger { storage.logger }

    // MARK: - Entries

    /// Records `intent` (and an `intent` event) unless an entry with its id exists.
    ///
    /// - Returns: The entry as stored: the existing one, unchanged, when there was one.
    /// - Throws: `JournalError` when the database cannot be written.
    public func begin(_ intent: JournalEntry) async throws -> JournalEntry {
        let row = try EntryColumns(intent)
        return try await storage.transaction("could not record the intent \(intent.id)") { [self] connection in
            if try await insert(row, connection) {
                try await append(Self.intentEvent(intent), to: intent.id, connection)
                return intent
            }
            return try await select(intent.id, forUpdate: false, connection) ?? intent
        }
    }

    /// Records a new intent and its first attempt in one transaction.
    public func beginFirstAttempt(
        _ intent: JournalEntry, operation: WalletCapabilities.Operation, at: Date
    ) async throws -> (entry: JournalEntry, inserted: Bool) {
        var first = intent
        if operation == .pay || operation == .refund { first.attempts += 1 }
        first.updatedAt = at
        let row = try EntryColumns(first)
        let recorded = first
        return try await storage.transaction("could not record the intent \(intent.id)") { [self] connection in
            guard try await insert(row, connection) else {
                return (try await select(intent.id, forUpdate: false, connection) ?? intent, false)
            }
            try await append(Self.intentEvent(intent), to: intent.id, connection)
            try await append(JournalEvent(at: at, kind: "attempt", operation: operation.rawValue, detail: "attempt 1"), to: intent.id, connection)
            return (recorded, true)
        }
    }

    /// The entry with `id`, if any.
    public func entry(_ id: JournalEntry.ID) async throws -> JournalEntry? {
        let rows = try await storage.rows(
            "could not read the entry \(id)", "SELECT \(unescaped: Self.columns) FROM \(unescaped: entries) WHERE id = \(id)")
        return try rows.first.map { try Self.entry(from: $0) }
    }

    /// Records that an attempt of `operation` is about to be sent (`attempts` grows by one for
    /// pay and refund) with an `attempt` event. Does nothing when there is no entry with `id`.
    public func recordAttempt(_ id: JournalEntry.ID, operation: WalletCapabilities.Operation, attempt: Int, at: Date) async throws {
        let increment: Int64 = operation == .pay || operation == .refund ? 1 : 0
        let updated = at.timeIntervalSinceReferenceDate
        try await storage.transaction("could not record attempt \(attempt) of \(id)") { [self] connection in
            let rows = try await connection.rows(
                "UPDATE \(unescaped: entries) SET attempts = attempts + \(increment), updated_at = \(updated) WHERE id = \(id) RETURNING id", logger)
            guard !rows.isEmpty else { return }
            try await append(JournalEvent(at: at, kind: "attempt", operation: operation.rawValue, detail: "attempt \(attempt)"), to: id, connection)
        }
    }

    /// Applies `outcome` through `JournalTransition.apply(_:to:at:)` to the entry, read with
    /// `FOR UPDATE`, and stores the result and its event in one transaction.
    ///
    /// - Throws: `JournalError` when there is no entry with `id` or the database cannot be
    ///   written (nothing is stored then).
    public func recordOutcome(_ id: JournalEntry.ID, _ outcome: JournalOutcome, at: Date) async throws -> (JournalEntry, JournalTransition.Verdict) {
        try await storage.transaction("could not record the outcome of \(id)") { [self] connection in
            try await apply(outcome, to: id, at: at, connection)
        }
    }

    /// Every entry that is not final, oldest first, optionally of one wallet.
    public func openEntries(wallet: String?) async throws -> [JournalEntry] {
        let query: PostgresQuery =
            if let wallet {
                "SELECT \(unescaped: Self.columns) FROM \(unescaped: entries) WHERE \(unescaped: Self.open) AND wallet = \(wallet) ORDER BY created_at, seq"
            } else {
                "SELECT \(unescaped: Self.columns) FROM \(unescaped: entries) WHERE \(unescaped: Self.open) ORDER BY created_at, seq"
            }
        return try await storage.rows("could not read the open entries", query).map(Self.entry(from:))
    }

    /// Every entry of `wallet` (or of every wallet), oldest first.
    public func allEntries(wallet: String?) async throws -> [JournalEntry] {
        let query: PostgresQuery =
            if let wallet {
                "SELECT \(unescaped: Self.columns) FROM \(unescaped: entries) WHERE wallet = \(wallet) ORDER BY created_at, seq"
            } else {
                "SELECT \(unescaped: Self.columns) FROM \(unescaped: entries) ORDER BY created_at, seq"
            }
        return try await storage.rows("could not read the entries", query).map(Self.entry(from:))
    }

    /// The events recorded for the entry `id`, oldest first.
    public func events(_ id: JournalEntry.ID) async throws -> [JournalEvent] {
        let rows = try await storage.rows(
            "could not read the events of \(id)", "SELECT at, kind, operation, detail FROM \(unescaped: events) WHERE entry_id = \(id) ORDER BY seq")
        do {
            return try rows.map { row in
                let (at, kind, operation, detail) = try row.decode((Double, String, String, String).self)
                return JournalEvent(at: Date(timeIntervalSinceReferenceDate: at), kind: kind, operation: operation, detail: detail)
            }
        } catch {
            throw PostgresErrors.journalError(error, "could not read the events of \(id)")
        }
    }

    /// Deletes, in one transaction, the final entries last updated before `cutoff` (their
    /// events go with them) and the notification claims made before `cutoff`.
    ///
    /// - Returns: How many entries were deleted.
    public func purge(before cutoff: Date) async throws -> Int {
        let limit = cutoff.timeIntervalSinceReferenceDate
        return try await storage.transaction("could not purge the payment journal") { [self] connection in
            let rows = try await connection.rows(
                "DELETE FROM \(unescaped: entries) WHERE \(unescaped: Self.final) AND updated_at < \(limit) RETURNING id", logger)
            try await connection.query("DELETE FROM \(unescaped: claims) WHERE claimed_at < \(limit)", logger: logger)
            return rows.count
        }
    }

    // MARK: - Notifications

    /// True: ``recordOutcome(_:_:claimingNotification:wallet:at:)`` claims a notification in
    /// the transaction that records its effect.
    public var claimsNotificationsWithOutcome: Bool { true }

    /// Claims the deduplication `key` of a notification from `wallet` (a unique key across every
    /// instance).
    ///
    /// - Returns: True for the first claim; false when the key was claimed before.
    public func claimNotification(_ key: String, wallet: String, at: Date) async throws -> Bool {
        try await storage.transaction("could not claim a notification of \(wallet)") { [self] connection in
            try await claim(key, wallet: wallet, at: at, connection)
        }
    }

    /// Gives back the claim of `key` from `wallet`.
    public func releaseNotification(_ key: String, wallet: String) async throws {
        _ = try await storage.rows(
            "could not release a notification of \(wallet)", "DELETE FROM \(unescaped: claims) WHERE wallet = \(wallet) AND key = \(key)")
    }

    /// Whether `key` from `wallet` is claimed.
    public func isNotificationClaimed(_ key: String, wallet: String) async throws -> Bool {
        try await !storage.rows(
            "could not read a notification claim of \(wallet)", "SELECT 1 FROM \(unescaped: claims) WHERE wallet = \(wallet) AND key = \(key)"
        ).isEmpty
    }

    /// Claims `key` and applies `outcome` to the entry `id` in one transaction: nil, with
    /// nothing changed, when the key was claimed before. A refused transition is recorded as an
    /// event but leaves the key unclaimed; an error rolls back the claim with the rest.
    public func recordOutcome(
        _ id: JournalEntry.ID, _ outcome: JournalOutcome, claimingNotification key: String, wallet: String, at now: Date
    ) async throws -> (JournalEntry, JournalTransition.Verdict)? {
        try await storage.transaction("could not record the notification for \(id)") { [self] connection in
            guard try await claim(key, wallet: wallet, at: now, connection) else { return nil }
            let (entry, verdict) = try await apply(outcome, to: id, at: now, connection)
            if case .refused = verdict {
                try await connection.query("DELETE FROM \(unescaped: claims) WHERE wallet = \(wallet) AND key = \(key)", logger: logger)
            }
            return (entry, verdict)
        }
    }

    // MARK: - Leases

    /// Leases up to `limit` open entries (of `wallet`, or of every wallet) to `owner` until
    /// `now + duration`, oldest first: entries never leased, given back, or whose lease expired
    /// before `now`. Rows another transaction is leasing at this moment are skipped
    /// (`FOR UPDATE SKIP LOCKED`), so concurrent reconcilers get disjoint entries.
    ///
    /// `now` is the caller's clock: instances sharing a journal need clocks that agree to well
    /// within `duration`.
    ///
    /// - Returns: The leases, oldest entry first; a lease taken over from an expired one names
    ///   its `JournalLease.previousOwner`.
    public func leaseOpenEntries(
        wallet: String?, owner: String, limit: Int, for duration: Duration, at now: Date
    ) async throws -> [JournalLease] {
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        let start = now.timeIntervalSinceReferenceDate
        let until = start + seconds
        let count = Int64(max(1, limit))
        let walletFilter = wallet ?? ""
        let anyWallet = wallet == nil
        return try await storage.transaction("could not lease open entries") { [self] connection in
            let rows = try await connection.rows(
                """
                WITH candidates AS (
                    SELECT id, lease_owner, lease_until FROM \(unescaped: entries)
                    WHERE \(unescaped: Self.open) AND (\(anyWallet) OR wallet = \(walletFilter))
                        AND (lease_until IS NULL OR lease_until < \(start))
                    ORDER BY created_at, seq
                    LIMIT \(count)
                    FOR UPDATE SKIP LOCKED
                )
                UPDATE \(unescaped: entries) AS e SET lease_owner = \(owner), lease_until = \(until)
                FROM candidates AS c WHERE e.id = c.id
                RETURNING \(unescaped: Self.qualifiedColumns("e")), c.lease_owner AS previous_owner
                """, logger)
            var leases: [(seq: Int64, lease: JournalLease)] = []
            for row in rows {
                let random = row.makeRandomAccess()
                let previous = try random["previous_owner"].decode(String?.self)
                let seq = try random["seq"].decode(Int64.self)
                let entry = try Self.entry(from: row)
                leases.append(
                    (
                        seq,
                        JournalLease(
                            entry: entry, owner: owner, until: Date(timeIntervalSinceReferenceDate: until),
                            previousOwner: previous.flatMap { $0 == owner ? nil : $0 })
                    ))
            }
            return leases.sorted { ($0.lease.entry.createdAt, $0.seq) < ($1.lease.entry.createdAt, $1.seq) }.map(\.lease)
        }
    }

    /// Gives back `owner`'s lease on the entry `id` (another owner's lease is left alone).
    public func releaseLease(_ id: JournalEntry.ID, owner: String) async throws {
        _ = try await storage.rows(
            "could not give back the lease on \(id)",
            "UPDATE \(unescaped: entries) SET lease_owner = NULL, lease_until = NULL WHERE id = \(id) AND lease_owner = \(owner)")
    }

    /// The lease on the entry `id`, if one is recorded (expired or not): its owner and expiry.
    public func lease(_ id: JournalEntry.ID) async throws -> (owner: String, until: Date)? {
        let rows = try await storage.rows(
            "could not read the lease on \(id)", "SELECT lease_owner, lease_until FROM \(unescaped: entries) WHERE id = \(id)")
        guard let row = rows.first else { return nil }
        do {
            let (owner, until) = try row.decode((String?, Double?).self)
            guard let owner, let until else { return nil }
            return (owner, Date(timeIntervalSinceReferenceDate: until))
        } catch {
            throw PostgresErrors.journalError(error, "could not read the lease on \(id)")
        }
    }

    // MARK: - Statements

    private func insert(_ row: EntryColumns, _ connection: PostgresConnection) async throws -> Bool {
        let inserted = try await connection.rows(
            """
            INSERT INTO \(unescaped: entries) (id, wallet, kind, merchant_reference, wallet_reference, refund_reference,
                wallet_refund_reference, amount_minor_units, currency, pinned, state, last_error, partner_code,
                attempts, unsent_attempts, created_at, updated_at)
            VALUES (\(row.id), \(row.wallet), \(row.kind), \(row.merchantReference), \(row.walletReference), \(row.refundReference),
                \(row.walletRefundReference), \(row.amountMinorUnits), \(row.currency), \(row.pinned), \(row.state), \(row.lastError),
                \(row.partnerCode), \(row.attempts), \(row.unsentAttempts), \(row.createdAt), \(row.updatedAt))
            ON CONFLICT (id) DO NOTHING
            RETURNING id
            """, logger)
        return !inserted.isEmpty
    }

    private func select(_ id: JournalEntry.ID, forUpdate: Bool, _ connection: PostgresConnection) async throws -> JournalEntry? {
        let lock = forUpdate ? " FOR UPDATE" : ""
        let rows = try await connection.rows(
            "SELECT \(unescaped: Self.columns) FROM \(unescaped: entries) WHERE id = \(id)\(unescaped: lock)", logger)
        return try rows.first.map { try Self.entry(from: $0) }
    }

    /// Reads the entry `FOR UPDATE`, applies the transition, writes the entry and its event.
    private func apply(
        _ outcome: JournalOutcome, to id: JournalEntry.ID, at: Date, _ connection: PostgresConnection
    ) async throws -> (JournalEntry, JournalTransition.Verdict) {
        guard let entry = try await select(id, forUpdate: true, connection) else { throw JournalError("no journal entry \(id)") }
        let (next, verdict) = JournalTransition.apply(outcome, to: entry, at: at)
        let row = try EntryColumns(next)
        try await connection.query(
            """
            UPDATE \(unescaped: entries) SET wallet = \(row.wallet), kind = \(row.kind), merchant_reference = \(row.merchantReference),
                wallet_reference = \(row.walletReference), refund_reference = \(row.refundReference),
                wallet_refund_reference = \(row.walletRefundReference), amount_minor_units = \(row.amountMinorUnits),
                currency = \(row.currency), pinned = \(row.pinned), state = \(row.state), last_error = \(row.lastError),
                partner_code = \(row.partnerCode), attempts = \(row.attempts), unsent_attempts = \(row.unsentAttempts),
                created_at = \(row.createdAt), updated_at = \(row.updatedAt)
            WHERE id = \(id)
            """, logger: logger)
        try await append(JournalEvent(outcome: outcome, verdict: verdict, at: at), to: id, connection)
        return (next, verdict)
    }

    private func claim(_ key: String, wallet: String, at: Date, _ connection: PostgresConnection) async throws -> Bool {
        let claimedAt = at.timeIntervalSinceReferenceDate
        let rows = try await connection.rows(
            """
            INSERT INTO \(unescaped: claims) (wallet, key, claimed_at) VALUES (\(wallet), \(key), \(claimedAt))
            ON CONFLICT (wallet, key) DO NOTHING RETURNING key
            """, logger)
        return !rows.isEmpty
    }

    private func append(_ event: JournalEvent, to id: JournalEntry.ID, _ connection: PostgresConnection) async throws {
        let at = event.at.timeIntervalSinceReferenceDate
        try await connection.query(
            """
            INSERT INTO \(unescaped: events) (entry_id, at, kind, operation, detail)
            VALUES (\(id), \(at), \(event.kind), \(event.operation), \(event.detail))
            """, logger: logger)
    }

    private static func intentEvent(_ intent: JournalEntry) -> JournalEvent {
        JournalEvent(
            at: intent.createdAt, kind: "intent", operation: intent.kind == .payment ? "pay" : "refund",
            detail: "\(intent.amountMinorUnits) \(intent.currency)")
    }

    // MARK: - Rows

    private static let final = "state IN ('succeeded', 'failed', 'cancelled')"
    private static let open = "state NOT IN ('succeeded', 'failed', 'cancelled')"
    private static let columnNames = [
        "id", "wallet", "kind", "merchant_reference", "wallet_reference", "refund_reference", "wallet_refund_reference",
        "amount_minor_units", "currency", "pinned", "state", "last_error", "partner_code", "attempts", "unsent_attempts",
        "created_at", "updated_at", "seq",
    ]
    private static let columns = columnNames.joined(separator: ", ")
    private static func qualifiedColumns(_ alias: String) -> String { columnNames.map { "\(alias).\($0)" }.joined(separator: ", ") }

    /// An entry as the table's columns.
    private struct EntryColumns: Sendable {
        var id, wallet, kind, merchantReference, currency, pinned, state: String
        var walletReference, refundReference, walletRefundReference, lastError, partnerCode: String?
        var amountMinorUnits, attempts, unsentAttempts: Int64
        var createdAt, updatedAt: Double

        init(_ entry: JournalEntry) throws {
            id = entry.id
            wallet = entry.wallet
            kind = entry.kind.rawValue
            merchantReference = entry.merchantReference
            walletReference = entry.walletReference
            refundReference = entry.refundReference
            walletRefundReference = entry.walletRefundReference
            amountMinorUnits = entry.amountMinorUnits
            currency = entry.currency
            pinned = try PostgresPaymentJournal.json(entry.pinned)
            state = entry.state.rawValue
            lastError = try entry.lastError.map(PostgresPaymentJournal.json)
            partnerCode = entry.partnerCode
            attempts = Int64(entry.attempts)
            unsentAttempts = Int64(entry.unsentAttempts)
            createdAt = entry.createdAt.timeIntervalSinceReferenceDate
            updatedAt = entry.updatedAt.timeIntervalSinceReferenceDate
        }
    }

    private static func entry(from row: PostgresRow) throws -> JournalEntry {
        let row = row.makeRandomAccess()
        let id: String
        do {
            id = try row["id"].decode(String.self)
        } catch {
            throw PostgresErrors.journalError(error, "could not read a journal entry")
        }
        do {
            let kindText = try row["kind"].decode(String.self)
            guard let kind = JournalEntry.Kind(rawValue: kindText) else { throw JournalError("the entry \(id) has an unknown kind \(kindText)") }
            let stateText = try row["state"].decode(String.self)
            guard let state = JournalEntry.State(rawValue: stateText) else {
                throw JournalError("the entry \(id) has an unknown state \(stateText)")
            }
            let pinnedText = try row["pinned"].decode(String.self)
            let lastErrorText = try row["last_error"].decode(String?.self)
            let pinned: JournalEntry.PinnedInputs
            let lastError: StoredError?
            do {
                pinned = try JSONDecoder().decode(JournalEntry.PinnedInputs.self, from: Data(pinnedText.utf8))
                lastError = try lastErrorText.map { try JSONDecoder().decode(StoredError.self, from: Data($0.utf8)) }
            } catch {
                throw JournalError("the entry \(id) holds pinned inputs or an error that cannot be read")
            }
            return JournalEntry(
                id: id, wallet: try row["wallet"].decode(String.self), kind: kind,
                merchantReference: try row["merchant_reference"].decode(String.self),
                walletReference: try row["wallet_reference"].decode(String?.self),
                refundReference: try row["refund_reference"].decode(String?.self),
                walletRefundReference: try row["wallet_refund_reference"].decode(String?.self),
                amountMinorUnits: try row["amount_minor_units"].decode(Int64.self),
                currency: try row["currency"].decode(String.self), pinned: pinned, state: state, lastError: lastError,
                partnerCode: try row["partner_code"].decode(String?.self),
                attempts: Int(try row["attempts"].decode(Int64.self)), unsentAttempts: Int(try row["unsent_attempts"].decode(Int64.self)),
                createdAt: Date(timeIntervalSinceReferenceDate: try row["created_at"].decode(Double.self)),
                updatedAt: Date(timeIntervalSinceReferenceDate: try row["updated_at"].decode(Double.self)))
        } catch {
            throw PostgresErrors.journalError(error, "could not read the journal entry \(id)")
        }
    }

    /// The JSON text of `value`, keys sorted so equal values give equal text.
    static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        do {
            return String(decoding: try encoder.encode(value), as: UTF8.self)
        } catch {
            throw JournalError("could not encode a journal value as JSON")
        }
    }
}
