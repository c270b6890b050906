import WalletBridgeCore

/// Alipay+ `Amount`: `{"currency":"PHP","value":"10050"}`, value in integer minor units.
public struct AlipayPlusAmount: Sendable, Equatable, Codable {
    /// ISO 4217 alphabetic code.
    public let currency: String
    /// Minor units as a decimal integer string.
    public let value: String

    /// Wraps received wire values; check them with ``money()``.
    public init(currency: String, value: String) {
        self.currency = currency
        self.value = value
    }

    /// Encodes `money`, enforcing Alipay+'s rule that IDR amounts are whole rupiah.
    /// - Throws: `MoneyError` (`ruleViolation`) for IDR with sen.
    public init(_ money: Money) throws(MoneyError) {
        if money.currency == .idr, money.minorUnits % 100 != 0 {
            throw MoneyError(.ruleViolation, "Alipay+ accepts whole rupiah only; \(money) has sen")
        }
        guard money.minorUnits >= 0 else { throw MoneyError(.malformedAmount, "Alipay+ amounts cannot be negative") }
        currency = money.currency.code
        value = money.minorUnitString
    }

    /// Decodes to `Money`.
    /// - Throws: `MoneyError` for an unknown currency, a malformed value or IDR with sen.
    public func money() throws(MoneyError) -> Money {
        let money = try Money(minorUnitString: value, currency: Currency(code: currency))
        if money.currency == .idr, money.minorUnits % 100 != 0 {
            throw MoneyError(.ruleViolation, "Alipay+ IDR value \(value) is not whole rupiah")
        }
        return money
    }
}
