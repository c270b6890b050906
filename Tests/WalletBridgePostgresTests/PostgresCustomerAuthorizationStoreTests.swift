import Foundation
import PostgresNIO
import Testing
import WalletBridgeCore
import WalletBridgePostgres

private let key = Array(0..<UInt8(32))
private let otherKey = Array((0..<UInt8(32)).reversed())

private func authorization(
    _ handle: String = CustomerAuthorization.newHandle(), wallet: String = "gcash", grantedAt: Date = t0
) -> CustomerAuthorization {
    CustomerAuthorization(
        handle: handle, wallet: wallet, customerID: "customer-1", accessToken: CustomerCredential("AT-\(UUID().uuidString)-access"),
        accessTokenExpiresAt: grantedAt.addingTimeInterval(3_600.25), refreshToken: CustomerCredential("RT-\(UUID().uuidString)-refresh"),
        refreshTokenExpiresAt: grantedAt.addingTimeInterval(86_400 * 30 + 0.5), scopes: ["AGREEMENT_PAY", "USER_LOGIN_ID"],
        walletReference: "0917****123", grantedAt: grantedAt, refreshedAt: grantedAt.addingTimeInterval(60.75), revokedAt: nil)
}

@Suite(
    "PostgresCustomerAuthorizationStore against a real PostgreSQL server", .enabled(if: TestPostgres.url != nil, TestPostgres.disabledReason),
    .timeLimit(.minutes(3)))
struct PostgresCustomerAuthorizationStoreTests {
    @Test("save, load, list and replace round-trip every field exactly; no column holds a token in clear")
    func roundTripSealed() async throws {
        try await TestPostgres.withStorages { storages in
            let storage = storages[0]
            let store = try await PostgresCustomerAuthorizationStore(storage: storage, key: key)
            let first = authorization(grantedAt: t0)
            var second = authorization(wallet: "dana", grantedAt: t0.addingTimeInterval(1))
            try await store.save(first)
            try await store.save(second)
            #expect(try await store.authorization(handle: first.handle) == first)
            #expect(try await store.authorizations(wallet: nil) == [first, second])
            #expect(try await store.authorizations(wallet: "dana") == [second])
            second.revokedAt = t0.addingTimeInterval(2)
            try await store.save(second)
            #expect(try await store.authorization(handle: second.handle) == second)
            #expect(try await store.authorization(handle: "absent") == nil)
            // The raw rows: every column as text, and the sealed bytes, hold no token.
            let table = "\"\(storage.schema)\".walletbridge_customer_authorizations"
            let rows = try await storage.client.query("SELECT row_to_json(t)::text, sealed FROM \(unescaped: table) AS t").collect()
            #expect(rows.count == 2)
            for row in rows {
                let (text, sealed) = try row.decode((String, Data).self)
                for token in [first, second].flatMap({ [$0.accessToken.value, $0.refreshToken?.value ?? "-"] }) {
                    #expect(!text.contains(token))
                    #expect(!String(decoding: sealed, as: UTF8.self).contains(token))
                    #expect(sealed.range(of: Data(token.utf8)) == nil)
                }
                #expect(text.contains(first.handle) || text.contains(second.handle))
            }
        }
    }

    @Test("a store opened with another key fails clearly (key ids, no key material); a key of the wrong size too")
    func wrongKeyFailsClearly() async throws {
        try await TestPostgres.withStorages { storages in
            let store = try await PostgresCustomerAuthorizationStore(storage: storages[0], key: key)
            let saved = authorization()
            try await store.save(saved)
            let error = await #expect(throws: PostgresStoreError.self) {
                _ = try await PostgresCustomerAuthorizationStore(storage: storages[0], key: otherKey)
            }
            #expect(error?.kind == .wrongKey)
            #expect(error?.message.contains(store.keyID) == true)
            #expect(error?.description.contains(saved.accessToken.value) == false)
            let short = await #expect(throws: PostgresStoreError.self) {
                _ = try await PostgresCustomerAuthorizationStore(storage: storages[0], key: Array(key.prefix(16)))
            }
            #expect(short?.kind == .invalidKey)
        }
    }

    @Test("an altered sealed value fails naming the handle, never a token")
    func tamperedRowFails() async throws {
        try await TestPostgres.withStorages { storages in
            let storage = storages[0]
            let store = try await PostgresCustomerAuthorizationStore(storage: storage, key: key)
            let saved = authorization()
            try await store.save(saved)
            let table = "\"\(storage.schema)\".walletbridge_customer_authorizations"
            try await storage.client.query("UPDATE \(unescaped: table) SET customer_id = 'someone-else' WHERE handle = \(saved.handle)")
            let error = await #expect(throws: PostgresStoreError.self) { _ = try await store.authorization(handle: saved.handle) }
            #expect(error?.kind == .unreadableRecord)
            #expect(error?.handle == saved.handle)
            #expect(error?.description.contains(saved.accessToken.value) == false)
        }
    }
}

@Suite("PostgresURL")
struct PostgresURLTests {
    @Test("a URL becomes a client configuration; a loopback host connects in clear; the password is never quoted")
    func parses() throws {
        let configuration = try PostgresURL.configuration("postgres://shop:s%40cret@127.0.0.1:6543/payments")
        #expect(configuration.host == "127.0.0.1")
        #expect(configuration.port == 6543)
        #expect(configuration.username == "shop")
        #expect(configuration.password == "s@cret")
        #expect(configuration.database == "payments")
        #expect(PostgresURL.redacted("postgres://shop:s%40cret@127.0.0.1:6543/payments").contains("cret") == false)
        let missing = #expect(throws: JournalError.self) { try PostgresURL.configuration("postgres://shop:topsecret@db.internal") }
        #expect(missing?.description.contains("topsecret") == false)
        #expect(throws: JournalError.self) { try PostgresURL.configuration("mysql://shop@db/payments") }
        #expect(throws: JournalError.self) { try PostgresURL.configuration("postgres://shop@db/payments?sslmode=sometimes") }
        #expect(throws: JournalError.self) { try PostgresStorage(client: PostgresClient(configuration: configuration), schema: "Bad-Name") }
    }
}
