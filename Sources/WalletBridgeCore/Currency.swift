/// An ISO 4217 currency together with its minor-unit exponent.
///
/// Only codes from WalletBridge's built-in table of active currencies exist: an unknown code
/// is rejected when the currency is created, never later when money moves.
public struct Currency: Hashable, Sendable, CustomStringConvertible {
    /// The alphabetic code, for example `"PHP"`.
    public let code: String
    /// Number of decimal places of the minor unit: 2 for PHP, 0 for JPY, 3 for KWD.
    public let minorUnitExponent: Int
    /// The ISO 4217 numeric code, for example 608 for PHP.
    public let numericCode: Int
    /// The ISO 4217 English name.
    public let name: String

    init(unchecked code: String, minorUnitExponent: Int, numericCode: Int, name: String) {
        self.code = code
        self.minorUnitExponent = minorUnitExponent
        self.numericCode = numericCode
        self.name = name
    }

    /// Looks up an ISO 4217 alphabetic code (exact, upper case).
    /// - Throws: ``MoneyError`` (`unknownCurrency`) for codes not in the table.
    public init(code: String) throws(MoneyError) {
        guard let found = Currency.byCode[code] else {
            throw MoneyError(.unknownCurrency, "unknown ISO 4217 currency code \"\(code)\"")
        }
        self = found
    }

    /// Every active ISO 4217 currency, sorted by code.
    public static var all: [Currency] { isoTable }

    /// `10^minorUnitExponent`: how many minor units make one major unit.
    public var minorUnitsPerMajorUnit: Int64 {
        var factor: Int64 = 1
        for _ in 0..<minorUnitExponent { factor *= 10 }
        return factor
    }

    public var description: String { code }

    public static func == (lhs: Currency, rhs: Currency) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }

    private static let byCode: [String: Currency] = Dictionary(uniqueKeysWithValues: isoTable.map { ($0.code, $0) })

    /// Philippine peso (2 decimals).
    public static let php = lookup("PHP")
    /// Indian rupee (2 decimals).
    public static let inr = lookup("INR")
    /// Indonesian rupiah (2 decimals in ISO 4217; Alipay+ allows whole rupiah only).
    public static let idr = lookup("IDR")
    /// Malaysian ringgit (2 decimals).
    public static let myr = lookup("MYR")
    /// US dollar (2 decimals).
    public static let usd = lookup("USD")
    /// Japanese yen (0 decimals).
    public static let jpy = lookup("JPY")
    /// Kuwaiti dinar (3 decimals).
    public static let kwd = lookup("KWD")

    private static func lookup(_ code: String) -> Currency {
        guard let currency = isoTable.first(where: { $0.code == code }) else {
            preconditionFailure("built-in currency \(code) missing from the ISO table")
        }
        return currency
    }
}
