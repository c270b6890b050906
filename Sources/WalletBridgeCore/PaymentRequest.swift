import Foundation

/// A request to take `amount` from a customer's wallet.
public struct PaymentRequest: Sendable, Equatable {
    /// Our reference for the payment, also its idempotency key (Alipay+ `paymentRequestId`,
    /// Paytm `orderId`, SNAP `partnerReferenceNo`). Retries reuse it.
    public var merchantReference: String
    /// What the merchant charges, in the merchant's currency (which may differ from the wallet's).
    public var amount: Money
    /// The wallet's handle on the customer: an access token or payment method id from a prior
    /// authorisation (never printed).
    public var customer: CustomerCredential
    /// Shown to the customer in the wallet.
    public var orderDescription: String
    /// Where the wallet sends payment notifications, overriding the profile's.
    public var notifyURL: String?
    /// Where the wallet sends the customer back after an action, if any.
    public var redirectURL: String?
    /// When the wallet should stop accepting the payment (SNAP `validUpTo`); nil means the
    /// profile's default from now. Set it when you may resend the request, so that the retry's
    /// body is byte-identical to the first.
    public var validUntil: Date?
    /// The handle of a stored ``CustomerAuthorization`` (from
    /// ``WalletClient/completeAuthorization(_:start:correlationID:)``): when set, ``WalletClient`` puts its
    /// access token in ``customer``, refreshed when due. Nil: ``customer`` is used as it is.
    public var authorization: String? = nil

    /// Creates a request that pays with the stored authorization `authorization` (a handle):
    /// the client supplies the access token.
    public init(
        merchantReference: String, amount: Money, authorization: String, orderDescription: String, notifyURL: String? = nil,
        redirectURL: String? = nil, validUntil: Date? = nil
    ) {
        self.init(
            merchantReference: merchantReference, amount: amount, customer: CustomerCredential(""), orderDescription: orderDescription,
            notifyURL: notifyURL, redirectURL: redirectURL, validUntil: validUntil)
        self.authorization = authorization
    }

    /// Creates a request.
    public init(
        merchantReference: String,
        amount: Money,
        customer: CustomerCredential,
        orderDescription: String,
        notifyURL: String? = nil,
        redirectURL: String? = nil,
        validUntil: Date? = nil
    ) {
        self.merchantReference = merchantReference
        self.amount = amount
        self.customer = customer
        self.orderDescription = orderDescription
        self.notifyURL = notifyURL
        self.redirectURL = redirectURL
        self.validUntil = validUntil
    }
}

/// A customer's access token or payment method id. It authorises debits, so it is a secret:
/// it never appears in descriptions or logs.
public struct CustomerCredential: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The raw value, for building the wire request only.
    public let value: String

    /// Wraps a token or id.
    public init(_ value: String) { self.value = value }

    public var description: String { "CustomerCredential(<redacted, \(value.count) chars>)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}

/// Identifies a payment to inquire or cancel.
public struct PaymentQuery: Sendable, Equatable {
    /// Our reference (always known).
    public var merchantReference: String
    /// The wallet's reference, when a previous reply gave one.
    public var walletReference: String?
    /// The amount we asked for, when known; replies that disagree are rejected.
    public var expectedAmount: Money?

    /// Creates a query.
    public init(merchantReference: String, walletReference: String? = nil, expectedAmount: Money? = nil) {
        self.merchantReference = merchantReference
        self.walletReference = walletReference
        self.expectedAmount = expectedAmount
    }
}
