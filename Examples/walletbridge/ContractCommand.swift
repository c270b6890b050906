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
            fresh embedded sandbox (default), a standalone sandbox (--endpoint URL), the wallet's own sandbox (--live \
            --config PROFILE: wallet-side faults and notifications are skipped with the reason, ledger checks are not \
            made, client-side faults still run), or the replies of an earlier run (--record DIR, then --scripted DIR: no \
            network). The wallet's declaration (Specs/contract/wallets/WALLET.json) says which scenarios apply. A \
            failure is re-run once (a pass then is reported as a flake) and carries its redacted exchanges and the \
            command that reruns it. Exit status 1 when a scenario fails, or (--self-test) when a broken adapter is let \
            through; 2 for a usage or set-up error.
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

    @Option(help: "A standalone sandbox's base URL (walletbridge sandbox), instead of an embedded one.")
    var endpoint: String?

    @Flag(help: "Against the wallet's own sandbox, reached with the --wallet profile of --config.")
    var live = false

    @Option(help: "Profile file (JSON or TOML) for --live.")
    var config: String?

    @Option(help: "Write each scenario's replies here (DIR/WALLET/ID.json) for a later --scripted run.")
    var record: String?

    @Option(help: "Replay the replies recorded in this folder: no network.")
    var scripted: String?

    mutating func validate() throws {
        if [endpoint != nil, live, scripted != nil].filter({ $0 }).count > 1 {
            throw ValidationError("choose one of --endpoint, --live and --scripted")
        }
        if live, config == nil { throw ValidationError("--live needs --config PROFILE (the wallet's own sandbox)") }
        if config != nil, !live { throw ValidationError("--config is for --live") }
        if record != nil, scripted != nil { throw ValidationError("--record and --scripted cannot be combined") }
    }

    func run() async throws {
        var harness = ContractHarness(wallet: wallet.lowercased(), scenarios: scenarios) { profile, transport, environment in
            try AdapterFactory.registry.adapter(for: profile, transport: transport, environment: environment)
        }
        harness.only = only
        harness.snapMode = snapMode
        harness.recordTo = record
        if let endpoint {
            harness.target = .sandbox(endpoint: endpoint)
        } else if let scripted {
            harness.target = .scripted(recordings: scripted)
        } else if live, let config {
            do {
                harness.target = .live(profile: try PartnerProfileFile(path: config).profile(for: wallet.lowercased()))
            } catch {
                printError("error: \(error)")
                throw ExitCode(2)
            }
        }
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
