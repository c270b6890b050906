import ArgumentParser
import Foundation
import WalletBridgeCore

/// `walletbridge pay`: takes a payment and, unless `--no-wait`, inquires until it is final.
struct PayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pay",
        abstract: "Take a signed payment (against the embedded sandbox unless --config is given).",
        discussion: "Exit status: 0 succeeded or pending, 1 failed, 3 unknown (reconcile with inquire), 2 usage or set-up error."
    )

    @OptionGroup var options: WalletOptions

    @Option(help: "Amount in major units, e.g. 10.00.")
    var amount: String

    @Option(help: "ISO 4217 currency of the amount, e.g. PHP, USD, JPY (gcash), INR (paytm) or IDR (dana).")
    var currency: String

    @Option(help: "Customer credential or id (sandbox customer id, default WALLET-pays; see `walletbridge sandbox --list-customers`).")
    var customer: String?

    @Option(help: "Merchant reference (idempotency key); generated when omitted.")
    var merchantReference: String?

    @Option(help: "Order description shown to the customer.")
    var description: String = "WalletBridge example order"

    @Option(help: "Notify URL for the wallet's notifications.")
    var notifyURL: String?

    @Flag(help: "Return the first answer instead of waiting for a final status.")
    var noWait = false

    @Option(help: "Seconds to wait for a final status.")
    var timeout: Int = 30

    func run() async throws {
        let money = try WalletOptions.money(amount, currency)
        let reference = merchantReference ?? PayCommand.newReference()
        let session = try await WalletSession.open(options)
        let output: JSONOutput
        do throws(WalletError) {
            let request = PaymentRequest(merchantReference: reference, amount: money, customer: CustomerCredential(customer ?? options.defaultCustomer),
                                         orderDescription: description, notifyURL: notifyURL)
            var result = try await session.client.pay(request)
            if !noWait {
                result = try await PayCommand.waitForFinal(result, client: session.client, expected: money, timeout: .seconds(timeout))
            }
            output = ResultOutput.payment(result)
        } catch {
            output = ResultOutput.error(error, merchantReference: reference, amount: money)
        }
        await session.close()
        try ResultOutput.finish(output, json: options.json)
    }

    /// Inquires (every 500 ms) while the payment is pending or unknown, up to `timeout`.
    static func waitForFinal(_ first: PaymentResult, client: WalletClient, expected: Money, timeout: Duration) async throws(WalletError) -> PaymentResult {
        var result = first
        let deadline = ContinuousClock.now + timeout
        while !result.status.isFinal, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(500))
            let query = PaymentQuery(merchantReference: result.merchantReference, walletReference: result.walletReference, expectedAmount: expected)
            let next = try await client.inquire(query)
            // Keep what the first reply told us (quote, customer amount) when the inquiry omits it.
            result = PaymentResult(status: next.status, merchantReference: next.merchantReference,
                                   walletReference: next.walletReference ?? result.walletReference, amount: next.amount ?? result.amount,
                                   customerAmount: next.customerAmount ?? result.customerAmount, quote: next.quote ?? result.quote,
                                   partnerResult: next.partnerResult, completedAt: next.completedAt)
        }
        return result
    }

    static func newReference() -> String {
        let stamp = Int(Date().timeIntervalSince1970)
        return "WB-\(stamp)-\(UUID().uuidString.prefix(6))"
    }
}
