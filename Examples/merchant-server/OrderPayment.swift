import Foundation
import WalletBridgeCore

/// The body of `POST /orders/{id}/pay`: which wallet, how much (an exact decimal string in
/// major units, never a float), and who pays.
///
/// ```json
/// {"wallet": "gcash", "amount": "10.00", "currency": "PHP", "customer": "gcash-pays"}
/// ```
/// The order id in the path is the merchant reference: posting the same order again (to any
/// instance) never charges twice, the journal answers it; the same id with another wallet,
/// amount or customer is refused (409).
struct OrderPaymentRequest: Decodable, Sendable {
    var wallet: String
    var amount: String
    var currency: String
    /// The wallet's handle on the customer (a sandbox customer id such as `gcash-pays`).
    var customer: String
    var description: String?

    /// The amount as integer minor units of the currency; an error for a float-like, negative,
    /// zero or over-precise amount.
    func money() throws(MerchantServerError) -> Money {
        guard !amount.hasPrefix("-"), !amount.hasPrefix("+") else { throw MerchantServerError("amount must be positive, without a sign") }
        let money: Money
        do {
            money = try Money(parsing: amount, currencyCode: currency.uppercased())
        } catch {
            throw MerchantServerError("amount: \(error)")
        }
        guard money.minorUnits > 0 else { throw MerchantServerError("amount must be more than zero") }
        return money
    }
}

/// The answer of `POST /orders/{id}/pay`: the payment as the journal holds it.
struct OrderPaymentStatus: Encodable, Sendable {
    struct Problem: Encodable, Sendable {
        var category: String
        var message: String
        var partnerCode: String?
        var mayHaveCharged: Bool
    }

    var orderId: String
    var wallet: String
    /// `succeeded`, `failed`, `cancelled`, `pending` or `unknown`.
    var status: String
    /// Whether the status is final (else the reconciler or a notification settles it).
    var final: Bool
    var walletReference: String?
    var amount: String?
    var amountMinor: Int64?
    var currency: String?
    /// The instance that answered.
    var instance: String
    var error: Problem?

    init(orderId: String, wallet: String, instance: String, result: PaymentResult) {
        self.orderId = orderId
        self.wallet = wallet
        self.instance = instance
        status = result.status.name
        final = result.status.isFinal
        walletReference = result.walletReference
        amount = result.amount?.decimalString
        amountMinor = result.amount?.minorUnits
        currency = result.amount?.currency.code
        error = (result.status.error ?? result.lastError).map(Self.problem)
    }

    /// A thrown error with nothing in the journal: `failed` unless the customer may have been charged.
    init(orderId: String, wallet: String, instance: String, error: WalletError) {
        self.orderId = orderId
        self.wallet = wallet
        self.instance = instance
        status = error.mayHaveCharged ? "unknown" : "failed"
        final = !error.mayHaveCharged
        self.error = Self.problem(error)
    }

    static func problem(_ error: WalletError) -> Problem {
        Problem(category: error.category.rawValue, message: error.message, partnerCode: error.partnerCode, mayHaveCharged: error.mayHaveCharged)
    }

    var json: [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? Array(encoder.encode(self))) ?? Array(#"{"status":"unknown"}"#.utf8)
    }
}
