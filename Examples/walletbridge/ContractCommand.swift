import ArgumentParser
import Foundation
import Logging
import WalletBridgeContract
import WalletBridgeCore
import WalletBridgeTransport

/// `walletbridge contract`: runs the contract scenarios of `Specs/contract` against a shipped
/// adapter and the embedded sandbox, or the harness against its own broken adapters.
struct ContractCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "contract",
        abstract: "Prove an adapter keeps the common interface's promises (scenarios in Specs/contract).",
        discussion: """
            Each scenario (Specs/contract/scenarios/*.json) runs through WalletClient and the real transport against a \
            fresh embedded sandbox; the wallet's declaration (Specs/contract/wallets/WALLET.json) says which apply. A \
            failure is re-run once (a pass then is reported as a flake) and carries its redacted exchanges and the \
            command that reruns it. Exit status 1 when a scenario fails, or (--self-test) when a broken adapter is let \
            through.
            """
    )

    @Option(help: "Wallet: gcash, paytm or dana.")
    var wallet: String = "gcash"

    @Option(help: "The folder holding scenarios/ and wallets/.")
    var scenarios: String = "Specs/contract"

    @Option(name: .customLong("case"), help: "Run this scenario id alone.")
    var only: String?

    @Option(help: "Write JUnit XML here.")
    var junit: String?

    @Option(help: "Write the results as JSON here.")
    var json: String?

    @Option(help: "dana: rsa or token.")
    var snapMode: String = "rsa"

    @Flag(help: "Run the suite against deliberately broken adapters: each must be caught.")
    var selfTest = false

    func run() async throws {
        var harness = ContractHarness(wallet: wallet.lowercased(), scenarios: scenarios) { profile, transport, logger in
            try AdapterFactory.adapter(for: profile, transport: transport, logger: logger)
        }
        harness.only = only
        harness.snapMode = snapMode
        let terminal = isatty(STDOUT_FILENO) == 1
        harness.progress = { result in
            if terminal { print("  \(result.outcome.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0)) \(result.id)") }
        }
        if selfTest {
            harness.progressLine = { finding in
                let verdict = finding.caughtBy.isEmpty ? "LET THROUGH" : "caught by \(finding.caughtBy.joined(separator: ", "))"
                print("\(finding.flaw.rawValue.padding(toLength: 38, withPad: " ", startingAt: 0)) \(verdict)")
            }
            harness.progress = nil
            let findings: [ContractSelfTest.Finding]
            do {
                findings = try await harness.selfTest()
            } catch {
                printError("error: \(error)")
                throw ExitCode(2)
            }
            let missed = findings.filter(\.caughtBy.isEmpty)
            print("self-test: \(findings.count - missed.count) of \(findings.count) broken adapters caught")
            if !missed.isEmpty { throw ExitCode(1) }
            return
        }
        let report: ContractReport
        do {
            report = try await harness.run()
        } catch {
            printError("error: \(error)")
            throw ExitCode(2)
        }
        print(report.table)
        if let junit { try report.junit.write(toFile: junit, atomically: true, encoding: .utf8) }
        if let json {
            let data = try JSONSerialization.data(withJSONObject: report.json, options: [.prettyPrinted, .sortedKeys])
            try data.write(to: URL(fileURLWithPath: json))
        }
        if !report.failed.isEmpty { throw ExitCode(1) }
    }
}
