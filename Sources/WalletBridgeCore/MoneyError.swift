/// Why an amount or currency was rejected. Always names the offending input.
public struct MoneyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The category of the failure.
    public enum Kind: String, Sendable, Equatable {
        /// The currency code is not an active ISO 4217 code.
        case unknownCurrency
        /// The text is not a plain decimal number (sign, exponent, grouping, spaces, empty...).
        case malformedAmount
        /// More fraction digits than the currency's exponent allows.
        case tooManyFractionDigits
        /// The amount does not fit in 64-bit minor units.
        case overflow
        /// The amount is valid money but breaks a partner's rule (for example IDR cents on Alipay+).
        case ruleViolation
        /// The two amounts are in different currencies.
        case currencyMismatch
    }

    /// The category of the failure.
    public let kind: Kind
    /// A human-readable reason.
    public let message: String

    /// Creates an error.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
