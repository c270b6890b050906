import Foundation
import PostgresNIO
import WalletBridgeCore

/// A `NotificationDeduplicator` on the journal's claims table
/// (`walletbridge_notification_claims`, primary key `(wallet, key)`), for servers that receive
/// notifications with `WalletClient.receiveNotification(_:deduplicator:expectedAmount:correlationID:)`
/// and record their effect themselves: of several instances receiving one delivery, exactly one
/// claims it.
///
/// A client with a ``PostgresPaymentJournal`` needs none: `receiveNotification(_:correlationID:)`
/// claims the key in the transaction that records the notification's effect.
///
/// `claim` cannot throw: when the database cannot be reached it answers false (do not apply)
/// and keeps the reason in ``failure``; check it before acknowledging, and answer the wallet
/// with an error so that it redelivers.
public actor PostgresNotificationDeduplicator: NotificationDeduplicator {
    /// Where the table is.
    public nonisolated let storage: PostgresStorage
    /// The wallet whose keys this deduplicator claims.
    public nonisolated let wallet: String
    private let now: @Sendable () -> Date
    /// Why the last claim or release could not be recorded, if it could not (cleared by the
    /// next claim that succeeds).
    public private(set) var failure: String?

    /// Creates a deduplicator of `wallet`'s notification keys. The tables must exist (opening
    /// a ``PostgresPaymentJournal`` or calling ``PostgresStorage/migrate()`` creates them).
    public init(storage: PostgresStorage, wallet: String, now: @escaping @Sendable () -> Date = { Date() }) {
        self.storage = storage
        self.wallet = wallet
        self.now = now
    }

    /// Claims `key`; false when it was claimed before, or when the claim could not be recorded
    /// (see ``failure``).
    public func claim(_ key: String) async -> Bool {
        do {
            let claimed = try await PostgresPaymentJournal(migratedStorage: storage).claimNotification(key, wallet: wallet, at: now())
            failure = nil
            return claimed
        } catch {
            failure = "\(error)"
            return false
        }
    }

    /// Gives the claim of `key` back, so a redelivery is processed.
    public func release(_ key: String) async {
        do {
            try await PostgresPaymentJournal(migratedStorage: storage).releaseNotification(key, wallet: wallet)
        } catch {
            failure = "\(error)"
        }
    }
}
