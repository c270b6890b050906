import Foundation
import Logging
import PostgresNIO
import WalletBridgeCore

/// The versioned schema: each migration's statements, applied in order, once, in one
/// transaction per `migrate()` under an advisory lock. `{s}` stands for the quoted schema name
/// (an identifier checked by ``PostgresStorage``; statements never carry values).
///
/// Dates are `double precision` seconds since 2001-01-01 (`timeIntervalSinceReferenceDate`), as
/// in the SQLite journal, which round-trips a `Date` exactly.
enum PostgresMigrations {
    struct Migration {
        var name: String
        var statements: [String]
    }

    static let all: [Migration] = [
        Migration(
            name: "journal entries and events, notification claims, leases",
            statements: [
                """
                CREATE TABLE {s}.walletbridge_journal_entries (
                    id text PRIMARY KEY,
                    wallet text NOT NULL,
                    kind text NOT NULL,
                    merchant_reference text NOT NULL,
                    wallet_reference text,
                    refund_reference text,
                    wallet_refund_reference text,
                    amount_minor_units bigint NOT NULL,
                    currency text NOT NULL,
                    pinned text NOT NULL,
                    state text NOT NULL,
                    last_error text,
                    partner_code text,
                    attempts bigint NOT NULL,
                    unsent_attempts bigint NOT NULL,
                    created_at double precision NOT NULL,
                    updated_at double precision NOT NULL,
                    seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
                    lease_owner text,
                    lease_until double precision
                )
                """,
                """
                CREATE INDEX walletbridge_journal_entries_open ON {s}.walletbridge_journal_entries (wallet, created_at, seq)
                    WHERE state NOT IN ('succeeded', 'failed', 'cancelled')
                """,
                "CREATE INDEX walletbridge_journal_entries_by_wallet ON {s}.walletbridge_journal_entries (wallet, created_at, seq)",
                "CREATE INDEX walletbridge_journal_entries_by_creation ON {s}.walletbridge_journal_entries (created_at, seq)",
                "CREATE INDEX walletbridge_journal_entries_final ON {s}.walletbridge_journal_entries (updated_at) WHERE state IN ('succeeded', 'failed', 'cancelled')",
                """
                CREATE TABLE {s}.walletbridge_journal_events (
                    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    entry_id text NOT NULL REFERENCES {s}.walletbridge_journal_entries (id) ON DELETE CASCADE,
                    at double precision NOT NULL,
                    kind text NOT NULL,
                    operation text NOT NULL,
                    detail text NOT NULL
                )
                """,
                "CREATE INDEX walletbridge_journal_events_by_entry ON {s}.walletbridge_journal_events (entry_id, seq)",
                """
                CREATE TABLE {s}.walletbridge_notification_claims (
                    wallet text NOT NULL,
                    key text NOT NULL,
                    claimed_at double precision NOT NULL,
                    PRIMARY KEY (wallet, key)
                )
                """,
                "CREATE INDEX walletbridge_notification_claims_by_time ON {s}.walletbridge_notification_claims (claimed_at)",
            ]),
        Migration(
            name: "customer authorizations (tokens sealed)",
            statements: [
                """
                CREATE TABLE {s}.walletbridge_customer_authorizations (
                    handle text PRIMARY KEY,
                    wallet text NOT NULL,
                    customer_id text NOT NULL,
                    granted_at double precision NOT NULL,
                    revoked_at double precision,
                    updated_at double precision NOT NULL,
                    key_id text,
                    sealed bytea NOT NULL
                )
                """,
                "CREATE INDEX walletbridge_customer_authorizations_by_wallet ON {s}.walletbridge_customer_authorizations (wallet, granted_at, handle)",
                "CREATE INDEX walletbridge_customer_authorizations_by_grant ON {s}.walletbridge_customer_authorizations (granted_at, handle)",
            ]),
    ]

    static func migrate(_ storage: PostgresStorage) async throws -> Int {
        let schema = storage.schema
        let quoted = "\"\(schema)\""
        let logger = storage.logger
        return try await storage.transaction("could not set up the WalletBridge tables in the PostgreSQL schema \(schema)") { connection in
            // One migrator at a time per schema, whichever process; released at commit.
            let lockName = "walletbridge-migrations:" + schema
            try await connection.query("SELECT pg_advisory_xact_lock(hashtextextended(\(lockName), 0))", logger: logger)
            let exists = try await connection.rows("SELECT 1 FROM pg_namespace WHERE nspname = \(schema)", logger)
            if exists.isEmpty {
                try await connection.query(PostgresQuery(unsafeSQL: "CREATE SCHEMA \(quoted)"), logger: logger)
            }
            try await connection.query(
                PostgresQuery(
                    unsafeSQL: """
                        CREATE TABLE IF NOT EXISTS \(quoted).walletbridge_schema_migrations (
                            version integer PRIMARY KEY,
                            name text NOT NULL,
                            applied_at timestamptz NOT NULL DEFAULT now()
                        )
                        """), logger: logger)
            var applied: Set<Int> = []
            for row in try await connection.rows("SELECT version FROM \(unescaped: quoted).walletbridge_schema_migrations", logger) {
                applied.insert(Int(try row.decode(Int32.self)))
            }
            if let newest = applied.max(), newest > all.count {
                throw JournalError(
                    "the PostgreSQL schema \(schema) is at version \(newest), newer than this library's \(all.count): upgrade WalletBridge")
            }
            var count = 0
            for (index, migration) in all.enumerated() where !applied.contains(index + 1) {
                for statement in migration.statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement.replacingOccurrences(of: "{s}", with: quoted)), logger: logger)
                }
                let version = Int32(index + 1)
                let name = migration.name
                try await connection.query(
                    "INSERT INTO \(unescaped: quoted).walletbridge_schema_migrations (version, name) VALUES (\(version), \(name))", logger: logger)
                count += 1
            }
            return count
        }
    }
}
