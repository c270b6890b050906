import Foundation
import PostgresNIO
import WalletBridgeCore

/// Turns postgres-nio's errors into the journal's: what failed, PostgreSQL's SQLSTATE and
/// message, never a statement's values.
enum PostgresErrors {
    /// A `JournalError` for `error`; journal errors and cancellation pass through unchanged.
    static func journalError(_ error: any Error, _ what: String) -> any Error {
        if let error = error as? JournalError { return error }
        if error is CancellationError { return error }
        if let error = error as? PostgresTransactionError, let inner = error.closureError {
            // The journal's own verdict (no such entry): rolled back, reported as it is.
            if let journal = inner as? JournalError { return journal }
            if inner is CancellationError { return inner }
        }
        return JournalError("\(what): \(reason(error))")
    }

    /// What went wrong, in words (no values from the statement).
    static func reason(_ error: any Error) -> String {
        switch error {
        case let error as PostgresTransactionError:
            if let begin = error.beginError { return "the transaction could not begin (\(reason(begin)))" }
            if let closure = error.closureError {
                if let journal = closure as? JournalError { return journal.message }
                let rollback = error.rollbackError.map { "; the rollback failed too (\(reason($0))): the server discards it" } ?? ""
                return "\(reason(closure)); nothing was committed\(rollback)"
            }
            if let commit = error.commitError {
                return "the commit failed (\(reason(commit))): nothing is committed unless the server had applied it before losing the connection"
            }
            return "the transaction failed"
        case let error as PSQLError:
            if let server = error.serverInfo {
                let state = server[.sqlState] ?? "?"
                return "PostgreSQL error \(state): \(server[.message] ?? "no message")"
            }
            switch error.code {
            case .serverClosedConnection, .clientClosedConnection, .uncleanShutdown:
                return "the connection to PostgreSQL was lost (\(error.code))"
            case .connectionError:
                return "PostgreSQL could not be reached (\(error.code))"
            case .poolClosed:
                return "the PostgreSQL client is shut down"
            default:
                return "PostgreSQL client error \(error.code)"
            }
        case let error as PostgresDecodingError:
            return "a stored value is not of the expected type (column \(error.columnName))"
        case let error as JournalError:
            return error.message
        default:
            // postgres-nio's pool (circuit breaker tripped, shut down) names what happened.
            if String(describing: type(of: error)) == "ConnectionPoolError" {
                return "no PostgreSQL connection could be had (\(error)); is the server up and the client running?"
            }
            return "\(type(of: error))"
        }
    }
}
