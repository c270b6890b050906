/// Remembers which notifications were applied, so a redelivery is recognised and never
/// applied twice. Production servers back it with their database (a unique key on
/// ``WalletNotification/deduplicationKey``); ``InMemoryNotificationDeduplicator`` is for one
/// process.
public protocol NotificationDeduplicator: Sendable {
    /// Claims `key` for processing; false when it was already claimed (a duplicate).
    func claim(_ key: String) async -> Bool
    /// Gives a claim back because processing did not finish, so a redelivery is processed.
    func release(_ key: String) async
}

/// A ``NotificationDeduplicator`` in memory, bounded: beyond `capacity` keys the oldest are
/// forgotten (wallets stop redelivering long before that).
public actor InMemoryNotificationDeduplicator: NotificationDeduplicator {
    private var keys: Set<String> = []
    /// Claim order; entries before `oldest` are already forgotten (compacted now and then, so
    /// a claim costs O(1) amortised even at capacity).
    private var order: [String] = []
    private var oldest = 0
    private let capacity: Int

    /// Creates an empty store remembering at most `capacity` keys.
    public init(capacity: Int = 100_000) {
        self.capacity = max(1, capacity)
    }

    public func claim(_ key: String) -> Bool {
        guard keys.insert(key).inserted else { return false }
        order.append(key)
        while keys.count > capacity, oldest < order.count {
            keys.remove(order[oldest])
            oldest += 1
        }
        if oldest > capacity {
            order.removeFirst(oldest)
            oldest = 0
        }
        return true
    }

    public func release(_ key: String) {
        keys.remove(key)
    }
}
