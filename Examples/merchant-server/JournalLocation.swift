import Foundation
import Logging
import WalletBridgeCore
import WalletBridgePostgres
import WalletBridgeSQLite

/// Where the payment journal lives (`--journal`): a SQLite file, or a PostgreSQL database that
/// several instances share.
enum JournalLocation: Equatable, CustomStringConvertible {
    /// `sqlite:PATH`: one file (several processes on one machine may share it: WAL).
    case sqlite(path: String)
    /// `postgres://USER@HOST:PORT/DB`: one database for every instance.
    case postgres(url: String)

    /// Parses `sqlite:PATH` or `postgres://…` (`postgresql://…` too).
    init(parsing text: String) throws(MerchantServerError) {
        if text.hasPrefix("sqlite:") {
            let path = String(text.dropFirst("sqlite:".count))
            guard !path.isEmpty else { throw MerchantServerError("--journal sqlite:PATH needs a path") }
            self = .sqlite(path: path)
        } else if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") {
            self = .postgres(url: text)
        } else {
            throw MerchantServerError("--journal must be sqlite:PATH or postgres://USER@HOST:PORT/DB, not \(text)")
        }
    }

    /// Names the location without a password (for logs).
    var description: String {
        switch self {
        case .sqlite(let path): return "sqlite:\(path)"
        case .postgres(let url): return Self.withoutPassword(url)
        }
    }

    /// `postgres://user:secret@host/db` as `postgres://user:***@host/db`.
    static func withoutPassword(_ url: String) -> String {
        guard var components = URLComponents(string: url), components.password != nil else { return url }
        components.password = "***"
        return components.string ?? "postgres://***"
    }
}

/// An open journal, and what the server needs of it beyond ``PaymentJournal``.
struct OpenJournal: Sendable {
    let journal: any PaymentJournal
    /// Closes the database connections.
    let close: @Sendable () async -> Void

    /// Opens (creating and migrating) the journal at `location`; `instance` owns the
    /// reconciler's leases where the journal has them.
    static func open(_ location: JournalLocation, instance: String, logger: Logger) async throws -> OpenJournal {
        switch location {
        case .sqlite(let path):
            let journal = try SQLitePaymentJournal(path: path, busyTimeout: 30)
            return OpenJournal(journal: journal, close: { try? journal.close() })
        case .postgres(let url):
            // One pool per instance; the tables live in schema `walletbridge` (migrated by whichever
            // instance comes first, under an advisory lock).
            let storage = try PostgresStorage(url: url, schema: "walletbridge", maximumConnections: 20, logger: logger)
            let runner = Task { try await storage.run() }
            do {
                let journal = try await PostgresPaymentJournal(storage: storage)
                return OpenJournal(
                    journal: journal,
                    close: {
                        runner.cancel()
                        _ = await runner.result
                    })
            } catch {
                runner.cancel()
                _ = await runner.result
                throw error
            }
        }
    }
}

/// A set-up error, printed as one line.
struct MerchantServerError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
