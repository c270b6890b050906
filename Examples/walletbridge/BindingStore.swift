import ArgumentParser
import Foundation
import WalletBridgeCore
import WalletBridgeSQLite

/// Where the CLI keeps customer authorizations: in the journal's database, tokens sealed with
/// AES-256-GCM under the key in `bindings.key` beside it (64 hex characters, mode 0600, made on
/// first use; `$WALLETBRIDGE_BINDINGS_KEY` names another file).
enum BindingStore {
    /// The key file for `options`.
    static func keyPath(_ options: WalletOptions) -> String {
        let environment = ProcessInfo.processInfo.environment
        if let path = environment["WALLETBRIDGE_BINDINGS_KEY"], !path.isEmpty { return path }
        return (options.resolvedJournal as NSString).deletingLastPathComponent + "/bindings.key"
    }

    /// Creates the journal's database file readable by its owner only (0600) when it does not
    /// exist yet: it holds the sealed bindings. SQLite gives its `-wal` and `-shm` files the
    /// same mode.
    static func prepareJournalFile(_ path: String) {
        guard !FileManager.default.fileExists(atPath: path) else { return }
        _ = FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
    }

    /// The key, made (mode 0600) when there is none yet.
    static func key(_ options: WalletOptions) throws -> [UInt8] {
        let path = keyPath(options)
        do {
            if FileManager.default.fileExists(atPath: path) { return try SQLiteCustomerAuthorizationStore.loadKey(path: path) }
            return try SQLiteCustomerAuthorizationStore.createKey(path: path)
        } catch {
            printError("error: the bindings key \(path): \(error)")
            throw ExitCode(2)
        }
    }

    /// The store in `journal`'s database.
    static func open(journal: SQLitePaymentJournal, _ options: WalletOptions) throws -> SQLiteCustomerAuthorizationStore {
        let key = try key(options)
        do {
            return try SQLiteCustomerAuthorizationStore(journal: journal, key: key)
        } catch {
            printError("error: the bindings in \(options.resolvedJournal) cannot be opened: \(error)")
            throw ExitCode(2)
        }
    }

    /// The store in the journal's database, for commands that send nothing.
    static func open(_ options: WalletOptions) throws -> SQLiteCustomerAuthorizationStore {
        let key = try key(options)
        prepareJournalFile(options.resolvedJournal)
        do {
            return try SQLiteCustomerAuthorizationStore(path: options.resolvedJournal, key: key)
        } catch {
            printError("error: the bindings in \(options.resolvedJournal) cannot be opened: \(error)")
            throw ExitCode(2)
        }
    }
}
