import ArgumentParser
import WalletBridgeCore

/// `walletbridge cancel`: cancels a payment that has not completed, and prints the payment's
/// state as the wallet proves it (a refused cancel is followed by an inquiry).
struct CancelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel",
        abstract: "Cancel a payment that has not completed (a succeeded one reports succeeded: refund it instead).",
        discussion: """
            Exit status: 0 cancelled, 1 failed, 3 unknown or still pending (not cancelled yet), 4 not cancelled because the payment had \
            already succeeded (refund it instead), 2 usage or set-up error (including a wallet that offers no cancel: \
            the payment is left as it is).
            """
    )

    @OptionGroup var options: WalletOptions

    @Option(help: "The payment's merchant reference.")
    var merchantReference: String

    @Option(help: "The payment's wallet reference, if known.")
    var walletReference: String?

    func run() async throws {
        let session = try await WalletSession.open(options)
        guard session.client.adapter.capabilities.supports(.cancel) else {
            await session.close()
            printError("error: \(options.wallet) offers no cancel; the payment is left as it is (inquire it, or refund it once it has succeeded)")
            throw ExitCode(2)
        }
        let output: JSONOutput
        do throws(WalletError) {
            output = ResultOutput.payment(
                try await session.client.cancel(
                    PaymentQuery(merchantReference: merchantReference, walletReference: walletReference), correlationID: session.correlationID),
                settleWith: options.settleCommand(merchantReference))
        } catch {
            output = await ResultOutput.payment(
                after: error, client: session.client, merchantReference: merchantReference, amount: nil,
                settleWith: options.settleCommand(merchantReference))
        }
        await session.close()
        if case .string("succeeded")? = output.fields.first?.1 {
            // A cancel that did not cancel: the payment stands, paid. Scripts must not read
            // this as cancelled.
            ResultOutput.emit(output, json: options.json)
            printError("not cancelled: the payment had already succeeded; refund it instead")
            throw ExitCode(4)
        }
        if case .string("pending")? = output.fields.first?.1 {
            // Not cancelled yet: the payment may still complete. Exit as for an open outcome.
            ResultOutput.emit(output, json: options.json)
            printError("not cancelled yet: the payment is still pending; inquire it (walletbridge inquire --merchant-reference \(merchantReference))")
            throw ExitCode(3)
        }
        try ResultOutput.finish(output, json: options.json)
    }
}
