import ArgumentParser
import Foundation
import WalletBridgeCore

/// `walletbridge`: the WalletBridge example CLI and partner engineer's signature tool.
@main
struct WalletBridgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "walletbridge",
        abstract:
            "WalletBridge: signed e-wallet payments (GCash-style on Alipay+, Paytm-style, DANA-style on SNAP), a local sandbox, and signature tools.",
        discussion: """
            pay, inquire, cancel and refund run against an embedded sandbox unless --config names a \
            profile file; the sandbox's ledger persists in a state file between runs. \
            sign and verify read one case on stdin, in the shape of the interop vector files \
            (Tests/Fixtures/vectors/*.json); the case's "kind" selects the variant.
            """,
        version: WalletBridgeVersion.string,
        subcommands: [
            PayCommand.self, InquireCommand.self, CancelCommand.self, RefundCommand.self, RecoverCommand.self, SandboxCommand.self,
            BindCommand.self, BindingsCommand.self, UnbindCommand.self, SimulateCommand.self, ContractCommand.self,
            DemoCommand.self, SignCommand.self, VerifyCommand.self, BenchCommand.self,
        ]
    )

    /// Runs the command; every usage error, ArgumentParser's own included, exits 2 (as the
    /// README documents), not ArgumentParser's 64.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            if exitCode(for: error) == .validationFailure {
                printError(fullMessage(for: error))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}
