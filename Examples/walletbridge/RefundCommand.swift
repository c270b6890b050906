import ArgumentParser
import WalletBridgeCore

/// `walletbridge refund`: refunds part or all of a succeeded payment.
struct RefundCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "refund", abstract: "Refund part or all of a succeeded payment.")

    @OptionGroup var options: WalletOptions

    @Option(help: "The payment's merchant reference.")
    var merchantReference: String

    @Option(help: "Amount to refund in major units.")
    var amount: String

    @Option(help: "ISO 4217 currency (the payment's).")
    var currency: String

    @Option(help: "Refund reference (idempotency key); generated when omitted.")
    var refundReference: String?

    @Option(help: "Reason shown to the customer.")
    var reason: String?

    func run() async throws {
        let money = try WalletOptions.money(amount, currency)
        let refundReference = self.refundReference ?? merchantReference + "-R" + String(PayCommand.newReference().suffix(6))
        let session = try await WalletSession.open(options)
        let output: JSONOutput
        do throws(WalletError) {
            let request = RefundRequest(merchantReference: merchantReference, refundReference: refundReference, amount: money, reason: reason)
            output = ResultOutput.refund(try await session.client.refund(request))
        } catch {
            output = ResultOutput.error(error, merchantReference: merchantReference, amount: money)
        }
        await session.close()
        try ResultOutput.finish(output, json: options.json)
    }
}
