/// An amount of money: integer minor units of one ISO 4217 currency. Never a float.
///
/// `Money(minorUnits: 10050, currency: .php)` is ₱100.50. Parsing and formatting are exact
/// string operations; no floating-point value appears anywhere.
public struct Money: Hashable, Sendable, CustomStringConvertible {
    /// The amount in the currency's minor unit (centavos, paise, sen...).
    public let minorUnits: Int64
    /// The currency.
    public let currency: Currency

    /// Creates an amount from minor units.
    public init(minorUnits: Int64, currency: Currency) {
        self.minorUnits = minorUnits
        self.currency = currency
    }

    /// Parses a major-unit decimal string exactly: digits, optionally a point and one up to
    /// `currency.minorUnitExponent` fraction digits. `"10000"` and `"10000.00"` are both
    /// IDR 10000; `"100.5"` is PHP 100.50.
    ///
    /// Signs, exponents, grouping separators, spaces and a bare trailing point are rejected.
    /// - Throws: ``MoneyError`` naming the reason.
    public init(parsing text: String, currency: Currency) throws(MoneyError) {
        let utf8 = Array(text.utf8)
        guard !utf8.isEmpty else { throw MoneyError(.malformedAmount, "amount is empty") }
        let point = utf8.firstIndex(of: UInt8(ascii: "."))
        let integerPart = point.map { Array(utf8[..<$0]) } ?? utf8
        let fractionPart = point.map { Array(utf8[($0 + 1)...]) } ?? []
        let isDigit: (UInt8) -> Bool = { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
        guard !integerPart.isEmpty, integerPart.allSatisfy(isDigit), fractionPart.allSatisfy(isDigit) else {
            throw MoneyError(.malformedAmount, "\"\(text)\" is not a plain decimal amount (digits with an optional point)")
        }
        if point != nil && fractionPart.isEmpty {
            throw MoneyError(.malformedAmount, "\"\(text)\" has a point but no fraction digits")
        }
        guard fractionPart.count <= currency.minorUnitExponent else {
            throw MoneyError(
                .tooManyFractionDigits,
                "\"\(text)\" has \(fractionPart.count) decimals; \(currency.code) allows at most \(currency.minorUnitExponent)")
        }
        let padded = fractionPart + Array(repeating: UInt8(ascii: "0"), count: currency.minorUnitExponent - fractionPart.count)
        var value: Int64 = 0
        for digit in integerPart + padded {
            let (shifted, o1) = value.multipliedReportingOverflow(by: 10)
            let (added, o2) = shifted.addingReportingOverflow(Int64(digit - UInt8(ascii: "0")))
            guard !o1, !o2 else { throw MoneyError(.overflow, "\"\(text)\" \(currency.code) does not fit in 64-bit minor units") }
            value = added
        }
        self.init(minorUnits: value, currency: currency)
    }

    /// Parses a major-unit decimal string in the currency named by an ISO 4217 code.
    /// - Throws: ``MoneyError`` for an unknown code or a malformed amount.
    public init(parsing text: String, currencyCode: String) throws(MoneyError) {
        try self.init(parsing: text, currency: Currency(code: currencyCode))
    }

    /// Parses a string of integer minor units (`"10050"`), the Alipay+ `Amount.value` style.
    /// Digits only; no sign, point or spaces.
    /// - Throws: ``MoneyError`` naming the reason.
    public init(minorUnitString text: String, currency: Currency) throws(MoneyError) {
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            throw MoneyError(.malformedAmount, "\"\(text)\" is not a string of minor-unit digits")
        }
        guard let value = Int64(text) else { throw MoneyError(.overflow, "\"\(text)\" does not fit in 64-bit minor units") }
        self.init(minorUnits: value, currency: currency)
    }

    /// The minor units as a decimal integer string: ₱100.50 → `"10050"` (Alipay+ style).
    public var minorUnitString: String { String(minorUnits) }

    /// The major-unit string with exactly the currency's number of decimals:
    /// ₱100.50 → `"100.50"`, ¥1500 → `"1500"`, KWD 1.5 → `"1.500"`.
    public var decimalString: String { Money.format(minorUnits, exponent: currency.minorUnitExponent) }

    /// The major-unit string with exactly `fractionDigits` decimals, as Paytm and SNAP want
    /// (`"100.50"`, `"10000.00"`). Adds zeros for currencies with fewer decimals.
    /// - Throws: ``MoneyError`` (`tooManyFractionDigits`) when the amount cannot be written
    ///   exactly with that many decimals (KWD 1.005 with two decimals), or when
    ///   `fractionDigits` is outside 0...18.
    public func decimalString(fractionDigits: Int) throws(MoneyError) -> String {
        guard (0...18).contains(fractionDigits) else {
            throw MoneyError(.tooManyFractionDigits, "fractionDigits must be within 0...18, got \(fractionDigits)")
        }
        let exponent = currency.minorUnitExponent
        if fractionDigits >= exponent {
            var scaled = minorUnits
            for _ in 0..<(fractionDigits - exponent) {
                let (next, overflow) = scaled.multipliedReportingOverflow(by: 10)
                guard !overflow else { throw MoneyError(.overflow, "\(self) cannot be written with \(fractionDigits) decimals") }
                scaled = next
            }
            return Money.format(scaled, exponent: fractionDigits)
        }
        var divisor: Int64 = 1
        for _ in 0..<(exponent - fractionDigits) { divisor *= 10 }
        guard minorUnits % divisor == 0 else {
            throw MoneyError(.tooManyFractionDigits, "\(decimalString) \(currency.code) cannot be written exactly with \(fractionDigits) decimals")
        }
        return Money.format(minorUnits / divisor, exponent: fractionDigits)
    }

    public var description: String { "\(decimalString) \(currency.code)" }

    private static func format(_ units: Int64, exponent: Int) -> String {
        let negative = units < 0
        // Int64.min has no positive counterpart; its magnitude as text is exact anyway.
        var digits = String(units.magnitude)
        if exponent > 0 {
            if digits.count <= exponent {
                digits = String(repeating: "0", count: exponent - digits.count + 1) + digits
            }
            digits.insert(".", at: digits.index(digits.endIndex, offsetBy: -exponent))
        }
        return negative ? "-" + digits : digits
    }
}
