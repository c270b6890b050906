import Foundation
import Testing
import WalletBridgeContract
import WalletBridgeCore
import WalletBridgeSandbox

/// The contract suite, wallet-side faults included, for a wallet WalletBridge does not ship:
/// ToyPay's emulation (HostedEmulationExample.swift) hosted by the embedded sandbox, its own
/// adapter (HostedEmulationTests.swift), and a declaration written as a partner would.
@Suite("Contract suite against a hosted emulation")
struct HostedEmulationContractTests {
    /// `Specs/contract/scenarios` beside a `wallets/toypay.json` of the partner's own.
    static func partnerDirectory() throws -> String {
        let root = HostedEmulationTests.root.appendingPathComponent("Specs/contract").path
        let directory = NSTemporaryDirectory() + "toypay-contract-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory + "/wallets", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: directory + "/scenarios", withDestinationPath: root + "/scenarios")
        let declaration =
            #"{"wallet": "toypay", "declares": ["pay", "inquire", "walletFaults"], "amount": "10.00", "customers": {"pays": "toy-pays", "declines": "toy-declines"}}"#
        try declaration.write(toFile: directory + "/wallets/toypay.json", atomically: true, encoding: .utf8)
        return directory
    }

    static func harness(_ directory: String) -> ContractHarness {
        var harness = ContractHarness(wallet: "toypay", scenarios: directory) { profile, transport, _ in
            try ToyPayAdapter(profile: profile, transport: transport)
        }
        harness.emulations = [ToyPayEmulation()]
        harness.rerunFailures = false
        return harness
    }

    @Test(arguments: ["pay.success", "pay.declined", "pay.never-arrived", "pay.magic-500-after-commit", "pay.reply-lost", "reply.tampered-signature"])
    func aScenarioWithWalletSideFaultsRunsForTheHostedWallet(id: String) async throws {
        let directory = try Self.partnerDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var harness = Self.harness(directory)
        harness.only = id
        let report = try await harness.run()
        #expect(report.failed.isEmpty, "\(report.table)")
        #expect(report.results.map(\.outcome) == [.passed, .passed], "\(report.table)")
    }

    @Test func aBrokenAdapterForTheHostedWalletIsCaught() async throws {
        let directory = try Self.partnerDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var harness = ContractHarness(wallet: "toypay", scenarios: directory) { profile, transport, environment in
            ContractSelfTest.broken(
                try ToyPayAdapter(profile: profile, transport: transport), flaw: .timeoutAsFailure, logger: environment.logger, secret: "unused")
        }
        harness.emulations = [ToyPayEmulation()]
        harness.rerunFailures = false
        harness.only = "pay.magic-500-after-commit"
        let report = try await harness.run()
        #expect(report.failed.map(\.id) == ["pay.magic-500-after-commit"], "\(report.table)")
    }
}
