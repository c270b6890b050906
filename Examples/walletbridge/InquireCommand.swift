import ArgumentParser
import WalletBridgeCore

/// `walletbridge inquire`: reads a payment's state (the journal supplies the expected amount).
struct InquireCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "inquire", abstract: "Read a payment's current state.")

    @OptionGroup var options: WalletOptions

    @Option(help: "The payment's merchant reference.")
    var merchantReference: String

    @Option(help: "The payment's wallet reference, if known.")
    var walletReference: String?

    func run() async throws {
        let session = try await WalletSession.open(options)
        let output: JSONOutput
        do throws(WalletError) {
            output = ResultOutput.payment(
                try await session.client.inquire(
                    PaymentQuery(merchantReference: merchantReference, walletReference: walletReference), correlationID: session.correlationID),
                settleWith: options.settleCommand(merchantReference))
        } catch {
            output = await ResultOutput.payment(
                after: error, client: session.client, merchantReference: merchantReference, amount: nil,
                settleWith: options.settleCommand(merchantReference))
        }
        await session.close()
        try ResultOutput.finish(output, json: options.json)
    }
}
