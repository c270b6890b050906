import Foundation
import Testing
import WalletBridgeAlipayPlus
import WalletBridgeContract
import WalletBridgeCore
import WalletBridgeSNAP

/// The contract harness as a partner calls it from a test target, and its assertion language.
@Suite struct ContractHarnessTests {
    /// `Specs/contract` in this repository.
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Specs/contract").path

    static func gcash() -> ContractHarness {
        ContractHarness(wallet: "gcash", scenarios: directory) { profile, transport, _ in
            AlipayPlusAdapter(configuration: try AlipayPlusConfiguration(profile: profile), transport: transport)
        }
    }

    @Test func assertionsDecodeAndCheck() throws {
        let decoded = try JSONDecoder().decode([String: ContractAssertion].self, from: Data(#"{"a":{"equals":"x"},"b":{"oneOf":["p","q"]},"c":{"exists":true},"d":{"absent":true},"e":{"echoes":"amount"},"f":{"equals":1}}"#.utf8))
        #expect(decoded["a"] == .equals("x"))
        #expect(decoded["f"] == .equals("1"))
        let request = ["amount": "10.00 PHP"]
        #expect(ContractAssertion.equals("x").check("a", "x", request: request) == nil)
        #expect(ContractAssertion.equals("x").check("a", "y", request: request) != nil)
        #expect(ContractAssertion.oneOf(["p", "q"]).check("b", "q", request: request) == nil)
        #expect(ContractAssertion.oneOf(["p", "q"]).check("b", nil, request: request) != nil)
        #expect(ContractAssertion.exists.check("c", nil, request: request) != nil)
        #expect(ContractAssertion.absent.check("d", "v", request: request) != nil)
        #expect(ContractAssertion.echoes("amount").check("e", "10.00 PHP", request: request) == nil)
        #expect(ContractAssertion.echoes("amount").check("e", "10.01 PHP", request: request) != nil)
        #expect(throws: (any Error).self) { try JSONDecoder().decode(ContractAssertion.self, from: Data(#"{"equals":"x","exists":true}"#.utf8)) }
    }

    @Test func everyScenarioFileParsesAndIdsAreUnique() throws {
        let scenarios = try ContractScenario.load(from: Self.directory + "/scenarios")
        #expect(scenarios.count >= 20)
        #expect(Set(scenarios.map(\.id)).count == scenarios.count)
        for wallet in ["gcash", "paytm", "dana"] { _ = try ContractDeclaration.load(wallet: wallet, from: Self.directory + "/wallets") }
    }

    @Test func aPartnerRunsOneScenarioFromATestTarget() async throws {
        var harness = Self.gcash()
        harness.only = "pay.success"
        let report = try await harness.run()
        #expect(report.failed.isEmpty, "\(report.table)")
        #expect(report.results.map(\.id) == ["declaration", "pay.success"])
        #expect(report.junit.contains(#"<testcase classname="contract.gcash" name="pay.success""#))
    }

    @Test func aBrokenAdapterFailsTheScenarioThatGuardsItsPromise() async throws {
        var harness = ContractHarness(wallet: "gcash", scenarios: Self.directory) { profile, transport, logger in
            ContractSelfTest.broken(AlipayPlusAdapter(configuration: try AlipayPlusConfiguration(profile: profile), transport: transport),
                                    flaw: .insufficientFundsAsDecline, logger: logger, secret: "unused")
        }
        harness.only = "pay.insufficient-funds"
        harness.rerunFailures = false
        let report = try await harness.run()
        let failed = try #require(report.failed.first)
        #expect(failed.id == "pay.insufficient-funds")
        #expect(failed.problems.contains { $0.contains("errorCategory is declined") })
        #expect(failed.reproduce == "walletbridge contract --wallet gcash --case pay.insufficient-funds")
        #expect(report.junit.contains("<failure"))
    }

    @Test func aDeclarationThatContradictsTheAdapterFails() async throws {
        // DANA declares no refund query; run the SNAP adapter under gcash's declaration, which does.
        let harness = ContractHarness(wallet: "gcash", scenarios: Self.directory) { _, transport, _ in
            SNAPAdapter(configuration: try SNAPConfiguration(profile: try WalletBridgeSandboxProfiles.dana()), transport: transport)
        }
        var only = harness
        only.only = "declaration"
        let report = try await only.run()
        #expect(report.results.count == 1)
        let declaration = try #require(report.results.first { $0.id == "declaration" })
        #expect(declaration.outcome == .failed)
        #expect(declaration.problems.contains { $0.hasPrefix("inquireRefund") })
    }
}

import WalletBridgeSandbox

/// The sandbox's DANA profile without a running sandbox (the declaration check sends nothing).
enum WalletBridgeSandboxProfiles {
    static func dana() throws -> PartnerProfile { try WalletSandbox.clientProfile(wallet: "dana", baseURL: "http://127.0.0.1:9") }
}
