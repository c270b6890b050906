/// One operation of the common interface as a value, so that middlewares can inspect, log,
/// journal, retry and reconcile it without knowing the adapter.
public enum WalletOperation: Sendable, Equatable {
    /// ``WalletAdapter/pay(_:)``.
    case pay(PaymentRequest)
    /// ``WalletAdapter/inquire(_:)``.
    case inquire(PaymentQuery)
    /// ``WalletAdapter/cancel(_:)``.
    case cancel(PaymentQuery)
    /// ``WalletAdapter/refund(_:)``.
    case refund(RefundRequest)
    /// ``WalletAdapter/inquireRefund(_:)``.
    case inquireRefund(RefundQuery)

    /// Which operation this is.
    public var kind: WalletCapabilities.Operation {
        switch self {
        case .pay: return .pay
        case .inquire: return .inquire
        case .cancel: return .cancel
        case .refund: return .refund
        case .inquireRefund: return .inquireRefund
        }
    }

    /// Whether the operation may change money (pay, cancel, refund): an answer that is not a
    /// verified, bound reply leaves its outcome unknown.
    public var isMutating: Bool {
        switch self {
        case .pay, .cancel, .refund: return true
        case .inquire, .inquireRefund: return false
        }
    }

    /// The payment's merchant reference, when the operation names it.
    public var merchantReference: String? {
        switch self {
        case .pay(let request): return request.merchantReference
        case .inquire(let query), .cancel(let query): return query.merchantReference
        case .refund(let request): return request.merchantReference
        case .inquireRefund(let query): return query.merchantReference
        }
    }

    /// The refund reference, for refund operations.
    public var refundReference: String? {
        switch self {
        case .refund(let request): return request.refundReference
        case .inquireRefund(let query): return query.refundReference
        default: return nil
        }
    }

    /// Runs the operation on `adapter`: the innermost step of every middleware chain.
    public func run(on adapter: any WalletAdapter) async throws(WalletError) -> WalletOutcome {
        // One non-inlined call per case: this frame stays allocated during the wire call, and
        // holds only what that call needs.
        switch self {
        case .pay(let request): return try await Self.pay(request, on: adapter)
        case .inquire(let query): return try await Self.inquire(query, on: adapter)
        case .cancel(let query): return try await Self.cancel(query, on: adapter)
        case .refund(let request): return try await Self.refund(request, on: adapter)
        case .inquireRefund(let query): return try await Self.inquireRefund(query, on: adapter)
        }
    }

    @inline(never)
    private static func pay(_ request: PaymentRequest, on adapter: any WalletAdapter) async throws(WalletError) -> WalletOutcome {
        .payment(try await adapter.pay(request))
    }

    @inline(never)
    private static func inquire(_ query: PaymentQuery, on adapter: any WalletAdapter) async throws(WalletError) -> WalletOutcome {
        .payment(try await adapter.inquire(query))
    }

    @inline(never)
    private static func cancel(_ query: PaymentQuery, on adapter: any WalletAdapter) async throws(WalletError) -> WalletOutcome {
        .payment(try await adapter.cancel(query))
    }

    @inline(never)
    private static func refund(_ request: RefundRequest, on adapter: any WalletAdapter) async throws(WalletError) -> WalletOutcome {
        .refund(try await adapter.refund(request))
    }

    @inline(never)
    private static func inquireRefund(_ query: RefundQuery, on adapter: any WalletAdapter) async throws(WalletError) -> WalletOutcome {
        .refund(try await adapter.inquireRefund(query))
    }
}

/// What an operation returned.
public enum WalletOutcome: Sendable, Equatable {
    /// A payment's state (pay, inquire, cancel).
    case payment(PaymentResult)
    /// A refund's state (refund, inquireRefund).
    case refund(RefundResult)

    /// The payment result, when this is one.
    public var payment: PaymentResult? {
        if case .payment(let result) = self { return result }
        return nil
    }

    /// The refund result, when this is one.
    public var refund: RefundResult? {
        if case .refund(let result) = self { return result }
        return nil
    }

    /// The status's name (`succeeded`, `pending`...).
    public var statusName: String {
        switch self {
        case .payment(let result): return result.status.name
        case .refund(let result): return result.status.name
        }
    }

    /// Whether the outcome is settled (final) for its operation.
    public var isFinal: Bool {
        switch self {
        case .payment(let result): return result.status.isFinal
        case .refund(let result): return result.status.isFinal
        }
    }
}

extension RefundStatus {
    /// Whether the refund can no longer change by itself (succeeded or failed).
    public var isFinal: Bool {
        switch self {
        case .succeeded, .failed: return true
        case .pending, .unknown: return false
        }
    }
}
