import Foundation
import GRDB
import Testing
import WalletBridgeCore
import WalletBridgeCrypto
import WalletBridgeSQLite

/// A unique directory under the temporary directory, removed when `body` ends.
private func withDirectory<T>(_ body: (URL) async throws -> T) async throws -> T {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("walletbridge-authstore-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: directory) }
    return try await body(directory)
}

/// The database path inside `directory`, in a subdirectory that does not exist yet.
private func databasePath(_ directory: URL) -> String { directory.appendingPathComponent("db/payments.sqlite").path }

private let key = Array(0..<UInt8(32))
private let otherKey = Array((0..<UInt8(32)).reversed())

/// Dates with sub-microsecond bits, to prove they round-trip exactly (not only to the second).
private let t0 = Date(timeIntervalSinceReferenceDate: 780_000_000.123_456_789)

/// An authorization with every field set; the tokens are unique text that must never reach the
/// disk in clear.
private func authorization(
    _ handle: String = CustomerAuthorization.newHandle(), wallet: String = "gcash", customer: String = "customer-1", grantedAt: Date = t0
) -> CustomerAuthorization {
    CustomerAuthorization(
        handle: handle, wallet: wallet, customerID: customer, accessToken: CustomerCredential("AT-\(UUID().uuidString)-access"),
        accessTokenExpiresAt: grantedAt.addingTimeInterval(3_600.25), refreshToken: CustomerCredential("RT-\(UUID().uuidString)-refresh"),
        refreshTokenExpiresAt: grantedAt.addingTimeInterval(86_400 * 30 + 0.5), scopes: ["AGREEMENT_PAY", "USER_LOGIN_ID"],
        walletReference: "0917****123", grantedAt: grantedAt, refreshedAt: grantedAt.addingTimeInterval(60.75), revokedAt: nil)
}

/// A plain GRDB connection to the file, to read or alter rows behind the store's back.
private func rawDatabase(_ path: String) throws -> DatabaseQueue {
    var configuration = Configuration()
    configuration.busyMode = .timeout(5)
    return try DatabaseQueue(path: path, configuration: configuration)
}

/// Every byte of the database file and of its WAL (and shared-memory index, when present).
private func bytesOnDisk(_ path: String) throws -> [UInt8] {
    var bytes: [UInt8] = []
    for suffix in ["", "-wal", "-shm", "-journal"] where FileManager.default.fileExists(atPath: path + suffix) {
        bytes += Array(try Data(contentsOf: URL(fileURLWithPath: path + suffix)))
    }
    return bytes
}

private func contains(_ haystack: [UInt8], _ needle: String) -> Bool {
    let needle = Array(needle.utf8)
    guard !needle.isEmpty, haystack.count >= needle.count else { return false }
    for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
        if haystack[start..<(start + needle.count)].elementsEqual(needle) { return true }
    }
    return false
}

private func permissions(_ path: String) throws -> Int {
    try #require((FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue) & 0o777
}

@Suite("SQLiteCustomerAuthorizationStore")
struct SQLiteCustomerAuthorizationStoreTests {
    @Test("save, load, list and replace round-trip every field; dates exactly; revoked ones are kept")
    func roundTrip() async throws {
        try await withDirectory { directory in
            let store = try SQLiteCustomerAuthorizationStore(path: databasePath(directory), key: key)
            #expect(try await store.authorization(handle: "wbauth_missing") == nil)
            #expect(try await store.authorizations(wallet: nil).isEmpty)

            let first = authorization("wbauth_b", grantedAt: t0)
            let sameTime = authorization("wbauth_a", grantedAt: t0)
            let later = authorization("wbauth_c", wallet: "dana", customer: "customer-2", grantedAt: t0.addingTimeInterval(10))
            for item in [later, first, sameTime] { try await store.save(item) }
            #expect(try await store.authorization(handle: "wbauth_b") == first)
            #expect(try await store.authorizations(wallet: nil).map(\.handle) == ["wbauth_a", "wbauth_b", "wbauth_c"])
            #expect(try await store.authorizations(wallet: "gcash") == [sameTime, first])
            #expect(try await store.authorizations(wallet: "dana") == [later])
            #expect(try await store.authorizations(wallet: "paytm").isEmpty)

            // A refresh replaces the tokens; no refresh token and no expiries are kept as nil.
            var replaced = first.renewed(
                by: CustomerAuthorization(
                    wallet: "gcash", customerID: "customer-1", accessToken: CustomerCredential("AT-renewed"), accessTokenExpiresAt: nil,
                    grantedAt: t0),
                at: t0.addingTimeInterval(120.125))
            replaced.scopes = []
            replaced.walletReference = nil
            try await store.save(replaced)
            #expect(try await store.authorization(handle: "wbauth_b") == replaced)
            #expect(try await store.authorizations(wallet: nil).count == 3)

            var revoked = replaced
            revoked.revokedAt = t0.addingTimeInterval(300.5)
            try await store.save(revoked)
            let loaded = try #require(try await store.authorization(handle: "wbauth_b"))
            #expect(loaded == revoked)
            #expect(loaded.isRevoked)
            #expect(try await store.authorizations(wallet: "gcash").contains(revoked))
        }
    }

    @Test("neither the database file nor its WAL ever holds a token's text (the handle is there in clear)")
    func noTokenOnDisk() async throws {
        try await withDirectory { directory in
            let path = databasePath(directory)
            let store = try SQLiteCustomerAuthorizationStore(path: path, key: key)
            var saved: [CustomerAuthorization] = []
            for index in 0..<5 {
                var item = authorization("wbauth_disk\(index)")
                try await store.save(item)
                saved.append(item)
                item.accessToken = CustomerCredential("AT-\(UUID().uuidString)-replaced")
                try await store.save(item)
                saved.append(item)
            }
            let bytes = try bytesOnDisk(path)
            #expect(FileManager.default.fileExists(atPath: path + "-wal"))
            #expect(contains(bytes, "wbauth_disk3"), "the check reads the files the rows are in")
            for item in saved {
                #expect(!contains(bytes, item.accessToken.value))
                #expect(!contains(bytes, try #require(item.refreshToken).value))
            }
            #expect(!contains(bytes, "AGREEMENT_PAY"))
        }
    }

    @Test("a store opened with another key fails clearly, with the key ids and no key material; it cannot overwrite a row either")
    func anotherKeyFailsClearly() async throws {
        try await withDirectory { directory in
            let path = databasePath(directory)
            let lateOpener = try SQLiteCustomerAuthorizationStore(path: path, key: otherKey)
            let store = try SQLiteCustomerAuthorizationStore(path: path, key: key)
            let item = authorization("wbauth_keyed")
            try await store.save(item)
            let keyID = String(Digest.sha256Hex(key).prefix(8))
            #expect(store.keyID == keyID)

            let opening = try #require(throws: CustomerAuthorizationStoreError.self) {
                try SQLiteCustomerAuthorizationStore(path: path, key: otherKey)
            }
            #expect(opening.kind == .wrongKey)
            #expect(opening.description.contains("the authorization store was sealed with another key (key id \(keyID)"))

            // A store opened before the first row was written finds out on reading and writing.
            let reading = await #expect(throws: CustomerAuthorizationStoreError.self) { try await lateOpener.authorization(handle: "wbauth_keyed") }
            #expect(reading?.kind == .wrongKey)
            #expect(reading?.handle == "wbauth_keyed")
            let listing = await #expect(throws: CustomerAuthorizationStoreError.self) { try await lateOpener.authorizations(wallet: nil) }
            #expect(listing?.kind == .wrongKey)
            let writing = await #expect(throws: CustomerAuthorizationStoreError.self) { try await lateOpener.save(authorization("wbauth_keyed")) }
            #expect(writing?.kind == .wrongKey)
            for error in [opening, reading, listing, writing].compactMap(\.self) {
                #expect(!error.description.contains(Hex.lowercase(key)) && !error.description.contains(Hex.lowercase(otherKey)))
                #expect(!error.description.contains(item.accessToken.value))
            }
            #expect(try await store.authorization(handle: "wbauth_keyed") == item)

            let short = #expect(throws: CustomerAuthorizationStoreError.self) {
                try SQLiteCustomerAuthorizationStore(path: path, key: Array(key.prefix(16)))
            }
            #expect(short?.kind == .invalidKey)
        }
    }

    @Test("a tampered sealed blob, or an edited clear column, fails clearly naming the handle and never a token")
    func tamperedRowNamesTheHandle() async throws {
        try await withDirectory { directory in
            let path = databasePath(directory)
            let store = try SQLiteCustomerAuthorizationStore(path: path, key: key)
            let item = authorization("wbauth_tampered")
            var revoked = authorization("wbauth_revoked")
            revoked.revokedAt = t0.addingTimeInterval(5)
            let intact = authorization("wbauth_intact")
            for each in [item, revoked, intact] { try await store.save(each) }

            let raw = try rawDatabase(path)
            try await raw.write { db in
                let sealed = try #require(try Data.fetchOne(db, sql: "SELECT sealed FROM customer_authorizations WHERE handle = 'wbauth_tampered'"))
                var bytes = Array(sealed)
                bytes[bytes.count / 2] ^= 0x01
                try db.execute(sql: "UPDATE customer_authorizations SET sealed = ? WHERE handle = 'wbauth_tampered'", arguments: [Data(bytes)])
                // Un-revoking in clear is caught too: the times are sealed as well.
                try db.execute(sql: "UPDATE customer_authorizations SET revoked_at = NULL WHERE handle = 'wbauth_revoked'")
            }
            let error = await #expect(throws: CustomerAuthorizationStoreError.self) { try await store.authorization(handle: "wbauth_tampered") }
            #expect(error?.kind == .unreadableRecord)
            #expect(error?.handle == "wbauth_tampered")
            #expect(error?.description.contains("the authorization wbauth_tampered cannot be opened") == true)
            #expect(error?.description.contains(item.accessToken.value) == false)

            let unrevoked = await #expect(throws: CustomerAuthorizationStoreError.self) { try await store.authorization(handle: "wbauth_revoked") }
            #expect(unrevoked?.kind == .unreadableRecord)
            #expect(unrevoked?.handle == "wbauth_revoked")

            let listing = await #expect(throws: CustomerAuthorizationStoreError.self) { try await store.authorizations(wallet: "gcash") }
            #expect(listing?.kind == .unreadableRecord)
            #expect(try await store.authorization(handle: "wbauth_intact") == intact)

            // Editing the customer in clear breaks the additional data.
            try await raw.write { db in
                try db.execute(sql: "UPDATE customer_authorizations SET customer_id = 'someone-else' WHERE handle = 'wbauth_intact'")
            }
            let moved = await #expect(throws: CustomerAuthorizationStoreError.self) { try await store.authorization(handle: "wbauth_intact") }
            #expect(moved?.handle == "wbauth_intact")
        }
    }

    @Test("a row's sealed blob copied onto another row does not open there (the additional data binds it to its row)")
    func blobCopiedToAnotherRowFails() async throws {
        try await withDirectory { directory in
            let path = databasePath(directory)
            let store = try SQLiteCustomerAuthorizationStore(path: path, key: key)
            let source = authorization("wbauth_source", customer: "customer-1")
            // Same wallet and customer: only the handle tells the rows apart.
            let target = authorization("wbauth_target", customer: "customer-1")
            try await store.save(source)
            try await store.save(target)
            try await rawDatabase(path).write { db in
                try db.execute(
                    sql: """
                        UPDATE customer_authorizations
                        SET sealed = (SELECT sealed FROM customer_authorizations WHERE handle = 'wbauth_source')
                        WHERE handle = 'wbauth_target'
                        """)
            }
            let error = await #expect(throws: CustomerAuthorizationStoreError.self) { try await store.authorization(handle: "wbauth_target") }
            #expect(error?.kind == .unreadableRecord)
            #expect(error?.handle == "wbauth_target")
            #expect(error?.description.contains(source.accessToken.value) == false)
            #expect(try await store.authorization(handle: "wbauth_source") == source)
        }
    }

    @Test("a handle or wallet containing the separator is refused before anything is written")
    func separatorRefused() async throws {
        try await withDirectory { directory in
            let store = try SQLiteCustomerAuthorizationStore(path: databasePath(directory), key: key)
            for item in [authorization("wbauth_x|gcash"), authorization("wbauth_y", wallet: "gcash|x")] {
                let error = await #expect(throws: CustomerAuthorizationStoreError.self) { try await store.save(item) }
                #expect(error?.kind == .invalidRecord)
            }
            // The customer id is the last field, so it may contain one.
            let piped = authorization("wbauth_z", customer: "shop|customer-9")
            try await store.save(piped)
            #expect(try await store.authorization(handle: "wbauth_z") == piped)
            #expect(try await store.authorizations(wallet: nil) == [piped])
        }
    }

    @Test("two store instances on one file see each other's writes")
    func twoInstancesShareTheFile() async throws {
        try await withDirectory { directory in
            let path = databasePath(directory)
            let one = try SQLiteCustomerAuthorizationStore(path: path, key: key)
            let two = try SQLiteCustomerAuthorizationStore(path: path, key: key)
            let item = authorization("wbauth_shared")
            try await one.save(item)
            #expect(try await two.authorization(handle: "wbauth_shared") == item)

            var revoked = item
            revoked.revokedAt = t0.addingTimeInterval(30)
            try await two.save(revoked)
            #expect(try await one.authorization(handle: "wbauth_shared") == revoked)

            async let fromOne: Void = try one.save(authorization("wbauth_one"))
            async let fromTwo: Void = try two.save(authorization("wbauth_two"))
            _ = try await (fromOne, fromTwo)
            #expect(try await one.authorizations(wallet: nil).map(\.handle).sorted() == ["wbauth_one", "wbauth_shared", "wbauth_two"])
            #expect(try await two.authorizations(wallet: nil).count == 3)
        }
    }

    @Test("the journal and the store share one file, both work, and both survive reopening")
    func journalAndStoreShareOneFile() async throws {
        try await withDirectory { directory in
            let path = databasePath(directory)
            let journal = try SQLitePaymentJournal(path: path)
            let store = try SQLiteCustomerAuthorizationStore(journal: journal, key: key)
            #expect(store.path == path)
            let intent = JournalEntry(
                id: JournalEntry.paymentID(wallet: "gcash", merchantReference: "M-1"), wallet: "gcash", kind: .payment, merchantReference: "M-1",
                amountMinorUnits: 1_000, currency: "PHP", pinned: JournalEntry.PinnedInputs(orderDescription: "Order M-1"), createdAt: t0,
                updatedAt: t0)
            let item = authorization("wbauth_journal")
            #expect(try await journal.begin(intent) == intent)
            try await store.save(item)
            #expect(try await journal.entry(intent.id) == intent)
            #expect(try await store.authorization(handle: "wbauth_journal") == item)

            let files = try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("db").path).sorted()
            #expect(files.allSatisfy { $0.hasPrefix("payments.sqlite") })

            // Reopened in the other order: the store alone first, then a journal over the same file.
            let reopenedStore = try SQLiteCustomerAuthorizationStore(path: path, key: key)
            let reopenedJournal = try SQLitePaymentJournal(path: path)
            #expect(try await reopenedStore.authorization(handle: "wbauth_journal") == item)
            #expect(try await reopenedJournal.entry(intent.id) == intent)
            let migrations = try await rawDatabase(path).read { db in
                try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY identifier")
            }
            #expect(migrations == ["v1: entries, events, notification claims", "v2: customer authorizations"])
            try journal.close()
        }
    }

    @Test("createKey writes 64 hex characters with mode 0600 and never replaces a file; loadKey reads it back")
    func keyFileCreated0600() async throws {
        try await withDirectory { directory in
            let path = directory.appendingPathComponent("keys/authorizations.key").path
            let created = try SQLiteCustomerAuthorizationStore.createKey(path: path)
            #expect(created.count == 32)
            #expect(try permissions(path) == 0o600)
            let text = try String(contentsOfFile: path, encoding: .utf8)
            #expect(text == Hex.lowercase(created) + "\n")
            #expect(try SQLiteCustomerAuthorizationStore.loadKey(path: path) == created)

            let again = #expect(throws: CustomerAuthorizationStoreError.self) { try SQLiteCustomerAuthorizationStore.createKey(path: path) }
            #expect(again?.kind == .keyFile)
            #expect(again?.description.contains("already exists") == true)
            #expect(try SQLiteCustomerAuthorizationStore.loadKey(path: path) == created)

            let store = try SQLiteCustomerAuthorizationStore(
                path: databasePath(directory), key: try SQLiteCustomerAuthorizationStore.loadKey(path: path))
            let item = authorization()
            try await store.save(item)
            #expect(try await store.authorization(handle: item.handle) == item)
        }
    }

    @Test("a key file open to its group or others (0644) is refused with a clear message; a malformed or missing one too")
    func keyFileOpenToOthersRefused() async throws {
        try await withDirectory { directory in
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let path = directory.appendingPathComponent("authorizations.key").path
            let hex = Hex.lowercase(key)
            #expect(FileManager.default.createFile(atPath: path, contents: Data((hex + "\n").utf8), attributes: [.posixPermissions: 0o644]))
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)

            let error = #expect(throws: CustomerAuthorizationStoreError.self) { try SQLiteCustomerAuthorizationStore.loadKey(path: path) }
            #expect(error?.kind == .keyFile)
            #expect(error?.description.contains("mode 0644") == true)
            #expect(error?.description.contains("chmod 600") == true)
            #expect(error?.description.contains(hex) == false)

            for (mode, text) in [(0o640, "mode 0640"), (0o604, "mode 0604"), (0o602, "mode 0602")] {
                try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
                let open = #expect(throws: CustomerAuthorizationStoreError.self) { try SQLiteCustomerAuthorizationStore.loadKey(path: path) }
                #expect(open?.description.contains(text) == true)
            }
            try FileManager.default.setAttributes([.posixPermissions: 0o400], ofItemAtPath: path)
            #expect(try SQLiteCustomerAuthorizationStore.loadKey(path: path) == key)

            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
            for malformed in [String(hex.dropLast(2)), hex + "00", String(hex.dropLast()) + "g", ""] {
                try Data((malformed + "\n").utf8).write(to: URL(fileURLWithPath: path))
                let bad = #expect(throws: CustomerAuthorizationStoreError.self) { try SQLiteCustomerAuthorizationStore.loadKey(path: path) }
                #expect(bad?.kind == .keyFile)
                #expect(bad?.description.contains("expected 64 hex characters") == true)
            }
            let missing = #expect(throws: CustomerAuthorizationStoreError.self) {
                try SQLiteCustomerAuthorizationStore.loadKey(path: directory.appendingPathComponent("none.key").path)
            }
            #expect(missing?.kind == .keyFile)
        }
    }
}
