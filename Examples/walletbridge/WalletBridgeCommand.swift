import ArgumentParser

/// `walletbridge`: the WalletBridge example CLI and partner engineer's signature tool.
@main
struct WalletBridgeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "walletbridge",
        abstract: "WalletBridge: sign, verify and explain e-wallet signatures (Alipay+, Paytm, SNAP).",
        discussion: """
            sign and verify read one case on stdin, in the shape of the interop vector files \
            (Tests/Fixtures/vectors/*.json); the case's "kind" selects the variant.
            """,
        version: "0.1.0",
        subcommands: [SignCommand.self, VerifyCommand.self, DemoCommand.self, BenchCommand.self]
    )
}
