import Foundation
import Logging
import PostgresNIO
import WalletBridgeCore
import WalletBridgeCrypto

/// A `CustomerAuthorizationStore` in PostgreSQL, its tokens sealed with AES-256-GCM
/// (`WalletBridgeCrypto.AESGCM`) under a 32-byte key the caller provides: the same layout and
/// sealing as the SQLite store, in the table `walletbridge_customer_authorizations`.
///
/// What a listing needs stays in clear (`handle`, `wallet`, `customer_id`, `granted_at`,
/// `revoked_at`, `updated_at`); the tokens, their expiries, the scopes, the wallet's reference
/// and the refresh time, with the grant and revocation times, are JSON sealed into `sealed`
/// with `handle|wallet|customer_id` as the additional data, so a sealed value cannot be moved
/// to another row nor its clear columns edited without opening failing. `key_id` (the first 8
/// hex characters of the key's SHA-256) lets a store opened with another key say so
/// (``PostgresStoreError/Kind/wrongKey``). No token is ever written in clear, logged or put in
/// an error.
///
/// ```swift
/// let store = try await PostgresCustomerAuthorizationStore(storage: storage, key: key)
/// var configuration = WalletClient.Configuration()
/// configuration.authorizationStore = store
/// ```
public final class PostgresCustomerAuthorizationStore: CustomerAuthorizationStore {
    /// Where the table is.
    public let storage: PostgresStorage
    /// The id of this store's key: the first 8 lowercase hex characters of its SHA-256 (not a
    /// secret).
    public let keyID: String
    private let cipher: AESGCM
    private let table: String

    /// Opens the store in `storage` (migrating the schema) with the 32-byte sealing `key`.
    ///
    /// - Throws: ``PostgresStoreError``: `invalidKey` when `key` is not 32 bytes, `wrongKey`
    ///   when the table holds authorizations sealed with another key, `unavailable` when the
    ///   database cannot be reached or migrated.
    public init(storage: PostgresStorage, key: [UInt8]) async throws {
        guard key.count == 32 else {
            throw PostgresStoreError(.invalidKey, "the authorization store's key must be 32 bytes, got \(key.count)")
        }
        do {
            cipher = try AESGCM(key: key)
        } catch {
            throw PostgresStoreError(.invalidKey, "the authorization store's key cannot be used")
        }
        keyID = String(Digest.sha256Hex(key).prefix(8))
        self.storage = storage
        table = storage.table("walletbridge_customer_authorizations")
        do {
            try await storage.migrate()
        } catch {
            throw PostgresStoreError(.unavailable, "could not open the authorization store: \(PostgresErrors.reason(error))")
        }
        let keyID = self.keyID
        let other = try await read(
            "could not open the authorization store",
            "SELECT key_id FROM \(unescaped: table) WHERE key_id IS NOT NULL AND key_id <> \(keyID) LIMIT 1")
        if let row = other.first, let stored = try? row.decode(String.self) {
            throw PostgresStoreError(.wrongKey, "the authorization store was sealed with another key (key id \(stored), not this key's \(keyID))")
        }
    }

    /// Inserts or replaces the authorization with `authorization.handle`, sealed, in one
    /// transaction (the row it replaces is locked and must carry this key's id).
    ///
    /// - Throws: ``PostgresStoreError``: `invalidRecord` when the handle or the wallet contains
    ///   `|`, `wrongKey` when the row it would replace was sealed with another key,
    ///   `unavailable` when the database cannot be written.
    public func save(_ authorization: CustomerAuthorization) async throws {
        let handle = authorization.handle
        for (field, value) in [("handle", handle), ("wallet", authorization.wallet)] where value.contains("|") {
            throw PostgresStoreError(.invalidRecord, "the authorization \(handle) cannot be stored: its \(field) contains \"|\"", handle: handle)
        }
        let sealed: Data
        do {
            let payload = try JSONEncoder().encode(SealedFields(authorization))
            sealed = Data(try cipher.seal(Array(payload), additionalData: Self.additionalData(authorization)))
        } catch {
            throw PostgresStoreError(.unavailable, "could not seal the authorization \(handle)", handle: handle)
        }
        let keyID = self.keyID
        let table = self.table
        let wallet = authorization.wallet
        let customerID = authorization.customerID
        let grantedAt = authorization.grantedAt.timeIntervalSinceReferenceDate
        let revokedAt = authorization.revokedAt?.timeIntervalSinceReferenceDate
        let updatedAt = Date().timeIntervalSinceReferenceDate
        do {
            let storage = self.storage
            try await PostgresDeadline.run("could not save the authorization \(handle)", timeout: storage.operationTimeout) {
                try await storage.client.withTransaction(logger: storage.logger) { connection in
                    let existing = try await connection.rows(
                        "SELECT key_id FROM \(unescaped: table) WHERE handle = \(handle) FOR UPDATE", storage.logger)
                    if let row = existing.first, let stored = try row.decode(String?.self), stored != keyID {
                        throw Self.wrongKey(stored, mine: keyID, handle: handle)
                    }
                    try await connection.query(
                        """
                        INSERT INTO \(unescaped: table) (handle, wallet, customer_id, granted_at, revoked_at, updated_at, key_id, sealed)
                        VALUES (\(handle), \(wallet), \(customerID), \(grantedAt), \(revokedAt), \(updatedAt), \(keyID), \(sealed))
                        ON CONFLICT (handle) DO UPDATE SET wallet = EXCLUDED.wallet, customer_id = EXCLUDED.customer_id,
                            granted_at = EXCLUDED.granted_at, revoked_at = EXCLUDED.revoked_at, updated_at = EXCLUDED.updated_at,
                            key_id = EXCLUDED.key_id, sealed = EXCLUDED.sealed
                        """, logger: storage.logger)
                }
            }
        } catch {
            throw Self.wrap(error, "could not save the authorization \(handle)")
        }
    }

    /// The authorization with `handle`, if any (revoked ones included).
    ///
    /// - Throws: ``PostgresStoreError``: `wrongKey`, `unreadableRecord` (the row does not open
    ///   under this key), `unavailable`.
    public func authorization(handle: String) async throws -> CustomerAuthorization? {
        let rows = try await read(
            "could not read the authorization \(handle)", "SELECT \(unescaped: Self.columns) FROM \(unescaped: table) WHERE handle = \(handle)")
        return try rows.first.map { try unseal(StoredRow($0)) }
    }

    /// Every authorization of `wallet` (or of every wallet), oldest grant first.
    public func authorizations(wallet: String?) async throws -> [CustomerAuthorization] {
        let query: PostgresQuery =
            if let wallet {
                "SELECT \(unescaped: Self.columns) FROM \(unescaped: table) WHERE wallet = \(wallet) ORDER BY granted_at, handle"
            } else {
                "SELECT \(unescaped: Self.columns) FROM \(unescaped: table) ORDER BY granted_at, handle"
            }
        return try await read("could not read the authorizations", query).map { try unseal(StoredRow($0)) }
    }

    // MARK: - Sealing

    private struct SealedFields: Codable {
        var accessToken: String
        var accessTokenExpiresAt: Double?
        var refreshToken: String?
        var refreshTokenExpiresAt: Double?
        var scopes: [String]
        var walletReference: String?
        var grantedAt: Double
        var refreshedAt: Double?
        var revokedAt: Double?

        init(_ authorization: CustomerAuthorization) {
            accessToken = authorization.accessToken.value
            accessTokenExpiresAt = authorization.accessTokenExpiresAt?.timeIntervalSinceReferenceDate
            refreshToken = authorization.refreshToken?.value
            refreshTokenExpiresAt = authorization.refreshTokenExpiresAt?.timeIntervalSinceReferenceDate
            scopes = authorization.scopes
            walletReference = authorization.walletReference
            grantedAt = authorization.grantedAt.timeIntervalSinceReferenceDate
            refreshedAt = authorization.refreshedAt?.timeIntervalSinceReferenceDate
            revokedAt = authorization.revokedAt?.timeIntervalSinceReferenceDate
        }
    }

    private struct StoredRow {
        var handle: String
        var wallet: String
        var customerID: String
        var grantedAt: Double
        var revokedAt: Double?
        var keyID: String?
        var sealed: [UInt8]

        init(_ row: PostgresRow) throws {
            do {
                let random = row.makeRandomAccess()
                handle = try random["handle"].decode(String.self)
                wallet = try random["wallet"].decode(String.self)
                customerID = try random["customer_id"].decode(String.self)
                grantedAt = try random["granted_at"].decode(Double.self)
                revokedAt = try random["revoked_at"].decode(Double?.self)
                keyID = try random["key_id"].decode(String?.self)
                sealed = Array(try random["sealed"].decode(Data.self))
            } catch {
                throw PostgresStoreError(.unavailable, "an authorization row is not of the expected shape")
            }
        }
    }

    private static let columns = "handle, wallet, customer_id, granted_at, revoked_at, key_id, sealed"

    private static func additionalData(handle: String, wallet: String, customerID: String) -> [UInt8] {
        Array("\(handle)|\(wallet)|\(customerID)".utf8)
    }

    private static func additionalData(_ authorization: CustomerAuthorization) -> [UInt8] {
        additionalData(handle: authorization.handle, wallet: authorization.wallet, customerID: authorization.customerID)
    }

    private func unseal(_ row: StoredRow) throws -> CustomerAuthorization {
        let handle = row.handle
        if let stored = row.keyID, stored != keyID { throw Self.wrongKey(stored, mine: keyID, handle: handle) }
        let payload: [UInt8]
        do {
            payload = try cipher.open(row.sealed, additionalData: Self.additionalData(handle: handle, wallet: row.wallet, customerID: row.customerID))
        } catch {
            throw PostgresStoreError(
                .unreadableRecord,
                "the authorization \(handle) cannot be opened: its sealed data does not verify under this key "
                    + "(altered in the database, or copied from another row)",
                handle: handle)
        }
        let fields: SealedFields
        do {
            fields = try JSONDecoder().decode(SealedFields.self, from: Data(payload))
        } catch {
            throw PostgresStoreError(.unreadableRecord, "the authorization \(handle) holds sealed data in an unknown shape", handle: handle)
        }
        guard fields.grantedAt == row.grantedAt, fields.revokedAt == row.revokedAt else {
            throw PostgresStoreError(
                .unreadableRecord, "the authorization \(handle) has grant or revocation times that disagree with its sealed record", handle: handle)
        }
        return CustomerAuthorization(
            handle: handle, wallet: row.wallet, customerID: row.customerID, accessToken: CustomerCredential(fields.accessToken),
            accessTokenExpiresAt: fields.accessTokenExpiresAt.map(Date.init(timeIntervalSinceReferenceDate:)),
            refreshToken: fields.refreshToken.map(CustomerCredential.init),
            refreshTokenExpiresAt: fields.refreshTokenExpiresAt.map(Date.init(timeIntervalSinceReferenceDate:)), scopes: fields.scopes,
            walletReference: fields.walletReference, grantedAt: Date(timeIntervalSinceReferenceDate: fields.grantedAt),
            refreshedAt: fields.refreshedAt.map(Date.init(timeIntervalSinceReferenceDate:)),
            revokedAt: fields.revokedAt.map(Date.init(timeIntervalSinceReferenceDate:)))
    }

    private static func wrongKey(_ stored: String, mine: String, handle: String) -> PostgresStoreError {
        PostgresStoreError(
            .wrongKey,
            "the authorization store was sealed with another key (key id \(stored), not this key's \(mine)): "
                + "the authorization \(handle) cannot be opened",
            handle: handle)
    }

    // MARK: - Access

    private func read(_ what: String, _ query: PostgresQuery) async throws -> [PostgresRow] {
        do {
            let storage = self.storage
            return try await PostgresDeadline.run(what, timeout: storage.operationTimeout) {
                try await storage.client.query(query, logger: storage.logger).collect()
            }
        } catch {
            throw Self.wrap(error, what)
        }
    }

    private static func wrap(_ error: any Error, _ what: String) -> any Error {
        if let error = error as? PostgresStoreError { return error }
        if let error = error as? PostgresTransactionError, let inner = error.closureError as? PostgresStoreError { return inner }
        if error is CancellationError { return error }
        // The storage's deadline already names the operation.
        if let error = error as? JournalError { return PostgresStoreError(.unavailable, error.message) }
        return PostgresStoreError(.unavailable, "\(what): \(PostgresErrors.reason(error))")
    }
}

/// An error from ``PostgresCustomerAuthorizationStore``. Messages name handles, wallets and key
/// ids, never a token or key material.
public struct PostgresStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure this is.
    public enum Kind: String, Sendable, Equatable {
        /// The key is not 32 bytes.
        case invalidKey
        /// The store (or the row) was sealed with another key.
        case wrongKey
        /// A row does not open under this key although its key id matches.
        case unreadableRecord
        /// The authorization cannot be stored as given.
        case invalidRecord
        /// The database could not be reached, read or written.
        case unavailable
    }

    /// What kind of failure this is.
    public let kind: Kind
    /// A human-readable explanation, free of secrets.
    public let message: String
    /// The handle of the authorization concerned, when there is one.
    public let handle: String?

    /// Creates an error.
    public init(_ kind: Kind, _ message: String, handle: String? = nil) {
        self.kind = kind
        self.message = message
        self.handle = handle
    }

    public var description: String { "authorization store: \(message)" }
}
