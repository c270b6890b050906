import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle
import WalletBridgeCore

/// Where WalletBridge keeps its tables in a PostgreSQL database: a running `PostgresClient`
/// (postgres-nio's connection pool) and the schema that holds the tables.
///
/// ``PostgresPaymentJournal``, ``PostgresCustomerAuthorizationStore`` and
/// ``PostgresNotificationDeduplicator`` all work on one storage. The client must be running
/// (`await client.run()` in a task, or the client added to a `ServiceGroup`) for as long as
/// they are used; the storage never starts or stops it.
///
/// ``migrate()`` creates and upgrades the tables; the journal and the store call it when they
/// are created, so it is rarely called directly. It is idempotent, and safe when several
/// processes start at once: each migration runs in one transaction that first takes a
/// transaction-scoped advisory lock for the schema, and records its version in
/// `walletbridge_schema_migrations`.
///
/// ```swift
/// let client = PostgresClient(configuration: try PostgresURL.configuration("postgres://shop@db.internal/shop"))
/// let storage = try PostgresStorage(client: client, schema: "walletbridge")
/// // run `client` in a ServiceGroup or a task, then:
/// let journal = try await PostgresPaymentJournal(storage: storage)
/// ```
public struct PostgresStorage: Service {
    /// The connection pool; must be running while the storage is used.
    public let client: PostgresClient
    /// The schema that holds the tables (created when missing).
    public let schema: String
    /// Where the queries' diagnostics go (postgres-nio logs at debug and trace level).
    public let logger: Logger
    /// How long one operation (a transaction or a read) may wait for PostgreSQL, connection
    /// included, before it fails with `JournalError`. Default 30 seconds.
    public let operationTimeout: Duration

    /// The newest schema version this library knows (the number of its migrations).
    public static var schemaVersion: Int { PostgresMigrations.all.count }

    /// Creates a storage.
    /// - Parameters:
    ///   - client: A `PostgresClient`, run by the caller.
    ///   - schema: The schema for the tables: lowercase letters, digits and `_`, starting with
    ///     a letter or `_`, at most 63 characters. Default `public`.
    ///   - logger: Where the queries' diagnostics go.
    ///   - operationTimeout: How long one operation may wait for PostgreSQL (see
    ///     ``operationTimeout``).
    /// - Throws: `JournalError` when `schema` is not such a name.
    public init(
        client: PostgresClient, schema: String = "public", logger: Logger = Logger(label: "WalletBridge.Postgres"),
        operationTimeout: Duration = .seconds(30)
    ) throws {
        guard Self.isPlainIdentifier(schema) else {
            throw JournalError("the PostgreSQL schema name must be lowercase letters, digits and _ (at most 63, not starting with a digit)")
        }
        self.client = client
        self.schema = schema
        self.logger = logger
        self.operationTimeout = operationTimeout
    }

    /// Creates a storage with its own `PostgresClient` for the connection URL `url` (see
    /// ``PostgresURL``); run it with ``run()`` (or add the storage to a `ServiceGroup`).
    /// - Parameters:
    ///   - url: `postgres://user[:password]@host[:port]/database[?sslmode=disable|prefer|require]`.
    ///   - schema: The schema for the tables (see ``init(client:schema:logger:operationTimeout:)``).
    ///   - maximumConnections: The most connections the client opens at once.
    ///   - logger: Where the client's and the queries' diagnostics go.
    ///   - operationTimeout: How long one operation may wait for PostgreSQL (see
    ///     ``operationTimeout``).
    /// - Throws: `JournalError` when `url` or `schema` is not valid (the message never quotes a
    ///   password).
    public init(
        url: String, schema: String = "public", maximumConnections: Int = 20, logger: Logger = Logger(label: "WalletBridge.Postgres"),
        operationTimeout: Duration = .seconds(30)
    ) throws {
        var configuration = try PostgresURL.configuration(url)
        configuration.options.maximumConnections = max(1, maximumConnections)
        try self.init(
            client: PostgresClient(configuration: configuration, backgroundLogger: logger), schema: schema, logger: logger,
            operationTimeout: operationTimeout)
    }

    /// Runs the client (its connection pool) until the task is cancelled or, in a
    /// `ServiceGroup`, until graceful shutdown.
    public func run() async throws {
        await client.run()
    }

    /// Creates the schema and its tables, or upgrades them to ``schemaVersion``; does nothing
    /// when they are current. Several processes may call it at once.
    ///
    /// - Returns: How many migrations this call applied.
    /// - Throws: `JournalError` when the database cannot be reached or written, or when its
    ///   schema is newer than this library (written by a later version).
    @discardableResult
    public func migrate() async throws -> Int {
        try await PostgresMigrations.migrate(self)
    }

    /// `"schema".name`: a table of this storage, for the SQL text (never a value).
    func table(_ name: String) -> String { "\"\(schema)\".\(name)" }

    /// Runs `body` in one transaction, within ``operationTimeout``; errors become
    /// `JournalError` (`what` says what failed).
    func transaction<T: Sendable>(_ what: String, _ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        let (client, logger) = (self.client, self.logger)
        do {
            return try await PostgresDeadline.run(what, timeout: operationTimeout) {
                try await client.withTransaction(logger: logger) { connection in try await body(connection) }
            }
        } catch {
            throw PostgresErrors.journalError(error, what)
        }
    }

    /// Runs one statement outside a transaction, within ``operationTimeout``, and collects its
    /// rows.
    func rows(_ what: String, _ query: PostgresQuery) async throws -> [PostgresRow] {
        let (client, logger) = (self.client, self.logger)
        do {
            return try await PostgresDeadline.run(what, timeout: operationTimeout) {
                try await client.query(query, logger: logger).collect()
            }
        } catch {
            throw PostgresErrors.journalError(error, what)
        }
    }

    static func isPlainIdentifier(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, name.unicodeScalars.count <= 63 else { return false }
        let lower = Unicode.Scalar("a").value...Unicode.Scalar("z").value
        let digit = Unicode.Scalar("0").value...Unicode.Scalar("9").value
        guard lower.contains(first.value) || first == "_" else { return false }
        return name.unicodeScalars.allSatisfy { lower.contains($0.value) || digit.contains($0.value) || $0 == "_" }
    }
}

extension PostgresConnection {
    /// Runs `query` and collects its rows.
    func rows(_ query: PostgresQuery, _ logger: Logger) async throws -> [PostgresRow] {
        try await self.query(query, logger: logger).collect()
    }
}
