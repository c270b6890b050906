/// A request to return part or all of a succeeded payment.
public struct RefundRequest: Sendable, Equatable {
    /// The payment's merchant reference.
    public var merchantReference: String
    /// The payment's wallet reference, when known (some wallets require it).
    public var walletReference: String?
    /// Our reference for this refund, also its idempotency key (`refundRequestId`, `refId`,
    /// `partnerRefundNo`).
    public var refundReference: String
    /// How much to return, in the payment's currency.
    public var amount: Money
    /// Why, shown to the customer where the wallet supports it.
    public var reason: String?

    /// Creates a refund request.
    public init(merchantReference: String, walletReference: String? = nil, refundReference: String, amount: Money, reason: String? = nil) {
        self.merchantReference = merchantReference
        self.walletReference = walletReference
        self.refundReference = refundReference
        self.amount = amount
        self.reason = reason
    }
}

/// Identifies a refund to inquire.
public struct RefundQuery: Sendable, Equatable {
    /// Our refund reference.
    public var refundReference: String
    /// The wallet's refund reference, when known.
    public var walletRefundReference: String?
    /// The payment's merchant reference, for wallets that key refunds by order.
    public var merchantReference: String?
    /// The refund's amount as requested, when known; a reply about another amount is not bound.
    public var expectedAmount: Money?

    /// Creates a query.
    public init(refundReference: String, walletRefundReference: String? = nil, merchantReference: String? = nil, expectedAmount: Money? = nil) {
        self.refundReference = refundReference
        self.walletRefundReference = walletRefundReference
        self.merchantReference = merchantReference
        self.expectedAmount = expectedAmount
    }
}

/// Where a refund stands; like payments, `unknown` must be reconciled, never assumed failed.
public enum RefundStatus: Sendable, Equatable {
    /// The money went back.
    case succeeded
    /// The refund was refused; the reason says why.
    case failed(WalletError)
    /// Accepted and in progress.
    case pending
    /// It may or may not have happened; inquire.
    case unknown(WalletError)

    /// `succeeded`, `failed`, `pending` or `unknown`.
    public var name: String {
        switch self {
        case .succeeded: return "succeeded"
        case .failed: return "failed"
        case .pending: return "pending"
        case .unknown: return "unknown"
        }
    }

    /// The reason carried by `failed` or `unknown`.
    public var error: WalletError? {
        switch self {
        case .failed(let error), .unknown(let error): return error
        default: return nil
        }
    }
}

/// What a wallet said about a refund.
public struct RefundResult: Sendable, Equatable, CustomReflectable {
    /// The stored fields, behind one copy-on-write reference (as in ``PaymentResult``).
    struct Fields: Sendable, Equatable {
        var status: RefundStatus
        var refundReference: String
        var walletRefundReference: String?
        var merchantReference: String?
        var amount: Money?
        var partnerResult: PartnerResult?
        var lastError: WalletError?
    }

    private var box: ValueBox<Fields>

    /// Where the refund stands.
    public var status: RefundStatus {
        get { box.fields.status }
        set { ValueBox.unique(&box).fields.status = newValue }
    }
    /// Our refund reference.
    public var refundReference: String {
        get { box.fields.refundReference }
        set { ValueBox.unique(&box).fields.refundReference = newValue }
    }
    /// The wallet's refund reference, once known.
    public var walletRefundReference: String? {
        get { box.fields.walletRefundReference }
        set { ValueBox.unique(&box).fields.walletRefundReference = newValue }
    }
    /// The refunded payment's merchant reference, when known.
    public var merchantReference: String? {
        get { box.fields.merchantReference }
        set { ValueBox.unique(&box).fields.merchantReference = newValue }
    }
    /// The refunded amount.
    public var amount: Money? {
        get { box.fields.amount }
        set { ValueBox.unique(&box).fields.amount = newValue }
    }
    /// The partner's raw result.
    public var partnerResult: PartnerResult? {
        get { box.fields.partnerResult }
        set { ValueBox.unique(&box).fields.partnerResult = newValue }
    }
    /// An error beside the status: a call that failed without changing it, or a wallet answer
    /// that contradicted the refund's final state in the journal.
    public var lastError: WalletError? {
        get { box.fields.lastError }
        set { ValueBox.unique(&box).fields.lastError = newValue }
    }

    /// Creates a result.
    public init(
        status: RefundStatus,
        refundReference: String,
        walletRefundReference: String? = nil,
        merchantReference: String? = nil,
        amount: Money?,
        partnerResult: PartnerResult? = nil,
        lastError: WalletError? = nil
    ) {
        box = ValueBox(
            Fields(
                status: status, refundReference: refundReference, walletRefundReference: walletRefundReference, merchantReference: merchantReference,
                amount: amount, partnerResult: partnerResult, lastError: lastError))
    }

    public static func == (lhs: RefundResult, rhs: RefundResult) -> Bool {
        lhs.box === rhs.box || lhs.box.fields == rhs.box.fields
    }

    /// The fields, as a struct with stored properties would show them.
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "status": status as Any,
                "refundReference": refundReference as Any,
                "walletRefundReference": walletRefundReference as Any,
                "merchantReference": merchantReference as Any,
                "amount": amount as Any,
                "partnerResult": partnerResult as Any,
                "lastError": lastError as Any,
            ], displayStyle: .struct)
    }
}

extension RefundResult {
    /// For a failed refund exchange: unknown when the request may have reached the wallet (the
    /// refund may have happened; inquire or resend it identically), otherwise the error itself.
    public static func unknownOrThrow(_ error: WalletError, _ request: RefundRequest) throws(WalletError) -> RefundResult {
        guard error.mayHaveCharged else { throw error }
        return RefundResult(
            status: .unknown(error), refundReference: request.refundReference, merchantReference: request.merchantReference, amount: request.amount)
    }
}
