import WalletBridgeCore

/// SNAP amounts: `{"value":"10000.00","currency":"IDR"}`, major units with exactly two
/// decimals, converted exactly.
enum SNAPAmount {
    static func wire(_ money: Money) throws(WalletError) -> SNAPWire.Amount {
        do {
            return SNAPWire.Amount(value: try money.decimalString(fractionDigits: 2), currency: money.currency.code)
        } catch {
            throw WalletError(.invalidRequest, error.message, mayHaveCharged: false)
        }
    }

    /// Parses a reply's amount; the value must be 1 to 16 digits, a point and two decimals.
    static func money(_ amount: SNAPWire.Amount) throws(WalletError) -> Money {
        let parts = amount.value.split(separator: ".", omittingEmptySubsequences: false)
        let digits: (Substring) -> Bool = { $0.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") } }
        guard parts.count == 2, parts[1].count == 2, (1...16).contains(parts[0].count), digits(parts[0]), digits(parts[1]),
            let hundredths = Int64(parts[0] + parts[1])
        else {
            throw WalletError(.invalidPartnerResponse, "amount \"\(amount.value)\" is not 1 to 16 digits with exactly two decimals")
        }
        let currency: Currency
        do {
            currency = try Currency(code: amount.currency)
        } catch {
            throw WalletError(.invalidPartnerResponse, "amount currency: \(error.message)")
        }
        var minor = hundredths
        var exponent = 2
        while exponent < currency.minorUnitExponent {
            let (next, overflow) = minor.multipliedReportingOverflow(by: 10)
            guard !overflow else { throw WalletError(.invalidPartnerResponse, "amount \(amount.value) overflows") }
            minor = next
            exponent += 1
        }
        while exponent > currency.minorUnitExponent {
            guard minor % 10 == 0 else {
                throw WalletError(.invalidPartnerResponse, "amount \(amount.value) has more decimals than \(currency.code) allows")
            }
            minor /= 10
            exponent -= 1
        }
        return Money(minorUnits: minor, currency: currency)
    }
}
