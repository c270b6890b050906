import ArgumentParser
import Foundation
import WalletBridgeCore

/// `walletbridge unbind`: revokes a customer authorization at the merchant's request; a later
/// `pay --binding` with it is refused (authorizationRevoked) without sending.
struct UnbindCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unbind",
        abstract: "Revoke a customer authorization (unbind); later payments with it are refused.",
        discussion: "Exit status: 0 revoked (or already revoked), 1 the wallet refused, 3 unknown (run it again), 2 usage or set-up error."
    )

    @OptionGroup var options: WalletOptions

    @Option(help: "The binding's handle (wbauth_…), as printed by bind.")
    var binding: String

    func run() async throws {
        let session = try await WalletSession.open(options)
        let output: JSONOutput
        var code = ExitCode.success
        do throws(WalletError) {
            let revoked = try await session.client.revokeAuthorization(handle: binding, correlationID: session.correlationID)
            output = .object(BindingsCommand.fields(revoked, status: "revoked"))
        } catch {
            output = .object([
                ("status", .string(error.mayHaveCharged ? "unknown" : "refused")), ("binding", .string(binding)),
                ("error", ResultOutput.errorObject(error)),
            ])
            code = error.mayHaveCharged || error.isRetryable ? ExitCode(3) : BindCommand.exitCode(error)
        }
        await session.close()
        ResultOutput.emit(output, json: options.json)
        if code != .success { throw code }
    }
}
