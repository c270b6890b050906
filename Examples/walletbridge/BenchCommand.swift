import ArgumentParser

/// `walletbridge bench`: the benchmarks, each a ratio against a baseline measured in the same
/// run. `crypto` (the default) puts the signature schemes beside the raw OpenSSL calls,
/// `transport` the HTTP transport beside a plain libcurl loop, `pay` a full signed payment
/// beside the sum of its parts.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks as ratios against baselines measured in the same run (crypto, transport, pay).",
        subcommands: [BenchCryptoCommand.self, BenchTransportCommand.self, BenchPayCommand.self],
        defaultSubcommand: BenchCryptoCommand.self
    )
}
