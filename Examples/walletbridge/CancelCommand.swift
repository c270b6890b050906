import ArgumentParser
import WalletBridgeCore

/// `walletbridge cancel`: cancels a payment that has not completed.
struct CancelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel",
        abstract: "Cancel a payment that has not completed (a succeeded one reports succeeded: refund it instead)."
    )

    @OptionGroup var options: WalletOptions

    @Option(help: "The payment's merchant reference.")
    var merchantReference: String

    @Option(help: "The payment's wallet reference, if known.")
    var walletReference: String?

    func run() async throws {
        let session = try await WalletSession.open(options)
        let output: JSONOutput
        do throws(WalletError) {
            let query = PaymentQuery(merchantReference: merchantReference, walletReference: walletReference)
            var result = try await session.client.cancel(query)
            if result.amount == nil, let inquired = try? await session.client.inquire(query) {
                // The cancel reply names no amount; the inquiry does (and confirms the state).
                result.amount = inquired.amount
                result.walletReference = result.walletReference ?? inquired.walletReference
            }
            output = ResultOutput.payment(result)
        } catch {
            output = ResultOutput.error(error, merchantReference: merchantReference, amount: nil)
        }
        await session.close()
        try ResultOutput.finish(output, json: options.json)
    }
}
