import Foundation
import GRDB
import WalletBridgeCore

/// The durable `PaymentJournal`: one SQLite file, opened through a GRDB `DatabasePool` in WAL
/// mode with durable commits, that several processes may share.
///
/// Every change is one `IMMEDIATE` transaction, committed with `PRAGMA synchronous = FULL`
/// (plus `fullfsync` on Apple platforms), so a recorded intent, attempt or outcome survives a
/// crash or a power cut once the call returns. Writers from other processes are waited for up
/// to the busy timeout instead of failing at once.
///
/// The semantics are those of `InMemoryPaymentJournal`: outcomes go through
/// `JournalTransition` and the resulting entry and its event are stored in the same
/// transaction; notification claims are unique per wallet and key across every process that
/// opens the file. The journal stores no secret (the model carries none); the customer
/// authorizations that may share its file hold their tokens sealed.
///
/// Storage layout (created and migrated by a versioned `DatabaseMigrator` on every open):
/// - `journal_entries`: one row per `JournalEntry`; `pinned` and `last_error` hold the JSON of
///   `JournalEntry.PinnedInputs` and `StoredError`; `seq` records insertion order.
/// - `journal_events`: the `JournalEvent`s of each entry, in insertion order (`seq`).
/// - `notification_claims`: the claimed notification keys, primary key `(wallet, key)`.
/// - `customer_authorizations`: the rows of ``SQLiteCustomerAuthorizationStore`` (migration
///   `v2`), tokens sealed; empty unless a store is opened on the file.
///
/// Dates are stored as `REAL` seconds since 2001-01-01 (`timeIntervalSinceReferenceDate`),
/// which round-trips a `Date` exactly.
///
/// ```swift
/// let journal = try SQLitePaymentJournal(path: "/var/lib/shop/payments.sqlite")
/// let client = WalletClient(adapter: adapter, journal: journal)
/// ```
public final class SQLitePaymentJournal: PaymentJournal {
    /// The path of the database file.
    public let path: String
    private let pool: DatabasePool

    /// The connections, shared with a `SQLiteCustomerAuthorizationStore` opened on this journal.
    var databasePool: DatabasePool { pool }

    /// Opens (creating it if needed) the journal at `path`, waiting up to 5 seconds for other
    /// processes' writes.
    ///
    /// Creates the parent directory when it is missing and migrates the schema to the current
    /// version (a no-op when it is current).
    ///
    /// - Parameter path: The database file's path.
    /// - Throws: `JournalError` when the directory cannot be created, the file is not an
    ///   SQLite database, or the schema cannot be set up.
    public convenience init(path: String) throws {
        try self.init(path: path, busyTimeout: 5)
    }

    /// Opens (creating it if needed) the journal at `path`.
    ///
    /// - Parameters:
    ///   - path: The database file's path. The parent directory is created when missing.
    ///   - busyTimeout: How long, in seconds, to wait for another connection or process that
    ///     holds the write lock before failing.
    /// - Throws: `JournalError` when the directory cannot be created, the file is not an
    ///   SQLite database, or the schema cannot be set up.
    public init(path: String, busyTimeout: TimeInterval) throws {
        self.path = path
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw JournalError("could not create the directory \(directory.path) for the payment journal: \(error.localizedDescription)")
        }

        var configuration = Configuration()
        configuration.label = "WalletBridge.PaymentJournal"
        configuration.busyMode = .timeout(busyTimeout)
        configuration.foreignKeysEnabled = true
        configuration.prepareDatabase { db in
            try Self.applyDurability(db)
        }
        do {
            pool = try Self.open(path: path, configuration: configuration, busyTimeout: busyTimeout)
        } catch {
            throw Self.wrap(error, "could not open the payment journal at \(path)")
        }
        do {
            try Self.migrate(pool, busyTimeout: busyTimeout)
        } catch {
            throw Self.wrap(error, "could not set up the payment journal schema at \(path)")
        }
    }

    /// Closes the database connections. Any later call on this journal throws `JournalError`.
    ///
    /// Closing is optional: the connections close when the journal is released.
    ///
    /// - Throws: `JournalError` when a connection cannot be closed (it stays usable then).
    public func close() throws {
        do {
            try pool.close()
        } catch {
            throw Self.wrap(error, "could not close the payment journal")
        }
    }

    // MARK: - PaymentJournal

    /// Records `intent` (and an `intent` event) unless an entry with its id exists.
    ///
    /// - Returns: The entry as stored: the existing one, unchanged, when there was one.
    /// - Throws: `JournalError` when the database cannot be written.
    public func begin(_ intent: JournalEntry) async throws -> JournalEntry {
        let pinned = try Self.json(intent.pinned)
        let lastError = try intent.lastError.map(Self.json)
        return try await write("could not record the intent \(intent.id)") { db in
            if let row = try Row.fetchOne(db, sql: "SELECT * FROM journal_entries WHERE id = ?", arguments: [intent.id]) {
                return try Self.entry(from: row)
            }
            try Self.insert(intent, pinned: pinned, lastError: lastError, db)
            return intent
        }
    }

    /// Records a new intent and its first attempt in one transaction: one durable commit before
    /// the first byte is sent, instead of two.
    public func beginFirstAttempt(
        _ intent: JournalEntry, operation: WalletCapabilities.Operation, at: Date
    ) async throws -> (entry: JournalEntry, inserted: Bool) {
        let pinned = try Self.json(intent.pinned)
        let lastError = try intent.lastError.map(Self.json)
        return try await write("could not record the intent \(intent.id)") { db in
            if let row = try Row.fetchOne(db, sql: "SELECT * FROM journal_entries WHERE id = ?", arguments: [intent.id]) {
                return (try Self.entry(from: row), false)
            }
            var first = intent
            if operation == .pay || operation == .refund { first.attempts += 1 }
            first.updatedAt = at
            try Self.insert(first, pinned: pinned, lastError: lastError, db)
            try Self.append(JournalEvent(at: at, kind: "attempt", operation: operation.rawValue, detail: "attempt 1"), to: first.id, db)
            return (first, true)
        }
    }

    /// The entry with `id`, if any.
    ///
    /// - Throws: `JournalError` when the database cannot be read or holds an unreadable row.
    public func entry(_ id: JournalEntry.ID) async throws -> JournalEntry? {
        try await read("could not read the entry \(id)") { db in
            try Row.fetchOne(db, sql: "SELECT * FROM journal_entries WHERE id = ?", arguments: [id]).map(Self.entry(from:))
        }
    }

    /// Inserts an entry and its intent event.
    private static func insert(_ intent: JournalEntry, pinned: String, lastError: String?, _ db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO journal_entries (id, wallet, kind, merchant_reference, wallet_reference, refund_reference,
                    wallet_refund_reference, amount_minor_units, currency, pinned, state, last_error, partner_code,
                    attempts, unsent_attempts, created_at, updated_at, seq)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
                    (SELECT COALESCE(MAX(seq), 0) + 1 FROM journal_entries))
                """,
            arguments: [
                intent.id, intent.wallet, intent.kind.rawValue, intent.merchantReference, intent.walletReference,
                intent.refundReference, intent.walletRefundReference, intent.amountMinorUnits, intent.currency, pinned,
                intent.state.rawValue, lastError, intent.partnerCode, intent.attempts, intent.unsentAttempts,
                intent.createdAt.timeIntervalSinceReferenceDate, intent.updatedAt.timeIntervalSinceReferenceDate,
            ])
        try append(
            JournalEvent(
                at: intent.createdAt, kind: "intent", operation: intent.kind == .payment ? "pay" : "refund",
                detail: "\(intent.amountMinorUnits) \(intent.currency)"),
            to: intent.id, db)
    }

    /// Records that an attempt of `operation` is about to be sent: `attempts` grows by one for
    /// `WalletCapabilities.Operation.pay` and `WalletCapabilities.Operation.refund`, and an
    /// `attempt` event is recorded. Does nothing when there is no entry with `id`.
    ///
    /// - Throws: `JournalError` when the database cannot be written.
    public func recordAttempt(_ id: JournalEntry.ID, operation: WalletCapabilities.Operation, attempt: Int, at: Date) async throws {
        let increment = operation == .pay || operation == .refund ? 1 : 0
        try await write("could not record attempt \(attempt) of \(id)") { db in
            try db.execute(
                sql: "UPDATE journal_entries SET attempts = attempts + ?, updated_at = ? WHERE id = ?",
                arguments: [increment, at.timeIntervalSinceReferenceDate, id])
            guard db.changesCount > 0 else { return }
            try Self.append(JournalEvent(at: at, kind: "attempt", operation: operation.rawValue, detail: "attempt \(attempt)"), to: id, db)
        }
    }

    /// Applies `outcome` through `JournalTransition.apply(_:to:at:)` and stores the resulting
    /// entry and its event in one transaction.
    ///
    /// - Returns: The entry as it now stands, with the transition's verdict.
    /// - Throws: `JournalError` when there is no entry with `id` or the database cannot be
    ///   written (nothing is stored then).
    public func recordOutcome(_ id: JournalEntry.ID, _ outcome: JournalOutcome, at: Date) async throws -> (JournalEntry, JournalTransition.Verdict) {
        try await write("could not record the outcome of \(id)") { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM journal_entries WHERE id = ?", arguments: [id]) else {
                throw JournalError("no journal entry \(id)")
            }
            let (next, verdict) = JournalTransition.apply(outcome, to: try Self.entry(from: row), at: at)
            try db.execute(
                sql: """
                    UPDATE journal_entries SET wallet = ?, kind = ?, merchant_reference = ?, wallet_reference = ?,
                        refund_reference = ?, wallet_refund_reference = ?, amount_minor_units = ?, currency = ?, pinned = ?,
                        state = ?, last_error = ?, partner_code = ?, attempts = ?, unsent_attempts = ?, created_at = ?,
                        updated_at = ?
                    WHERE id = ?
                    """,
                arguments: [
                    next.wallet, next.kind.rawValue, next.merchantReference, next.walletReference, next.refundReference,
                    next.walletRefundReference, next.amountMinorUnits, next.currency, try Self.json(next.pinned), next.state.rawValue,
                    try next.lastError.map(Self.json), next.partnerCode, next.attempts, next.unsentAttempts,
                    next.createdAt.timeIntervalSinceReferenceDate, next.updatedAt.timeIntervalSinceReferenceDate, id,
                ])
            try Self.append(JournalEvent(outcome: outcome, verdict: verdict, at: at), to: id, db)
            return (next, verdict)
        }
    }

    /// Every entry that is not final, oldest first (by creation, then insertion), optionally of
    /// one wallet.
    ///
    /// - Throws: `JournalError` when the database cannot be read or holds an unreadable row.
    public func openEntries(wallet: String?) async throws -> [JournalEntry] {
        let finals = Self.finalStates
        return try await read("could not read the open entries") { db in
            var sql = "SELECT * FROM journal_entries WHERE state NOT IN (\(Self.placeholders(finals.count)))"
            var arguments = StatementArguments(finals)
            if let wallet {
                sql += " AND wallet = ?"
                arguments += [wallet]
            }
            sql += " ORDER BY created_at, seq"
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map(Self.entry(from:))
        }
    }

    /// Every entry of `wallet` (or of every wallet when nil), oldest first (by creation, then
    /// insertion).
    ///
    /// - Throws: `JournalError` when the database cannot be read or holds an unreadable row.
    public func allEntries(wallet: String?) async throws -> [JournalEntry] {
        try await read("could not read the entries") { db in
            if let wallet {
                return try Row.fetchAll(db, sql: "SELECT * FROM journal_entries WHERE wallet = ? ORDER BY created_at, seq", arguments: [wallet])
                    .map(Self.entry(from:))
            }
            return try Row.fetchAll(db, sql: "SELECT * FROM journal_entries ORDER BY created_at, seq").map(Self.entry(from:))
        }
    }

    /// The events recorded for the entry `id`, oldest first (in the order they were recorded).
    ///
    /// - Throws: `JournalError` when the database cannot be read.
    public func events(_ id: JournalEntry.ID) async throws -> [JournalEvent] {
        try await read("could not read the events of \(id)") { db in
            try Row.fetchAll(db, sql: "SELECT at, kind, operation, detail FROM journal_events WHERE entry_id = ? ORDER BY seq", arguments: [id])
                .map { row in
                    JournalEvent(
                        at: Date(timeIntervalSinceReferenceDate: try row.decode(Double.self, forColumn: "at")),
                        kind: try row.decode(forColumn: "kind"), operation: try row.decode(forColumn: "operation"),
                        detail: try row.decode(forColumn: "detail"))
                }
        }
    }

    /// Claims the deduplication `key` of a notification from `wallet`, atomically across every
    /// connection and process sharing the file.
    ///
    /// - Returns: True for the first claim; false when the key was claimed before (and not
    ///   released).
    /// - Throws: `JournalError` when the database cannot be written.
    public func claimNotification(_ key: String, wallet: String, at: Date) async throws -> Bool {
        try await write("could not claim a notification of \(wallet)") { db in
            try db.execute(
                sql: "INSERT INTO notification_claims (wallet, key, claimed_at) VALUES (?, ?, ?) ON CONFLICT (wallet, key) DO NOTHING",
                arguments: [wallet, key, at.timeIntervalSinceReferenceDate])
            return db.changesCount > 0
        }
    }

    /// Gives back the claim of `key` from `wallet` because processing did not finish.
    ///
    /// - Throws: `JournalError` when the database cannot be written.
    public func releaseNotification(_ key: String, wallet: String) async throws {
        try await write("could not release a notification of \(wallet)") { db in
            try db.execute(sql: "DELETE FROM notification_claims WHERE wallet = ? AND key = ?", arguments: [wallet, key])
        }
    }

    /// Deletes, in one transaction, the final entries last updated before `cutoff` with their
    /// events, and the notification claims made before `cutoff`.
    ///
    /// - Returns: How many entries were deleted.
    /// - Throws: `JournalError` when the database cannot be written (nothing is deleted then).
    public func purge(before cutoff: Date) async throws -> Int {
        let finals = Self.finalStates
        let limit = cutoff.timeIntervalSinceReferenceDate
        return try await write("could not purge the payment journal") { db in
            let condition = "state IN (\(Self.placeholders(finals.count))) AND updated_at < ?"
            let arguments = StatementArguments(finals) + [limit]
            try db.execute(
                sql: "DELETE FROM journal_events WHERE entry_id IN (SELECT id FROM journal_entries WHERE \(condition))",
                arguments: arguments)
            try db.execute(sql: "DELETE FROM journal_entries WHERE \(condition)", arguments: arguments)
            let removed = db.changesCount
            try db.execute(sql: "DELETE FROM notification_claims WHERE claimed_at < ?", arguments: [limit])
            return removed
        }
    }

    // MARK: - Access

    private func write<T: Sendable>(_ what: String, _ updates: @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.write(updates)
        } catch {
            throw Self.wrap(error, what)
        }
    }

    private func read<T: Sendable>(_ what: String, _ value: @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.read(value)
        } catch {
            throw Self.wrap(error, what)
        }
    }

    /// A ``JournalError`` describing `error` (SQLite code and message, never the statement's
    /// arguments); journal errors and cancellation pass through unchanged.
    /// Opens the pool and checks durable commits. Several instances opening a new file at
    /// once can find it locked while one of them switches it to WAL, a step SQLite's busy
    /// handler does not cover: that is retried until `busyTimeout` has passed.
    private static func open(path: String, configuration: Configuration, busyTimeout: TimeInterval) throws -> DatabasePool {
        let deadline = Date().addingTimeInterval(busyTimeout)
        while true {
            do {
                let pool = try DatabasePool(path: path, configuration: configuration)
                // DatabasePool turns on WAL after the preparation functions ran, and lowers the
                // writer's `synchronous` to NORMAL while doing so: assert FULL again on the writer
                // (the only connection that commits) and check that it holds.
                try pool.writeWithoutTransaction { db in
                    try Self.applyDurability(db)
                    let synchronous = try Int.fetchOne(db, sql: "PRAGMA synchronous")
                    guard synchronous == 2 else {
                        throw JournalError(
                            "SQLite refused durable commits (PRAGMA synchronous is \(synchronous.map(String.init) ?? "unknown"), expected FULL)")
                    }
                }
                return pool
            } catch let error as DatabaseError where (error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED) && Date() < deadline {
                Thread.sleep(forTimeInterval: 0.02)
            }
        }
    }

    private static func wrap(_ error: any Error, _ what: String) -> any Error {
        switch error {
        case let error as JournalError:
            return error
        case let error as CancellationError:
            return error
        case let error as DatabaseError:
            let reason = error.message ?? "no message"
            return JournalError("\(what): SQLite error \(error.extendedResultCode.rawValue) (\(reason))")
        case is DecodingError, is EncodingError:
            return JournalError("\(what): a stored value is not in the expected JSON shape")
        default:
            return JournalError("\(what): \(error.localizedDescription)")
        }
    }

    // MARK: - Schema

    private static func applyDurability(_ db: Database) throws {
        try db.execute(sql: "PRAGMA synchronous = FULL")
        #if canImport(Darwin)
            // On Apple platforms fsync does not reach the platter; F_FULLFSYNC does.
            try db.execute(sql: "PRAGMA fullfsync = ON")
            try db.execute(sql: "PRAGMA checkpoint_fullfsync = ON")
        #endif
    }

    private static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: entries, events, notification claims") { db in
            try db.execute(
                sql: """
                    CREATE TABLE journal_entries (
                        id TEXT NOT NULL PRIMARY KEY,
                        wallet TEXT NOT NULL,
                        kind TEXT NOT NULL,
                        merchant_reference TEXT NOT NULL,
                        wallet_reference TEXT,
                        refund_reference TEXT,
                        wallet_refund_reference TEXT,
                        amount_minor_units INTEGER NOT NULL,
                        currency TEXT NOT NULL,
                        pinned TEXT NOT NULL,
                        state TEXT NOT NULL,
                        last_error TEXT,
                        partner_code TEXT,
                        attempts INTEGER NOT NULL,
                        unsent_attempts INTEGER NOT NULL,
                        created_at REAL NOT NULL,
                        updated_at REAL NOT NULL,
                        seq INTEGER NOT NULL UNIQUE
                    ) STRICT;
                    CREATE INDEX journal_entries_by_state ON journal_entries (state, created_at, seq);
                    CREATE INDEX journal_entries_by_creation ON journal_entries (created_at, seq);
                    CREATE INDEX journal_entries_by_wallet ON journal_entries (wallet, created_at, seq);

                    CREATE TABLE journal_events (
                        seq INTEGER PRIMARY KEY,
                        entry_id TEXT NOT NULL REFERENCES journal_entries (id) ON DELETE CASCADE,
                        at REAL NOT NULL,
                        kind TEXT NOT NULL,
                        operation TEXT NOT NULL,
                        detail TEXT NOT NULL
                    ) STRICT;
                    CREATE INDEX journal_events_by_entry ON journal_events (entry_id, seq);

                    CREATE TABLE notification_claims (
                        wallet TEXT NOT NULL,
                        key TEXT NOT NULL,
                        claimed_at REAL NOT NULL,
                        PRIMARY KEY (wallet, key)
                    ) STRICT, WITHOUT ROWID;
                    CREATE INDEX notification_claims_by_time ON notification_claims (claimed_at);
                    """)
        }
        migrator.registerMigration("v2: customer authorizations") { db in
            try SQLiteCustomerAuthorizationStore.createSchema(db)
        }
        return migrator
    }

    /// Migrates the schema. Two processes opening a new file at once may both try the first
    /// migration; the loser's transaction rolls back, and running the migrator again (within the
    /// busy timeout) finds the work done.
    private static func migrate(_ pool: DatabasePool, busyTimeout: TimeInterval) throws {
        let migrator = migrator
        // Instances opening a new file at once race to apply the same migration: the loser
        // finds the table created ("already exists") or the file locked. Trying again reads
        // the winner's record of it and skips it; that is retried within the busy timeout.
        let deadline = Date().addingTimeInterval(busyTimeout)
        while true {
            do {
                try migrator.migrate(pool)
                return
            } catch let error as DatabaseError
                where [.SQLITE_ERROR, .SQLITE_BUSY, .SQLITE_LOCKED].contains(error.resultCode) && Date() < deadline
            {
                Thread.sleep(forTimeInterval: 0.02)
            }
        }
    }

    // MARK: - Rows

    private static let finalStates: [String] = JournalEntry.State.allCases.filter(\.isFinal).map(\.rawValue)

    private static func placeholders(_ count: Int) -> String {
        Array(repeating: "?", count: count).joined(separator: ", ")
    }

    private static func append(_ event: JournalEvent, to id: JournalEntry.ID, _ db: Database) throws {
        try db.execute(
            sql: "INSERT INTO journal_events (entry_id, at, kind, operation, detail) VALUES (?, ?, ?, ?, ?)",
            arguments: [id, event.at.timeIntervalSinceReferenceDate, event.kind, event.operation, event.detail])
    }

    private static func entry(from row: Row) throws -> JournalEntry {
        let id: String = try row.decode(forColumn: "id")
        let kindText: String = try row.decode(forColumn: "kind")
        guard let kind = JournalEntry.Kind(rawValue: kindText) else {
            throw JournalError("the entry \(id) has an unknown kind \(kindText)")
        }
        let stateText: String = try row.decode(forColumn: "state")
        guard let state = JournalEntry.State(rawValue: stateText) else {
            throw JournalError("the entry \(id) has an unknown state \(stateText)")
        }
        let pinnedText: String = try row.decode(forColumn: "pinned")
        let lastErrorText: String? = try row.decode(forColumn: "last_error")
        let pinned: JournalEntry.PinnedInputs
        let lastError: StoredError?
        do {
            pinned = try JSONDecoder().decode(JournalEntry.PinnedInputs.self, from: Data(pinnedText.utf8))
            lastError = try lastErrorText.map { try JSONDecoder().decode(StoredError.self, from: Data($0.utf8)) }
        } catch {
            throw JournalError("the entry \(id) holds pinned inputs or an error that cannot be read")
        }
        return JournalEntry(
            id: id, wallet: try row.decode(forColumn: "wallet"), kind: kind,
            merchantReference: try row.decode(forColumn: "merchant_reference"),
            walletReference: try row.decode(forColumn: "wallet_reference"),
            refundReference: try row.decode(forColumn: "refund_reference"),
            walletRefundReference: try row.decode(forColumn: "wallet_refund_reference"),
            amountMinorUnits: try row.decode(forColumn: "amount_minor_units"),
            currency: try row.decode(forColumn: "currency"), pinned: pinned, state: state, lastError: lastError,
            partnerCode: try row.decode(forColumn: "partner_code"),
            attempts: try row.decode(forColumn: "attempts"), unsentAttempts: try row.decode(forColumn: "unsent_attempts"),
            createdAt: Date(timeIntervalSinceReferenceDate: try row.decode(Double.self, forColumn: "created_at")),
            updatedAt: Date(timeIntervalSinceReferenceDate: try row.decode(Double.self, forColumn: "updated_at")))
    }

    /// The JSON text of `value`, keys sorted so equal values give equal text.
    private static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data: Data
        do {
            data = try encoder.encode(value)
        } catch {
            throw JournalError("could not encode a journal value as JSON")
        }
        return String(decoding: data, as: UTF8.self)
    }
}
