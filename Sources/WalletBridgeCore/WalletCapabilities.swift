/// What an adapter can do, declared up front so that callers (and the contract harness) can
/// check a request before it leaves, and check that every declared operation works.
public struct WalletCapabilities: Sendable, Equatable {
    /// An operation of the common interface.
    public enum Operation: String, Sendable, Equatable, CaseIterable {
        /// ``WalletAdapter/pay(_:)``.
        case pay
        /// ``WalletAdapter/inquire(_:)``.
        case inquire
        /// ``WalletAdapter/cancel(_:)``.
        case cancel
        /// ``WalletAdapter/refund(_:)``.
        case refund
        /// ``WalletAdapter/inquireRefund(_:)``.
        case inquireRefund
        /// ``WalletAdapter/verifyNotification(_:)``.
        case notifications
    }

    /// Operations the adapter implements.
    public var operations: Set<Operation>
    /// The wallet's own currency (what customers hold).
    public var walletCurrency: Currency
    /// Currencies a merchant may charge in (the wallet converts when they differ from
    /// ``walletCurrency``).
    public var currencies: [Currency]
    /// Smallest and largest amount per currency, in minor units; absent means no stated limit.
    public var amountLimits: [String: ClosedRange<Int64>]
    /// Whether a refund must name the payment's wallet reference; the client inquires the
    /// payment for it first when the request has none.
    public var refundNeedsWalletReference: Bool

    /// Creates a manifest.
    public init(
        operations: Set<Operation>, walletCurrency: Currency, currencies: [Currency], amountLimits: [String: ClosedRange<Int64>] = [:],
        refundNeedsWalletReference: Bool = false
    ) {
        self.operations = operations
        self.walletCurrency = walletCurrency
        self.currencies = currencies
        self.amountLimits = amountLimits
        self.refundNeedsWalletReference = refundNeedsWalletReference
    }

    /// Checks `amount` against the currencies and limits.
    /// - Throws: ``WalletError`` `invalidRequest` (currency) or `limitExceeded` (range).
    public func check(_ amount: Money) throws(WalletError) {
        guard currencies.contains(amount.currency) else {
            throw WalletError(
                .invalidRequest, "\(amount.currency.code) is not supported; this wallet takes \(currencies.map(\.code).joined(separator: ", "))")
        }
        guard amount.minorUnits > 0 else {
            throw WalletError(.invalidRequest, "the amount must be positive, got \(amount)")
        }
        if let limits = amountLimits[amount.currency.code], !limits.contains(amount.minorUnits) {
            let low = Money(minorUnits: limits.lowerBound, currency: amount.currency)
            let high = Money(minorUnits: limits.upperBound, currency: amount.currency)
            throw WalletError(.limitExceeded, "\(amount) is outside this wallet's limits (\(low) to \(high))")
        }
    }

    /// Whether `operation` is declared.
    public func supports(_ operation: Operation) -> Bool { operations.contains(operation) }
}
