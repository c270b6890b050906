/// A notification after ``WalletClient/receiveNotification(_:deduplicator:expectedAmount:correlationID:)``:
/// verified, recognised as new or a duplicate, and confirmed by a status query when the
/// wallet's scheme requires it.
public struct ReceivedNotification: Sendable, Equatable {
    /// What the merchant should do with it.
    public enum Disposition: Sendable, Equatable {
        /// First delivery, verified (and confirmed when required): apply ``ReceivedNotification/notification``.
        case apply
        /// Already received: acknowledge it and do nothing else.
        case duplicate
        /// Verified, but the status query did not confirm it (still pending, unknown, or a
        /// different order or amount): do not fulfil; a redelivery or a later inquiry decides.
        case unconfirmed(WalletError)
    }

    /// The event; when confirmed, its payment (or refund) is what the status query said.
    public var notification: WalletNotification
    /// What to answer the wallet with (also for duplicates, so the wallet stops resending).
    public var acknowledgement: NotificationAcknowledgement
    /// What to do with it.
    public var disposition: Disposition

    /// Creates a received notification.
    public init(notification: WalletNotification, acknowledgement: NotificationAcknowledgement, disposition: Disposition) {
        self.notification = notification
        self.acknowledgement = acknowledgement
        self.disposition = disposition
    }

    /// Whether the order may now be fulfilled: a first, confirmed delivery saying the payment succeeded.
    public var fulfilsOrder: Bool {
        guard case .apply = disposition, notification.kind == .paymentResult, case .succeeded = notification.payment.status else { return false }
        return true
    }
}
