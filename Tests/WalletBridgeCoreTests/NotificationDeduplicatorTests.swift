import Testing
import WalletBridgeCore

@Suite("Notification deduplication")
struct NotificationDeduplicatorTests {
    @Test func aKeyIsClaimedOnceUntilReleased() async {
        let store = InMemoryNotificationDeduplicator()
        #expect(await store.claim("a"))
        #expect(await !store.claim("a"))
        await store.release("a")
        #expect(await store.claim("a"))
        #expect(await store.claim("b"))
    }

    @Test func concurrentClaimsOfOneKeyLetExactlyOneThrough() async {
        let store = InMemoryNotificationDeduplicator()
        let winners = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<50 { group.addTask { await store.claim("same") } }
            var count = 0
            for await won in group where won { count += 1 }
            return count
        }
        #expect(winners == 1)
    }

    @Test func theOldestKeysAreForgottenBeyondCapacity() async {
        let store = InMemoryNotificationDeduplicator(capacity: 2)
        #expect(await store.claim("1"))
        #expect(await store.claim("2"))
        #expect(await store.claim("3"))
        #expect(await store.claim("1"))
        #expect(await !store.claim("3"))
    }
}
