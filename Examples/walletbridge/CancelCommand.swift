import ArgumentParser
import WalletBridgeCore

/// `walletbridge cancel`: cancels a payment that has not completed, and prints the payment's
/// state as the wallet proves it (a refused cancel is followed by an inquiry).
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
            output = ResultOutput.payment(try await session.client.cancel(PaymentQuery(merchantReference: merchantReference, walletReference: walletReference)))
        } catch {
            output = await ResultOutput.payment(after: error, client: session.client, merchantReference: merchantReference, amount: nil)
        }
        await session.close()
        try ResultOutput.finish(output, json: options.json)
    }
}
