import Foundation
import Testing
@testable import WalletBridgeContract
import WalletBridgeAlipayPlus
import WalletBridgeCore
import WalletBridgeSandbox
import WalletBridgeSNAP

/// The contract harness as a partner calls it from a test target, and its assertion language.
@Suite struct ContractHarnessTests {
    /// `Specs/contract` in this repository.
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Specs/contract").path

    static func gcash() -> ContractHarness {
        ContractHarness(wallet: "gcash", scenarios: directory) { profile, transport, environment in
            AlipayPlusAdapter(configuration: try AlipayPlusConfiguration(profile: profile), transport: transport, clock: environment.clock)
        }
    }

    @Test func assertionsDecodeAndCheck() throws {
        let decoded = try JSONDecoder().decode(
            [String: ContractAssertion].self,
            from: Data(
                #"{"a":{"equals":"x"},"b":{"oneOf":["p","q"]},"c":{"exists":true},"d":{"absent":true},"e":{"echoes":"amount"},"f":{"equals":1}}"#.utf8
            ))
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
        var harness = ContractHarness(wallet: "gcash", scenarios: Self.directory) { profile, transport, environment in
            ContractSelfTest.broken(
                AlipayPlusAdapter(configuration: try AlipayPlusConfiguration(profile: profile), transport: transport),
                flaw: .insufficientFundsAsDecline, logger: environment.logger, secret: "unused")
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

/// The harness's targets: recorded replies, a standalone sandbox, the wallet's own sandbox.
extension ContractHarnessTests {

    /// A temporary folder for recordings.
    static func temporaryDirectory() -> String {
        let path = NSTemporaryDirectory() + "contract-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func aRecordedRunReplaysWithNoNetworkAndStillCatchesABrokenAdapter() async throws {
        let recordings = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: recordings) }
        for id in ["reply.tampered-signature", "notify.applied-once"] {
            var recording = Self.gcash()
            recording.only = id
            recording.recordTo = recordings
            let recorded = try await recording.run()
            #expect(recorded.failed.isEmpty, "\(recorded.table)")
            #expect(FileManager.default.fileExists(atPath: ContractRecording.path(directory: recordings, wallet: "gcash", scenario: id)))
            var replay = Self.gcash()
            replay.only = id
            replay.target = .scripted(recordings: recordings)
            let replayed = try await replay.run()
            #expect(replayed.failed.isEmpty, "\(replayed.table)")
            let result = try #require(replayed.results.first { $0.id == id })
            #expect(result.outcome == .passed)
        }
        // The recorded replies hold the tampered signature: an adapter that skips verification
        // is caught offline too.
        var broken = ContractHarness(wallet: "gcash", scenarios: Self.directory) { profile, transport, environment in
            ContractSelfTest.broken(
                AlipayPlusAdapter(configuration: try AlipayPlusConfiguration(profile: profile), transport: transport, clock: environment.clock),
                flaw: .skipsSignatureVerification, logger: environment.logger, secret: "unused")
        }
        broken.only = "reply.tampered-signature"
        broken.rerunFailures = false
        broken.target = .scripted(recordings: recordings)
        let report = try await broken.run()
        #expect(report.failed.map(\.id) == ["reply.tampered-signature"])
        // A resend under a new reference is one pay more than recorded: caught offline too,
        // although the ledger is not there to count charges.
        var lost = Self.gcash()
        lost.only = "pay.reply-lost"
        lost.recordTo = recordings
        let recordedLost = try await lost.run()
        #expect(recordedLost.failed.isEmpty, "\(recordedLost.table)")
        var resends = ContractHarness(wallet: "gcash", scenarios: Self.directory) { profile, transport, environment in
            ContractSelfTest.broken(
                AlipayPlusAdapter(configuration: try AlipayPlusConfiguration(profile: profile), transport: transport, clock: environment.clock),
                flaw: .resendsUnderNewReference, logger: environment.logger, secret: "unused")
        }
        resends.only = "pay.reply-lost"
        resends.rerunFailures = false
        resends.target = .scripted(recordings: recordings)
        let replayedResend = try await resends.run()
        #expect(replayedResend.failed.first?.problems.contains { $0.contains("more often than the recorded run") } == true, "\(replayedResend.table)")
        // A scenario never recorded fails with where to find a recording.
        var missing = Self.gcash()
        missing.only = "pay.success"
        missing.target = .scripted(recordings: recordings)
        let absent = try await missing.run()
        #expect(absent.failed.first?.problems.first?.contains("no recording at") == true)
    }

    @Test func aStandaloneSandboxIsDrivenThroughItsAdminEndpoints() async throws {
        var configuration = WalletSandbox.Configuration()
        configuration.timeScale = 50
        let sandbox = try await WalletSandbox.start(configuration)
        defer { Task { await sandbox.shutdown() } }
        for id in ["pay.never-arrived", "notify.stale-refused"] {
            var harness = Self.gcash()
            harness.only = id
            harness.target = .sandbox(endpoint: sandbox.baseURL)
            let report = try await harness.run()
            #expect(report.failed.isEmpty, "\(report.table)")
            let result = try #require(report.results.first { $0.id == id })
            #expect(result.outcome == .passed)
            #expect(result.notes.isEmpty, "the ledger is checked through /sandbox/ledger")
        }
        // The fault went through POST /sandbox/faults and the pay was charged once.
        let charged = sandbox.ledgerSnapshot(wallet: "gcash").filter { $0.merchantReference.hasPrefix("CT-pay-never-arrived") }
        #expect(charged.count == 1)
        #expect(charged.first?.charges == 1)
    }

    @Test func liveModeSkipsWalletSideFaultsWithTheReasonAndRunsTheRest() async throws {
        let sandbox = try await WalletSandbox.start()
        defer { Task { await sandbox.shutdown() } }
        var harness = Self.gcash()
        harness.target = .live(profile: try sandbox.clientProfile(wallet: "gcash"))
        for id in ["pay.magic-500-after-commit", "notify.applied-once", "pay.reply-lost"] {
            harness.only = id
            let report = try await harness.run()
            let result = try #require(report.results.first { $0.id == id })
            switch id {
            case "pay.reply-lost":
                // A client-side fault: it runs, and the ledger is not checked.
                #expect(result.outcome == .passed, "\(report.table)")
                #expect(result.notes.contains { $0.contains("ledger not checked") })
            default:
                #expect(result.outcome == .skipped)
                #expect(result.problems.first?.hasPrefix("live:") == true)
            }
        }
    }

    @Test func declaredCurrenciesMustBeTheAdaptersInBothDirections() throws {
        let capabilities = WalletCapabilities(
            operations: [.pay], walletCurrency: .php, currencies: [.php, try Currency(code: "JPY"), try Currency(code: "BHD")])
        var declaration = ContractDeclaration(wallet: "x", declares: ["pay"])
        declaration.currencies = ["zeroDecimal": .init(code: "JPY", amount: "1000"), "threeDecimal": .init(code: "BHD", amount: "1.235")]
        #expect(ContractHarness.currencyProblems(declaration, capabilities: capabilities).isEmpty)
        declaration.currencies = ["zeroDecimal": .init(code: "JPY", amount: "1000")]
        #expect(
            ContractHarness.currencyProblems(declaration, capabilities: capabilities) == [
                "the adapter takes BHD (3 minor digits), the declaration's currencies do not say so"
            ])
        declaration.currencies = ["zeroDecimal": .init(code: "KRW", amount: "1000"), "threeDecimal": .init(code: "JPY", amount: "1")]
        let problems = ContractHarness.currencyProblems(declaration, capabilities: capabilities)
        #expect(problems.contains("currencies.zeroDecimal: the declaration says KRW, the adapter's capabilities do not take it"))
        #expect(problems.contains("currencies.threeDecimal: JPY has 0 minor digits, not 3"))
    }
}
