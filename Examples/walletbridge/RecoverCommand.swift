import ArgumentParser
import WalletBridgeCore

/// `walletbridge recover`: settles what a killed process left open in the journal.
struct RecoverCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recover",
        abstract: "Settle every payment and refund the journal holds open (after a crash or a Ctrl-C).",
        discussion: """
            Recovery inquires, and cancels where the wallet's rule says so; it never pays again. \
            Prints open_before, reconciled and still_open. Exit status: 0 when nothing is left open, 3 otherwise.
            """
    )

    @OptionGroup var options: WalletOptions

    @Option(help: "Seconds each open payment may take to settle (default: the wallet's reconciliation window).")
    var wait: Int?

    func run() async throws {
        let session = try await WalletSession.open(options)
        let report: RecoveryReport
        do throws(WalletError) {
            report = try await session.client.recoverPending(within: wait.map { .seconds($0) }, correlationID: session.correlationID)
        } catch {
            await session.close()
            printError("error: \(error)")
            throw ExitCode(2)
        }
        await session.close()
        let output = JSONOutput.object([
            ("wallet", .string(options.wallet)),
            ("open_before", .integer(Int64(report.openBefore))),
            ("reconciled", .integer(Int64(report.reconciled))),
            ("still_open", .integer(Int64(report.stillOpen))),
        ])
        ResultOutput.emit(output, json: options.json)
        if report.stillOpen > 0 { throw ExitCode(3) }
    }
}
