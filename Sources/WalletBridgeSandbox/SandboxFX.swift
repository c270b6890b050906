import WalletBridgeCore

/// The sandbox's deterministic exchange rates, so that cross-border tests and demos give the
/// same customer amounts every run. Rates are exact decimals in millionths (no floating
/// point); customer amounts round half up to the wallet currency's minor unit.
public enum SandboxFX {
    /// Price of one unit of the first currency in the second, in millionths.
    public static let rates: [String: Int64] = [
        "USD/PHP": 58_250_000,  // 58.25
        "JPY/PHP": 385_000,  // 0.385
        "PHP/USD": 17_167,  // 0.017167
        "JPY/USD": 6_600,  // 0.0066
        "BHD/PHP": 154_900_000,  // 154.9 (a 3-decimal currency: fils)
    ]

    /// A quote converting `amount` into `currency`.
    public struct Quote: Sendable, Equatable {
        /// `BASE/QUOTE`.
        public let pair: String
        /// The rate as decimal text (`58.25`).
        public let rate: String
        /// The converted amount.
        public let converted: Money
    }

    /// Converts `amount` to `currency`, or nil when the sandbox has no rate for the pair.
    /// Same-currency amounts are returned unchanged with no quote.
    public static func convert(_ amount: Money, to currency: Currency) -> (Money, Quote?)? {
        if amount.currency == currency { return (amount, nil) }
        let pair = "\(amount.currency.code)/\(currency.code)"
        guard let micros = rates[pair] else { return nil }
        // converted = amount.minor * rate / 10^6 * 10^(expQuote - expBase), rounded half up.
        var numerator = amount.minorUnits.multipliedReportingOverflow(by: micros)
        var denominator: Int64 = 1_000_000
        let shift = currency.minorUnitExponent - amount.currency.minorUnitExponent
        for _ in 0..<max(0, shift) { numerator = numerator.partialValue.multipliedReportingOverflow(by: 10); if numerator.overflow { return nil } }
        for _ in 0..<max(0, -shift) { denominator *= 10 }
        guard !numerator.overflow else { return nil }
        let converted = (numerator.partialValue + denominator / 2) / denominator
        let quote = Quote(pair: pair, rate: decimalText(micros), converted: Money(minorUnits: converted, currency: currency))
        return (quote.converted, quote)
    }

    static func decimalText(_ micros: Int64) -> String {
        var fraction = String(micros % 1_000_000)
        fraction = String(repeating: "0", count: 6 - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return fraction.isEmpty ? "\(micros / 1_000_000)" : "\(micros / 1_000_000).\(fraction)"
    }
}
