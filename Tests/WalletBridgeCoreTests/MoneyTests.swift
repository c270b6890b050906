import Testing
import WalletBridgeCore
import WalletBridgeTestSupport

@Suite("Money")
struct MoneyTests {
    @Test(arguments: [
        ("100.50", "PHP", Int64(10050)), ("100.5", "PHP", 10050), ("100", "PHP", 10000), ("0.01", "USD", 1),
        ("10000", "IDR", 1_000_000), ("10000.00", "IDR", 1_000_000), ("1500", "JPY", 1500), ("0", "JPY", 0),
        ("1.005", "KWD", 1005), ("1.5", "KWD", 1500), ("007.10", "INR", 710), ("92233720368547758.07", "USD", Int64.max),
    ])
    func parsesExactly(text: String, code: String, minorUnits: Int64) throws {
        #expect(try Money(parsing: text, currencyCode: code).minorUnits == minorUnits)
    }

    @Test(arguments: [
        ("100.505", "PHP", MoneyError.Kind.tooManyFractionDigits), ("1500.0", "JPY", .tooManyFractionDigits),
        ("1.0001", "KWD", .tooManyFractionDigits), ("-1.00", "PHP", .malformedAmount), ("+1", "PHP", .malformedAmount),
        ("1e3", "PHP", .malformedAmount), ("1,000.00", "PHP", .malformedAmount), (" 1.00", "PHP", .malformedAmount),
        ("1.00 ", "PHP", .malformedAmount), ("", "PHP", .malformedAmount), (".50", "PHP", .malformedAmount),
        ("1.", "PHP", .malformedAmount), ("1..0", "PHP", .malformedAmount), ("١٢", "PHP", .malformedAmount),
        ("NaN", "PHP", .malformedAmount), ("92233720368547758.08", "USD", .overflow), ("99999999999999999999", "JPY", .overflow),
        ("1.00", "ZZZ", .unknownCurrency),
    ])
    func rejectsWithReason(text: String, code: String, kind: MoneyError.Kind) {
        do {
            _ = try Money(parsing: text, currencyCode: code)
            Issue.record("\(text) \(code) was accepted")
        } catch {
            #expect(error.kind == kind, "\(text) \(code): \(error)")
            #expect(!error.message.isEmpty)
        }
    }

    @Test func wireFormats() throws {
        let php = Money(minorUnits: 10050, currency: .php)
        #expect(php.minorUnitString == "10050")
        #expect(php.decimalString == "100.50")
        #expect(try php.decimalString(fractionDigits: 2) == "100.50")
        #expect(Money(minorUnits: 5, currency: .inr).decimalString == "0.05")
        #expect(Money(minorUnits: 100, currency: .inr).decimalString == "1.00")
        #expect(Money(minorUnits: 1_000_000, currency: .idr).decimalString == "10000.00")
        #expect(Money(minorUnits: 1500, currency: .jpy).decimalString == "1500")
        #expect(try Money(minorUnits: 1500, currency: .jpy).decimalString(fractionDigits: 2) == "1500.00")
        #expect(Money(minorUnits: 1005, currency: .kwd).decimalString == "1.005")
        #expect(try Money(minorUnits: 1500, currency: .kwd).decimalString(fractionDigits: 2) == "1.50")
        #expect(throws: MoneyError.self) { try Money(minorUnits: 1005, currency: .kwd).decimalString(fractionDigits: 2) }
        #expect(throws: MoneyError.self) { try php.decimalString(fractionDigits: -1) }
        #expect(throws: MoneyError.self) { try php.decimalString(fractionDigits: 19) }
        #expect(throws: MoneyError.self) { try Money(minorUnits: Int64.max, currency: .jpy).decimalString(fractionDigits: 2) }
        #expect(Money(minorUnits: -5, currency: .usd).decimalString == "-0.05")
        #expect(Money(minorUnits: 0, currency: .usd).decimalString == "0.00")
    }

    @Test func minorUnitStrings() throws {
        #expect(try Money(minorUnitString: "10050", currency: .php).minorUnits == 10050)
        for bad in ["", "-1", "1.0", " 1", "1e2", "99999999999999999999"] {
            #expect(throws: MoneyError.self) { try Money(minorUnitString: bad, currency: .php) }
        }
    }

    /// Round trips for every ISO currency, with a seeded generator so failures reproduce.
    @Test(arguments: Currency.all)
    func roundTripsForEveryCurrency(currency: Currency) throws {
        var rng = SplitMix64(seed: UInt64(currency.numericCode))
        var samples: [Int64] = [0, 1, 9, 10, 99, 100, 101, Int64.max]
        for _ in 0..<200 {
            let magnitude = Int64(rng.next() % 19)  // up to 10^18
            var bound: Int64 = 1
            for _ in 0..<magnitude { bound *= 10 }
            samples.append(Int64(rng.next() % UInt64(bound)))
        }
        for units in samples {
            let money = Money(minorUnits: units, currency: currency)
            #expect(try Money(parsing: money.decimalString, currency: currency) == money)
            #expect(try Money(minorUnitString: money.minorUnitString, currency: currency) == money)
            // Fewer fraction digits than the exponent parse to the same amount when trailing zeros are dropped.
            var trimmed = money.decimalString
            if currency.minorUnitExponent > 0 {
                while trimmed.hasSuffix("0") { trimmed.removeLast() }
                if trimmed.hasSuffix(".") { trimmed.removeLast() }
            }
            #expect(try Money(parsing: trimmed, currency: currency) == money)
        }
        // One fraction digit too many is always rejected.
        let tooPrecise = "1." + String(repeating: "1", count: currency.minorUnitExponent + 1)
        #expect(throws: MoneyError.self) { try Money(parsing: tooPrecise, currency: currency) }
    }
}
