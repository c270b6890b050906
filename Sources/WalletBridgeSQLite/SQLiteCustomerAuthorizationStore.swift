import Foundation
import GRDB
import WalletBridgeCore
import WalletBridgeCrypto

#if canImport(Darwin)
    import Darwin
#elseif canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The durable `CustomerAuthorizationStore`: customer authorizations in the payment journal's
/// SQLite file, their tokens sealed with AES-256-GCM under a 32-byte key the caller provides.
///
/// Each authorization is one row of `customer_authorizations`. What a listing needs stays in
/// clear: `handle`, `wallet`, `customer_id`, `granted_at`, `revoked_at` (plus `updated_at`, the
/// time of the last save). The rest (the access and refresh tokens, their expiries, the scopes,
/// the wallet's reference and the refresh time), together with the grant and revocation times,
/// is JSON sealed with `AESGCM` into the `sealed` column, with `handle|wallet|customer_id` as
/// the additional data: a row's sealed value cannot be moved to another row, and its clear
/// columns cannot be edited, without opening failing. No token is ever written in clear, logged
/// or put in an error.
///
/// Each row also records `key_id`, the first 8 hex characters of the key's SHA-256, so that a
/// store opened with another key says so (``CustomerAuthorizationStoreError/Kind/wrongKey``)
/// instead of reporting every row as damaged; a row that does not open under the right key is
/// reported as ``CustomerAuthorizationStoreError/Kind/unreadableRecord``, naming its
/// handle. The seal does not detect a row replaced by an earlier version of itself (someone
/// with write access to the file restoring an old backup of one row).
///
/// The table is created by the journal's versioned migrator (migration
/// `v2: customer authorizations`), so a file opened by either type has both schemas; opening
/// is idempotent. Writes are `IMMEDIATE` transactions committed with `synchronous = FULL`, as
/// the journal's; several stores and journals, in one process or several, may share the file.
///
/// ```swift
/// let journal = try SQLitePaymentJournal(path: "/var/lib/shop/payments.sqlite")
/// let key = try SQLiteCustomerAuthorizationStore.loadKey(path: "/etc/shop/authorizations.key")
/// let store = try SQLiteCustomerAuthorizationStore(journal: journal, key: key)
/// var configuration = WalletClient.Configuration()
/// configuration.authorizationStore = store
/// ```
public final class SQLiteCustomerAuthorizationStore: CustomerAuthorizationStore {
    /// The path of the database file.
    public let path: String
    /// The id of this store's key: the first 8 lowercase hex characters of the key's SHA-256.
    /// Not a secret; every row records the id of the key that sealed it.
    public let keyID: String
    private let pool: DatabasePool
    private let cipher: AESGCM

    /// Opens the store in the database of `journal`, sharing its connections (closing the
    /// journal closes them for the store too).
    ///
    /// - Parameters:
    ///   - journal: The payment journal whose file holds the authorizations.
    ///   - key: The 32-byte sealing key (see ``loadKey(path:)`` and ``createKey(path:)``).
    /// - Throws: ``CustomerAuthorizationStoreError``: `invalidKey` when `key` is not 32 bytes,
    ///   `wrongKey` when the file holds authorizations sealed with another key, `unavailable`
    ///   when the database cannot be read.
    public convenience init(journal: SQLitePaymentJournal, key: [UInt8]) throws {
        let (cipher, keyID) = try Self.cipher(for: key)
        try self.init(pool: journal.databasePool, path: journal.path, cipher: cipher, keyID: keyID)
    }

    /// Opens (creating it if needed) the store at `path` on its own: the file is set up exactly
    /// as ``SQLitePaymentJournal`` sets it up (WAL, durable commits, the journal's tables too),
    /// so a journal may open it later.
    ///
    /// - Parameters:
    ///   - path: The database file's path. The parent directory is created when missing.
    ///   - key: The 32-byte sealing key (see ``loadKey(path:)`` and ``createKey(path:)``).
    ///   - busyTimeout: How long, in seconds, to wait for another connection or process that
    ///     holds the write lock before failing.
    /// - Throws: ``CustomerAuthorizationStoreError``: `invalidKey` when `key` is not 32 bytes,
    ///   `wrongKey` when the file holds authorizations sealed with another key, `unavailable`
    ///   when the file cannot be opened or set up.
    public convenience init(path: String, key: [UInt8], busyTimeout: TimeInterval = 5) throws {
        let (cipher, keyID) = try Self.cipher(for: key)
        let journal: SQLitePaymentJournal
        do {
            journal = try SQLitePaymentJournal(path: path, busyTimeout: busyTimeout)
        } catch {
            let reason = (error as? JournalError)?.message ?? "\(error)"
            throw CustomerAuthorizationStoreError(.unavailable, "could not open the authorization store: \(reason)")
        }
        try self.init(pool: journal.databasePool, path: path, cipher: cipher, keyID: keyID)
    }

    private init(pool: DatabasePool, path: String, cipher: AESGCM, keyID: String) throws {
        self.pool = pool
        self.path = path
        self.cipher = cipher
        self.keyID = keyID
        let other: String?
        do {
            other = try pool.read { db in
                try String.fetchOne(
                    db, sql: "SELECT key_id FROM customer_authorizations WHERE key_id IS NOT NULL AND key_id != ? LIMIT 1",
                    arguments: [keyID])
            }
        } catch {
            throw Self.wrap(error, "could not open the authorization store at \(path)")
        }
        if let other {
            throw CustomerAuthorizationStoreError(
                .wrongKey, "the authorization store was sealed with another key (key id \(other), not this key's \(keyID))")
        }
    }

    // MARK: - CustomerAuthorizationStore

    /// Inserts or replaces the authorization with `authorization.handle`, sealed, in one
    /// durable transaction.
    ///
    /// - Throws: ``CustomerAuthorizationStoreError``: `invalidRecord` when the handle or the
    ///   wallet contains `|` (the separator of the additional data), `wrongKey` when the row it
    ///   would replace was sealed with another key, `unavailable` when the database cannot be
    ///   written.
    public func save(_ authorization: CustomerAuthorization) async throws {
        let handle = authorization.handle
        for (field, value) in [("handle", handle), ("wallet", authorization.wallet)] where value.contains("|") {
            throw CustomerAuthorizationStoreError(
                .invalidRecord, "the authorization \(handle) cannot be stored: its \(field) contains \"|\"", handle: handle)
        }
        let sealed: [UInt8]
        do {
            let payload = try JSONEncoder().encode(SealedFields(authorization))
            sealed = try cipher.seal(Array(payload), additionalData: Self.additionalData(authorization))
        } catch {
            throw CustomerAuthorizationStoreError(.unavailable, "could not seal the authorization \(handle)", handle: handle)
        }
        let keyID = self.keyID
        let (wallet, customerID) = (authorization.wallet, authorization.customerID)
        let grantedAt = authorization.grantedAt.timeIntervalSinceReferenceDate
        let revokedAt = authorization.revokedAt?.timeIntervalSinceReferenceDate
        let updatedAt = Date().timeIntervalSinceReferenceDate
        let sealedData = Data(sealed)
        try await writeDatabase("could not store the authorization \(handle)") { db in
            let existing = try String.fetchOne(db, sql: "SELECT key_id FROM customer_authorizations WHERE handle = ?", arguments: [handle])
            if let existing, existing != keyID {
                throw Self.wrongKey(existing, mine: keyID, handle: handle)
            }
            try db.execute(
                sql: """
                    INSERT INTO customer_authorizations (handle, wallet, customer_id, granted_at, revoked_at, updated_at, key_id, sealed)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (handle) DO UPDATE SET wallet = excluded.wallet, customer_id = excluded.customer_id,
                        granted_at = excluded.granted_at, revoked_at = excluded.revoked_at, updated_at = excluded.updated_at,
                        key_id = excluded.key_id, sealed = excluded.sealed
                    """,
                arguments: [handle, wallet, customerID, grantedAt, revokedAt, updatedAt, keyID, sealedData])
        }
    }

    /// The authorization with `handle`, if any (revoked ones included).
    ///
    /// - Throws: ``CustomerAuthorizationStoreError``: `wrongKey` when the row was sealed with
    ///   another key, `unreadableRecord` (naming the handle) when it does not open under this
    ///   key, `unavailable` when the database cannot be read.
    public func authorization(handle: String) async throws -> CustomerAuthorization? {
        let row = try await readDatabase("could not read the authorization \(handle)") { db in
            try Row.fetchOne(db, sql: "SELECT \(Self.columns) FROM customer_authorizations WHERE handle = ?", arguments: [handle])
                .map(StoredRow.init)
        }
        return try row.map(unseal)
    }

    /// Every authorization of `wallet` (or of every wallet when nil), oldest grant first (then
    /// by handle).
    ///
    /// - Throws: ``CustomerAuthorizationStoreError`` as ``authorization(handle:)`` does, for the
    ///   first row that cannot be opened.
    public func authorizations(wallet: String?) async throws -> [CustomerAuthorization] {
        let rows = try await readDatabase("could not read the authorizations") { db in
            if let wallet {
                return try Row.fetchAll(
                    db, sql: "SELECT \(Self.columns) FROM customer_authorizations WHERE wallet = ? ORDER BY granted_at, handle",
                    arguments: [wallet]
                ).map(StoredRow.init)
            }
            return try Row.fetchAll(db, sql: "SELECT \(Self.columns) FROM customer_authorizations ORDER BY granted_at, handle")
                .map(StoredRow.init)
        }
        return try rows.map(unseal)
    }

    // MARK: - Key files

    /// Reads a sealing key from the file at `path`: 64 hex characters (32 bytes), surrounding
    /// white space ignored, as ``createKey(path:)`` writes it.
    ///
    /// - Throws: ``CustomerAuthorizationStoreError`` (`keyFile`) when the file cannot be read,
    ///   is not a regular file, grants any permission to its group or to others (mode `0644`,
    ///   for example: a key file must be `0600` or `0400`), or does not hold exactly 64 hex
    ///   characters. The message never quotes the file's content.
    public static func loadKey(path: String) throws -> [UInt8] {
        try KeyFile.load(path: path)
    }

    /// Creates a key file at `path` holding a new random 32-byte key as 64 hex characters, with
    /// mode `0600` from the start (created exclusively: an existing file is never replaced, since
    /// a store sealed with it could not be opened again). Missing parent directories are created
    /// with mode `0700`.
    ///
    /// - Returns: The new key.
    /// - Throws: ``CustomerAuthorizationStoreError`` (`keyFile`) when the file exists or cannot
    ///   be created and written (a partly written file is removed).
    public static func createKey(path: String) throws -> [UInt8] {
        try KeyFile.create(path: path)
    }

    // MARK: - Sealing

    /// The fields sealed in `sealed`: the secrets and everything not needed for listing, plus
    /// the clear `granted_at` and `revoked_at`, which must agree with their sealed copies.
    /// Dates are seconds since 2001-01-01, as in the journal, which round-trips a `Date`.
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

    /// A row as read, before opening.
    private struct StoredRow: Sendable {
        var handle: String
        var wallet: String
        var customerID: String
        var grantedAt: Double
        var revokedAt: Double?
        var keyID: String?
        var sealed: [UInt8]

        init(_ row: Row) throws {
            handle = try row.decode(forColumn: "handle")
            wallet = try row.decode(forColumn: "wallet")
            customerID = try row.decode(forColumn: "customer_id")
            grantedAt = try row.decode(forColumn: "granted_at")
            revokedAt = try row.decode(forColumn: "revoked_at")
            keyID = try row.decode(forColumn: "key_id")
            let data: Data = try row.decode(forColumn: "sealed")
            sealed = Array(data)
        }
    }

    private static let columns = "handle, wallet, customer_id, granted_at, revoked_at, key_id, sealed"

    /// `handle|wallet|customer_id`. Neither the handle nor the wallet may contain `|`, so the
    /// three fields are read back from it one way only.
    private static func additionalData(handle: String, wallet: String, customerID: String) -> [UInt8] {
        Array("\(handle)|\(wallet)|\(customerID)".utf8)
    }

    private static func additionalData(_ authorization: CustomerAuthorization) -> [UInt8] {
        additionalData(handle: authorization.handle, wallet: authorization.wallet, customerID: authorization.customerID)
    }

    /// Opens a row: checks the key id, the seal and the agreement of the clear columns.
    private func unseal(_ row: StoredRow) throws -> CustomerAuthorization {
        let handle = row.handle
        if let stored = row.keyID, stored != keyID {
            throw Self.wrongKey(stored, mine: keyID, handle: handle)
        }
        let payload: [UInt8]
        do {
            payload = try cipher.open(
                row.sealed, additionalData: Self.additionalData(handle: handle, wallet: row.wallet, customerID: row.customerID))
        } catch {
            throw CustomerAuthorizationStoreError(
                .unreadableRecord,
                "the authorization \(handle) cannot be opened: its sealed data does not verify under this key "
                    + "(altered in the database, or copied from another row)",
                handle: handle)
        }
        let fields: SealedFields
        do {
            fields = try JSONDecoder().decode(SealedFields.self, from: Data(payload))
        } catch {
            throw CustomerAuthorizationStoreError(
                .unreadableRecord, "the authorization \(handle) holds sealed data in an unknown shape", handle: handle)
        }
        guard fields.grantedAt == row.grantedAt, fields.revokedAt == row.revokedAt else {
            throw CustomerAuthorizationStoreError(
                .unreadableRecord, "the authorization \(handle) has grant or revocation times that disagree with its sealed record",
                handle: handle)
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

    /// The cipher and key id for `key`.
    private static func cipher(for key: [UInt8]) throws -> (AESGCM, String) {
        guard key.count == 32 else {
            throw CustomerAuthorizationStoreError(.invalidKey, "the authorization store's key must be 32 bytes, got \(key.count)")
        }
        do {
            return (try AESGCM(key: key), String(Digest.sha256Hex(key).prefix(8)))
        } catch {
            throw CustomerAuthorizationStoreError(.invalidKey, "the authorization store's key cannot be used: \(error)")
        }
    }

    private static func wrongKey(_ stored: String, mine: String, handle: String) -> CustomerAuthorizationStoreError {
        CustomerAuthorizationStoreError(
            .wrongKey,
            "the authorization store was sealed with another key (key id \(stored), not this key's \(mine)): "
                + "the authorization \(handle) cannot be opened",
            handle: handle)
    }

    // MARK: - Schema and access

    /// Creates `customer_authorizations`: run by ``SQLitePaymentJournal``'s migrator as
    /// migration `v2: customer authorizations`.
    static func createSchema(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE customer_authorizations (
                    handle TEXT NOT NULL PRIMARY KEY,
                    wallet TEXT NOT NULL,
                    customer_id TEXT NOT NULL,
                    granted_at REAL NOT NULL,
                    revoked_at REAL,
                    updated_at REAL NOT NULL,
                    key_id TEXT,
                    sealed BLOB NOT NULL
                ) STRICT;
                CREATE INDEX customer_authorizations_by_wallet ON customer_authorizations (wallet, granted_at, handle);
                CREATE INDEX customer_authorizations_by_grant ON customer_authorizations (granted_at, handle);
                """)
    }

    private func writeDatabase<T: Sendable>(_ what: String, _ updates: @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.write(updates)
        } catch {
            throw Self.wrap(error, what)
        }
    }

    private func readDatabase<T: Sendable>(_ what: String, _ value: @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.read(value)
        } catch {
            throw Self.wrap(error, what)
        }
    }

    /// A ``CustomerAuthorizationStoreError`` describing `error` (SQLite code and message, never
    /// the statement's arguments); store errors and cancellation pass through unchanged.
    private static func wrap(_ error: any Error, _ what: String) -> any Error {
        switch error {
        case let error as CustomerAuthorizationStoreError:
            return error
        case let error as CancellationError:
            return error
        case let error as DatabaseError:
            return CustomerAuthorizationStoreError(
                .unavailable, "\(what): SQLite error \(error.extendedResultCode.rawValue) (\(error.message ?? "no message"))")
        case is DecodingError:
            return CustomerAuthorizationStoreError(.unavailable, "\(what): a stored value is not of the expected type")
        default:
            return CustomerAuthorizationStoreError(.unavailable, "\(what): \(error.localizedDescription)")
        }
    }
}

/// An error from ``SQLiteCustomerAuthorizationStore``. Messages name handles, wallets, paths and
/// key ids, never a token or key material.
public struct CustomerAuthorizationStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure this is, for programmatic handling.
    public enum Kind: String, Sendable, Equatable {
        /// The key is not 32 bytes.
        case invalidKey
        /// A key file could not be read or created, grants access to its group or others, or
        /// does not hold 64 hex characters.
        case keyFile
        /// The store (or the row) was sealed with another key: the stored key id differs from
        /// this key's.
        case wrongKey
        /// A row does not open under this key although its key id matches: altered in the
        /// database, or its sealed data copied from another row.
        case unreadableRecord
        /// The authorization cannot be stored as given.
        case invalidRecord
        /// The database could not be opened, read or written.
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

/// Key files: a 32-byte key as 64 hex characters and a newline, mode 0600.
private enum KeyFile {
    static func load(path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw failure("cannot open the key file \(path)", errno: errno) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw failure("cannot examine the key file \(path)", errno: errno) }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw CustomerAuthorizationStoreError(.keyFile, "the key file \(path) is not a regular file")
        }
        let permissions = Int(info.st_mode) & 0o777
        guard permissions & 0o077 == 0 else {
            let octal = String(permissions, radix: 8)
            throw CustomerAuthorizationStoreError(
                .keyFile,
                "the key file \(path) is open to its group or others (mode 0\(String(repeating: "0", count: 3 - octal.count))\(octal)); "
                    + "make it readable by its owner only: chmod 600 \(path)")
        }
        var content: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 256)
        while content.count <= 4096 {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw failure("cannot read the key file \(path)", errno: errno)
            }
            if count == 0 { break }
            content.append(contentsOf: buffer.prefix(count))
        }
        let text = String(decoding: content, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.utf8.count == 64, let key = Hex.decode(text) else {
            throw CustomerAuthorizationStoreError(
                .keyFile, "the key file \(path) does not hold a key: expected 64 hex characters (32 bytes), found \(text.utf8.count) characters")
        }
        return key
    }

    static func create(path: String) throws -> [UInt8] {
        let key: [UInt8]
        do {
            key = try SecureRandom.bytes(count: 32)
        } catch {
            throw CustomerAuthorizationStoreError(.keyFile, "cannot draw a key for \(path): \(error)")
        }
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw CustomerAuthorizationStoreError(.keyFile, "cannot create the directory \(directory.path) for the key file")
        }
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            let code = errno
            if code == EEXIST {
                throw CustomerAuthorizationStoreError(
                    .keyFile, "the key file \(path) already exists; it is never replaced (what it sealed could not be opened again)")
            }
            throw failure("cannot create the key file \(path)", errno: code)
        }
        var written = 0
        let bytes = Array((Hex.lowercase(key) + "\n").utf8)
        var problem: CustomerAuthorizationStoreError?
        // The umask can only narrow 0600; set it exactly all the same.
        if fchmod(fd, 0o600) != 0 { problem = failure("cannot set the mode of the key file \(path)", errno: errno) }
        while problem == nil, written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                problem = failure("cannot write the key file \(path)", errno: errno)
            } else {
                written += count
            }
        }
        if problem == nil, fsync(fd) != 0 { problem = failure("cannot flush the key file \(path)", errno: errno) }
        if close(fd) != 0, problem == nil { problem = failure("cannot close the key file \(path)", errno: errno) }
        if let problem {
            unlink(path)
            throw problem
        }
        return key
    }

    private static func failure(_ what: String, errno code: Int32) -> CustomerAuthorizationStoreError {
        CustomerAuthorizationStoreError(.keyFile, "\(what): \(String(cString: strerror(code)))")
    }
}
