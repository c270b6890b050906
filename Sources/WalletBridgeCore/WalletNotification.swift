import HTTPTypes

/// A notification (webhook) exactly as the web framework received it: the raw body bytes,
/// never re-serialised, the headers and the path the signature may cover.
public struct InboundNotification: Sendable, Equatable {
    /// HTTP method, normally `POST`.
    public var method: String
    /// The request path our server received (no query string).
    public var path: String
    /// The received header fields (swift-http-types' `HTTPFields`: looked up ignoring case).
    public var headerFields: HTTPFields
    /// The body bytes as received.
    public var body: [UInt8]

    /// Wraps a received notification.
    public init(method: String = "POST", path: String, headerFields: HTTPFields, body: [UInt8]) {
        self.method = method
        self.path = path
        self.headerFields = headerFields
        self.body = body
    }
}

/// The HTTP response to send back for a notification; some wallets require it to be signed
/// and resend the notification until they get it.
public struct NotificationAcknowledgement: Sendable, Equatable {
    /// Status code to answer with.
    public var status: Int
    /// Header fields to answer with (content type, signature).
    public var headerFields: HTTPFields
    /// Body bytes to answer with.
    public var body: [UInt8]

    /// Creates an acknowledgement.
    public init(status: Int, headerFields: HTTPFields, body: [UInt8]) {
        self.status = status
        self.headerFields = headerFields
        self.body = body
    }
}

/// A verified notification in the common model.
public struct WalletNotification: Sendable, Equatable {
    /// What the notification announces.
    public enum Kind: String, Sendable, Equatable {
        /// A final (or authoritative) payment result.
        case paymentResult
        /// The customer acted; the final result follows. Never overwrite a final state with it.
        case paymentPending
        /// A refund result.
        case refundResult
    }

    /// What the notification announces.
    public var kind: Kind
    /// The payment as the notification describes it (for a refund result, the refunded payment).
    public var payment: PaymentResult
    /// The refund, for ``Kind/refundResult``.
    public var refund: RefundResult?
    /// Equal for redeliveries of the same notification, so it is applied once.
    public var deduplicationKey: String
    /// Whether the wallet's own scheme says the notification must be confirmed by an inquiry
    /// before an order is fulfilled (Paytm); `WalletClient` does that confirmation.
    public var requiresConfirmation: Bool

    /// Creates a notification.
    public init(kind: Kind, payment: PaymentResult, refund: RefundResult? = nil, deduplicationKey: String, requiresConfirmation: Bool = false) {
        self.kind = kind
        self.payment = payment
        self.refund = refund
        self.deduplicationKey = deduplicationKey
        self.requiresConfirmation = requiresConfirmation
    }
}

/// A notification whose signature checked out, and the acknowledgement to send back.
public struct VerifiedNotification: Sendable, Equatable {
    /// The event.
    public var notification: WalletNotification
    /// What to answer the wallet with.
    public var acknowledgement: NotificationAcknowledgement

    /// Creates a verified notification.
    public init(notification: WalletNotification, acknowledgement: NotificationAcknowledgement) {
        self.notification = notification
        self.acknowledgement = acknowledgement
    }
}
