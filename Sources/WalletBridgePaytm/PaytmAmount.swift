import WalletBridgeCore

/// Paytm amounts: rupees as a decimal string with two decimals (`"1.00"`), INR only.
/// Conversions are exact string operations.
enum PaytmAmount {
    /// `Money` → `"10.00"`. Only INR is accepted.
    static func text(_ money: Money) throws(WalletError) -> String {
        guard money.currency == .inr else {
            throw WalletError(.invalidRequest, "Paytm takes INR only, not \(money.currency.code)", mayHaveCharged: false)
        }
        do {
            return try money.decimalString(fractionDigits: 2)
        } catch {
            throw WalletError(.invalidRequest, error.message, mayHaveCharged: false)
        }
    }

    /// `"10.00"` (or `"10"`, `"10.5"`) → INR 10.00, exactly; anything else is an error.
    static func money(_ text: String, currency: String? = nil) throws(WalletError) -> Money {
        if let currency, currency != "INR" {
            throw WalletError(.invalidPartnerResponse, "Paytm sent an amount in \(currency); only INR is expected")
        }
        do {
            return try Money(parsing: text, currency: .inr)
        } catch {
            throw WalletError(.invalidPartnerResponse, "Paytm sent a malformed amount \"\(text)\": \(error.message)")
        }
    }
}
