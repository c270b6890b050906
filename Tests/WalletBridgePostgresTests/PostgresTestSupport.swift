import Foundation
import Logging
import PostgresNIO
import Testing
import WalletBridgeCore
import WalletBridgePostgres

/// The throwaway cluster `make unit` starts (Tests/Postgres/pg_cluster.sh); unset: the
/// PostgreSQL suites are disabled.
enum TestPostgres {
    static let url = ProcessInfo.processInfo.environment["WALLETBRIDGE_TEST_POSTGRES_URL"]
    static let disabledReason: Comment =
        "WALLETBRIDGE_TEST_POSTGRES_URL is not set: `make unit` starts a throwaway cluster (Tests/Postgres/pg_cluster.sh start) and sets it"
    /// No log output from the clients (nothing is bootstrapped).
    static let logger = Logger(label: "walletbridge.tests.postgres", factory: { _ in SwiftLogNoOpLogHandler() })

    /// A fresh schema name, so tests running in parallel never share tables.
    static func newSchema() -> String { "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(20) }

    /// Runs `body` with `instances` storages on one fresh schema, each over its own running
    /// `PostgresClient` (one client stands for one server instance); drops the schema after.
    static func withStorages<T: Sendable>(
        _ instances: Int = 1, url: String? = nil, schema: String = newSchema(), operationTimeout: Duration = .seconds(30),
        _ body: @Sendable ([PostgresStorage]) async throws -> T
    ) async throws -> T {
        let url = try #require(url ?? Self.url)
        var configuration = try PostgresURL.configuration(url)
        configuration.options.maximumConnections = 4
        let clients = (0..<instances).map { _ in PostgresClient(configuration: configuration, backgroundLogger: logger) }
        let storages = try clients.map { try PostgresStorage(client: $0, schema: schema, logger: logger, operationTimeout: operationTimeout) }
        return try await withThrowingTaskGroup(of: Void.self) { group in
            for client in clients { group.addTask { await client.run() } }
            defer { group.cancelAll() }
            do {
                let result = try await body(storages)
                _ = try? await clients[0].query("DROP SCHEMA IF EXISTS \(unescaped: "\"\(schema)\"") CASCADE", logger: logger)
                return result
            } catch {
                _ = try? await clients[0].query("DROP SCHEMA IF EXISTS \(unescaped: "\"\(schema)\"") CASCADE", logger: logger)
                throw error
            }
        }
    }
}

/// Fixed dates with sub-microsecond bits: they must round-trip exactly.
let t0 = Date(timeIntervalSinceReferenceDate: 780_000_000.123_456_789)

func payment(_ reference: String, wallet: String = "paytm", amount: Int64 = 10_000, at: Date = t0) -> JournalEntry {
    JournalEntry(
        id: JournalEntry.paymentID(wallet: wallet, merchantReference: reference), wallet: wallet, kind: .payment, merchantReference: reference,
        amountMinorUnits: amount, currency: "INR", pinned: .init(orderDescription: "order \(reference)", notifyURL: "https://shop.example/n"),
        createdAt: at, updatedAt: at)
}

func outcome(_ state: JournalEntry.State?, _ operation: WalletCapabilities.Operation = .inquire, code: String? = nil) -> JournalOutcome {
    JournalOutcome(
        operation: operation, state: state,
        error: state == .failed || state == .unknown
            ? WalletError(.declined, "declined \(code ?? "")", partnerCode: code, mayHaveCharged: false) : nil,
        walletReference: "W-1", partnerCode: code)
}
