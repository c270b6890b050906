import Testing
import WalletBridgeCore

@Suite("ISO 4217 currencies")
struct CurrencyTests {
    @Test func tableIsWellFormed() {
        let all = Currency.all
        #expect(all.count >= 150)
        #expect(Set(all.map(\.code)).count == all.count)
        #expect(Set(all.map(\.numericCode)).count == all.count)
        for currency in all {
            #expect(currency.code.count == 3 && currency.code.allSatisfy { $0.isUppercase && $0.isASCII })
            #expect([0, 2, 3, 4].contains(currency.minorUnitExponent))
        }
        #expect(all.map(\.code) == all.map(\.code).sorted())
    }

    @Test(arguments: [("PHP", 2), ("INR", 2), ("IDR", 2), ("JPY", 0), ("KRW", 0), ("VND", 0), ("KWD", 3), ("BHD", 3), ("CLF", 4), ("USD", 2)])
    func knownExponents(code: String, exponent: Int) throws {
        #expect(try Currency(code: code).minorUnitExponent == exponent)
    }

    @Test(arguments: ["", "php", "XXX", "XAU", "HRK", "ABC", "PHPX"])
    func rejectsUnknownCodes(code: String) {
        #expect(throws: MoneyError(.unknownCurrency, "unknown ISO 4217 currency code \"\(code)\"")) { try Currency(code: code) }
    }
}
