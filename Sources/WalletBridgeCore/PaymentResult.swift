import Foundation

/// What a wallet said about a payment, in the common model.
public struct PaymentResult: Sendable, Equatable, CustomReflectable {
    /// The stored fields, behind one copy-on-write reference: a payment result is carried,
    /// often more than once, in every middleware's async frame.
    struct Fields: Sendable, Equatable {
        var status: PaymentStatus
        var merchantReference: String
        var walletReference: String?
        var amount: Money?
        var customerAmount: Money?
        var quote: FXQuote?
        var partnerResult: PartnerResult?
        var completedAt: String?
        var completedAtInstant: Date?
        var lastError: WalletError?
    }

    private var box: ValueBox<Fields>

    /// Where the payment stands.
    public var status: PaymentStatus {
        get { box.fields.status }
        set { ValueBox.unique(&box).fields.status = newValue }
    }
    /// Our reference.
    public var merchantReference: String {
        get { box.fields.merchantReference }
        set { ValueBox.unique(&box).fields.merchantReference = newValue }
    }
    /// The wallet's reference (Alipay+ `paymentId`, Paytm `txnId`, SNAP `referenceNo`), once known.
    public var walletReference: String? {
        get { box.fields.walletReference }
        set { ValueBox.unique(&box).fields.walletReference = newValue }
    }
    /// The amount in the merchant's currency, as confirmed by the wallet (or as requested
    /// when the wallet has not answered).
    public var amount: Money? {
        get { box.fields.amount }
        set { ValueBox.unique(&box).fields.amount = newValue }
    }
    /// What the customer pays in the wallet's currency, for cross-border payments.
    public var customerAmount: Money? {
        get { box.fields.customerAmount }
        set { ValueBox.unique(&box).fields.customerAmount = newValue }
    }
    /// The exchange rate the wallet applied, for cross-border payments.
    public var quote: FXQuote? {
        get { box.fields.quote }
        set { ValueBox.unique(&box).fields.quote = newValue }
    }
    /// The partner's raw result, for support tickets.
    public var partnerResult: PartnerResult? {
        get { box.fields.partnerResult }
        set { ValueBox.unique(&box).fields.partnerResult = newValue }
    }
    /// When the wallet says the payment completed (partner's text).
    public var completedAt: String? {
        get { box.fields.completedAt }
        set { ValueBox.unique(&box).fields.completedAt = newValue }
    }
    /// The same moment as an instant, read by the adapter from ``completedAt`` in its wallet's
    /// own format (Alipay+ and SNAP: ISO 8601 with an offset; Paytm: IST without a zone); nil
    /// when the wallet gave no time or its text did not parse.
    public var completedAtInstant: Date? {
        get { box.fields.completedAtInstant }
        set { ValueBox.unique(&box).fields.completedAtInstant = newValue }
    }
    /// The last error that left the status as it was: an inquiry, cancel or refund call that
    /// failed says nothing about the payment, so the payment keeps its status (pending or
    /// unknown) and every reference already known, with that error here.
    public var lastError: WalletError? {
        get { box.fields.lastError }
        set { ValueBox.unique(&box).fields.lastError = newValue }
    }

    /// Creates a result.
    public init(
        status: PaymentStatus,
        merchantReference: String,
        walletReference: String? = nil,
        amount: Money?,
        customerAmount: Money? = nil,
        quote: FXQuote? = nil,
        partnerResult: PartnerResult? = nil,
        completedAt: String? = nil,
        completedAtInstant: Date? = nil,
        lastError: WalletError? = nil
    ) {
        box = ValueBox(
            Fields(
                status: status, merchantReference: merchantReference, walletReference: walletReference, amount: amount,
                customerAmount: customerAmount, quote: quote, partnerResult: partnerResult, completedAt: completedAt,
                completedAtInstant: completedAtInstant, lastError: lastError))
    }

    public static func == (lhs: PaymentResult, rhs: PaymentResult) -> Bool {
        lhs.box === rhs.box || lhs.box.fields == rhs.box.fields
    }

    /// The fields, as a struct with stored properties would show them.
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "status": status as Any,
                "merchantReference": merchantReference as Any,
                "walletReference": walletReference as Any,
                "amount": amount as Any,
                "customerAmount": customerAmount as Any,
                "quote": quote as Any,
                "partnerResult": partnerResult as Any,
                "completedAt": completedAt as Any,
                "completedAtInstant": completedAtInstant as Any,
                "lastError": lastError as Any,
            ], displayStyle: .struct)
    }
}

/// A foreign-exchange quote from the wallet: how merchant currency became wallet currency.
public struct FXQuote: Sendable, Equatable {
    /// The wallet's quote id.
    public var id: String?
    /// `BASE/QUOTE`, e.g. `JPY/PHP`.
    public var currencyPair: String
    /// The price of one unit of base in quote currency, exactly as the wallet sent it (decimal text).
    public var rate: String
    /// When the quote stops being valid (partner's text).
    public var expiresAt: String?

    /// Creates a quote.
    public init(id: String?, currencyPair: String, rate: String, expiresAt: String? = nil) {
        self.id = id
        self.currencyPair = currencyPair
        self.rate = rate
        self.expiresAt = expiresAt
    }
}

/// A partner's own result triple, kept verbatim.
public struct PartnerResult: Sendable, Equatable {
    /// e.g. `SUCCESS`, `USER_BALANCE_NOT_ENOUGH`, `2005400`.
    public var code: String
    /// e.g. `S`, `F`, `U`, `TXN_SUCCESS`.
    public var status: String?
    /// The partner's message.
    public var message: String?

    /// Creates a partner result.
    public init(code: String, status: String?, message: String?) {
        self.code = code
        self.status = status
        self.message = message
    }
}

extension PaymentResult {
    /// An unknown outcome: the customer might have been charged; reconcile by inquiry.
    public static func unknown(_ error: WalletError, merchantReference: String, amount: Money?) -> PaymentResult {
        PaymentResult(status: .unknown(error), merchantReference: merchantReference, amount: amount)
    }

    /// For a failed exchange: unknown when the request may have reached the wallet, otherwise
    /// the error itself (nothing happened, so nothing needs reconciling).
    public static func unknownOrThrow(_ error: WalletError, merchantReference: String, amount: Money?) throws(WalletError) -> PaymentResult {
        guard error.mayHaveCharged else { throw error }
        return unknown(error, merchantReference: merchantReference, amount: amount)
    }
}
