import Foundation
import Logging
import WalletBridgeCore
import WalletBridgeHTTP
import WalletBridgeSandbox
import WalletBridgeTesting
import WalletBridgeTransport

/// Runs the contract scenarios against one wallet adapter, through `WalletClient` (its retries,
/// reconciliation and journal) and the real transport, against the sandbox: each scenario gets
/// a fresh embedded sandbox, so faults and ledgers never leak between scenarios.
///
/// A partner runs it from their own test target:
/// ```swift
/// let harness = ContractHarness(wallet: "gcash", scenarios: "Specs/contract") { profile, transport, logger in
///     AlipayPlusAdapter(configuration: try AlipayPlusConfiguration(profile: profile), transport: transport)
/// }
/// let report = try await harness.run()
/// #expect(report.failed.isEmpty, "\(report.table)")
/// ```
public struct ContractHarness: Sendable {
    /// Builds the adapter under test from the sandbox's profile, over the harness's transport,
    /// logging to the harness's logger (scanned for secrets).
    public typealias AdapterFactory = @Sendable (PartnerProfile, any HTTPTransport, Logger) throws -> any WalletAdapter

    /// The wallet's name (its sandbox emulation and declaration file).
    public let wallet: String
    /// `Specs/contract`: holds `scenarios/` and `wallets/`.
    public let directory: String
    /// Only this scenario id, when set (`declaration`: only the check of the declaration).
    public var only: String?
    /// Re-run a failed scenario once: a pass the second time is reported as a flake.
    public var rerunFailures = true
    /// Compressed time for the sandbox and the client (windows of 60 s pass in 0.6 s at 100).
    public var timeScale: Double = 50
    /// SNAP mode for `dana` (`rsa` or `token`).
    public var snapMode = "rsa"
    /// Called as each scenario finishes (progress).
    public var progress: (@Sendable (ContractCaseResult) -> Void)?
    private let makeAdapter: AdapterFactory

    /// Creates a harness for `wallet`, reading scenarios and declarations from `directory`.
    public init(wallet: String, scenarios directory: String, adapter: @escaping AdapterFactory) {
        self.wallet = wallet
        self.directory = directory
        makeAdapter = adapter
    }

    /// Runs every applicable scenario.
    /// - Throws: ``ContractError`` when the scenarios or the declaration cannot be read.
    public func run() async throws -> ContractReport {
        let scenarios = try ContractScenario.load(from: directory + "/scenarios").filter { only == nil || $0.id == only }
        if let only, only != "declaration", scenarios.isEmpty { throw ContractError("no scenario \(only) in \(directory)/scenarios") }
        let declaration = try ContractDeclaration.load(wallet: wallet, from: directory + "/wallets")
        var results: [ContractCaseResult] = []
        results.append(try await checkDeclaration(declaration))
        for scenario in scenarios {
            var result = await runCase(scenario, declaration: declaration)
            if result.outcome == .failed, rerunFailures {
                let again = await runCase(scenario, declaration: declaration)
                if again.outcome == .passed {
                    result.outcome = .flaky
                    result.problems.insert("failed once, passed when re-run (a flake):", at: 0)
                }
            }
            progress?(result)
            results.append(result)
        }
        return ContractReport(wallet: wallet, results: results)
    }

    // MARK: Declared against implemented

    /// The declaration's capabilities must be the adapter's, in both directions.
    func checkDeclaration(_ declaration: ContractDeclaration) async throws -> ContractCaseResult {
        let started = ContinuousClock.now
        let sandbox = try await WalletSandbox.start()
        defer { Task { await sandbox.shutdown() } }
        let transport = MockTransport { _ in TransportResponse(status: 599, headerFields: [:], body: []) }
        var problems: [String] = []
        do {
            let adapter = try makeAdapter(try sandbox.clientProfile(wallet: wallet, snapMode: snapMode), transport, Logger(label: "contract", factory: { _ in SwiftLogNoOpLogHandler() }))
            for operation in WalletCapabilities.Operation.allCases {
                let declared = declaration.declares.contains(operation.rawValue)
                let implemented = adapter.capabilities.supports(operation)
                if declared != implemented {
                    problems.append("\(operation.rawValue): the declaration says \(declared ? "supported" : "not supported"), the adapter's capabilities say \(implemented ? "supported" : "not supported")")
                }
            }
        } catch {
            problems.append("the adapter could not be built: \(error)")
        }
        return ContractCaseResult(id: "declaration", purpose: "the capabilities declared in wallets/\(wallet).json are the adapter's", outcome: problems.isEmpty ? .passed : .failed,
                                  problems: problems, transcript: [], duration: started.duration(to: .now), reproduce: reproduce("declaration"))
    }

    func reproduce(_ id: String) -> String { "walletbridge contract --wallet \(wallet) --case \(id)" }

    // MARK: One scenario

    func runCase(_ scenario: ContractScenario, declaration: ContractDeclaration) async -> ContractCaseResult {
        let started = ContinuousClock.now
        func result(_ outcome: ContractCaseResult.Outcome, _ problems: [String], _ transcript: [String] = []) -> ContractCaseResult {
            ContractCaseResult(id: scenario.id, purpose: scenario.purpose, outcome: outcome, problems: problems, transcript: transcript,
                               duration: started.duration(to: .now), reproduce: reproduce(scenario.id))
        }
        let override = declaration.overrides?[scenario.id]
        if let reason = override?.skip { return result(.skipped, [reason]) }
        if let missing = scenario.needs.first(where: { !declaration.declares.contains($0) }) {
            return result(.skipped, ["\(wallet) does not declare \(missing)"])
        }
        do {
            let run = try await ScenarioRun.start(harness: self, scenario: scenario, declaration: declaration)
            let problems = await run.execute(override: override)
            await run.stop()
            return result(problems.isEmpty ? .passed : .failed, problems, run.transcript.lines)
        } catch {
            return result(.failed, ["set-up failed: \(error)"])
        }
    }

    /// Runs the suite against every ``ContractSelfTest/Flaw`` in turn (the flaw wrapped around
    /// this harness's adapter): each must be caught by at least one scenario.
    public func selfTest() async throws -> [ContractSelfTest.Finding] {
        var findings: [ContractSelfTest.Finding] = []
        for flaw in ContractSelfTest.Flaw.allCases {
            var broken = ContractHarness(wallet: wallet, scenarios: directory) { [makeAdapter] profile, transport, logger in
                ContractSelfTest.broken(try makeAdapter(profile, transport, logger), flaw: flaw, logger: logger, secret: SandboxCredentials.merchantPrivateKeyPEM)
            }
            broken.rerunFailures = false
            broken.timeScale = timeScale
            broken.snapMode = snapMode
            let report = try await broken.run()
            let finding = ContractSelfTest.Finding(flaw: flaw, caughtBy: report.failed.map(\.id))
            progressLine?(finding)
            findings.append(finding)
        }
        return findings
    }

    /// Called as each flaw of a self-test is judged.
    public var progressLine: (@Sendable (ContractSelfTest.Finding) -> Void)?

    func adapter(profile: PartnerProfile, transport: any HTTPTransport, logger: Logger) throws -> any WalletAdapter {
        try makeAdapter(profile, transport, logger)
    }
}

/// One scenario in progress: its sandbox, client, webhook, transcript and captured logs.
final class ScenarioRun: @unchecked Sendable {
    let scenario: ContractScenario
    let wallet: String
    let sandbox: WalletSandbox
    let curl: CurlTransport
    let client: WalletClient
    let webhook: WebhookReceiver
    let notifications: Captured<InboundNotification>
    let logs: Captured<String>
    let transcript: Transcript
    let reference: String
    let amount: Money
    let customer: String
    let secrets: [String]

    private init(scenario: ContractScenario, wallet: String, sandbox: WalletSandbox, curl: CurlTransport, client: WalletClient, webhook: WebhookReceiver,
                 notifications: Captured<InboundNotification>, logs: Captured<String>, transcript: Transcript, reference: String, amount: Money,
                 customer: String, secrets: [String]) {
        self.scenario = scenario
        self.wallet = wallet
        self.sandbox = sandbox
        self.curl = curl
        self.client = client
        self.webhook = webhook
        self.notifications = notifications
        self.logs = logs
        self.transcript = transcript
        self.reference = reference
        self.amount = amount
        self.customer = customer
        self.secrets = secrets
    }

    static func start(harness: ContractHarness, scenario: ContractScenario, declaration: ContractDeclaration) async throws -> ScenarioRun {
        var configuration = WalletSandbox.Configuration()
        configuration.timeScale = harness.timeScale
        configuration.notificationRetryInterval = .seconds(1)
        let sandbox = try await WalletSandbox.start(configuration)
        var profile = try sandbox.clientProfile(wallet: harness.wallet, snapMode: harness.snapMode)
        if let timeout = scenario.setup.requestTimeoutMs { profile.requestTimeout = .milliseconds(timeout) }
        let curl = try CurlTransport(configuration: CurlTransportConfiguration(connectTimeout: profile.connectTimeout, requestTimeout: profile.requestTimeout))
        let transcript = Transcript()
        var wire: any HTTPTransport = RecordingTransport(base: curl, transcript: transcript)
        if let name = scenario.setup.clientFault {
            guard let fault = FaultInjectingTransport.Fault(rawValue: name) else { throw ContractError("\(scenario.id): no client fault \(name)") }
            wire = try OnceFaultTransport(base: wire, fault: fault, operation: scenario.setup.clientFaultOn ?? "pay")
        }
        let logs = Captured<String>()
        let logger = Logger(label: "contract", factory: { label in CapturingLogHandler(label: label, lines: logs) })
        let clock = PolicyClock(timeScale: harness.timeScale)
        let adapter = try harness.adapter(profile: profile, transport: wire, logger: logger)
        var clientConfiguration = WalletClient.Configuration(clock: clock)
        clientConfiguration.settleWithin = adapter.reconciliationRule.window
        let client = WalletClient(adapter: adapter, journal: InMemoryPaymentJournal(), logger: logger, configuration: clientConfiguration)
        let notifications = Captured<InboundNotification>()
        let webhook = try await WebhookReceiver.start { notification in
            notifications.append(notification)
            // Acknowledged by verification alone: the steps hand the raw bytes to the client.
            return (try? client.verifyNotification(notification).acknowledgement) ?? NotificationAcknowledgement(status: 400, headerFields: [:], body: [])
        }
        let currency = adapter.capabilities.walletCurrency
        var text = scenario.setup.amount ?? declaration.amount ?? "10.00"
        if let ending = scenario.setup.endsIn, ending.count == 2 { text = String(text.dropLast(2)) + ending }
        let amount = try Money(parsing: text, currency: currency)
        let role = scenario.setup.customer ?? "pays"
        let customer = declaration.customers?[role] ?? "\(harness.wallet)-\(role)"
        let tag = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        let reference = "CT-" + scenario.id.replacingOccurrences(of: ".", with: "-") + "-" + tag
        if let name = scenario.setup.walletFault {
            guard let fault = SandboxFault(name: name) else { throw ContractError("\(scenario.id): no sandbox fault \(name)") }
            sandbox.injectFault(fault, operation: scenario.setup.walletFaultOn ?? "pay", wallet: harness.wallet)
        }
        let secrets = [SandboxCredentials.paytmMerchantKey, SandboxCredentials.danaClientSecret]
            + SandboxCredentials.merchantPrivateKeyPEM.split(separator: "\n").filter { $0.count > 40 }.prefix(3).map(String.init)
        return ScenarioRun(scenario: scenario, wallet: harness.wallet, sandbox: sandbox, curl: curl, client: client, webhook: webhook,
                           notifications: notifications, logs: logs, transcript: transcript, reference: reference, amount: amount,
                           customer: customer, secrets: secrets)
    }

    func stop() async {
        await webhook.shutdown()
        await curl.shutdown()
        await sandbox.shutdown()
    }

    /// The request fields an `echoes` assertion compares with.
    var request: [String: String] {
        ["amount": Self.text(amount), "reference": reference]
    }

    static func text(_ money: Money) -> String { "\(money.decimalString) \(money.currency.code)" }

    /// Runs the steps; the problems found (empty: passed).
    func execute(override: ContractDeclaration.Override?) async -> [String] {
        var problems: [String] = []
        var lastNotification: InboundNotification?
        var refunded: Int64 = 0
        for (index, step) in scenario.steps.enumerated() {
            if let name = step.inject {
                guard let fault = SandboxFault(name: name) else {
                    problems.append("step \(index + 1): no sandbox fault \(name)")
                    continue
                }
                sandbox.injectFault(fault, operation: step.injectOn ?? step.do, wallet: wallet, count: step.injectCount ?? 1)
            }
            let observed = await perform(step, lastNotification: &lastNotification, refunded: &refunded)
            let expectations = override?.expect?[String(index)] ?? step.expect ?? [:]
            for (field, assertion) in expectations.sorted(by: { $0.key < $1.key }) {
                if let problem = assertion.check(field, observed[field], request: request) {
                    problems.append("step \(index + 1) (\(step.do)): \(problem)")
                }
            }
        }
        if let assertions = scenario.ledger {
            let entries = sandbox.ledgerSnapshot(wallet: wallet)
            let entry = entries.first { $0.merchantReference == reference }
            var observed: [String: String] = ["payments": String(entries.count)]
            if let entry {
                observed["state"] = entry.state
                observed["charges"] = String(entry.charges)
                observed["refunds"] = String(entry.refunds)
                observed["refundedMinor"] = String(entry.refundedMinor)
                observed["cancels"] = String(entry.cancels)
                observed["amount"] = Self.text(Money(minorUnits: entry.amountMinor, currency: amount.currency))
            } else {
                observed["charges"] = "0"
                observed["refunds"] = "0"
            }
            for (field, assertion) in assertions.sorted(by: { $0.key < $1.key }) {
                if let problem = assertion.check(field, observed[field], request: request) { problems.append("ledger: \(problem)") }
            }
        }
        // No secret in any log line or transcript line of the run.
        for line in logs.items + transcript.lines {
            if let secret = secrets.first(where: { line.contains($0) }) {
                problems.append("a secret (\(secret.prefix(4))…) reached a log line or the transcript")
                break
            }
        }
        return problems
    }

    private func perform(_ step: ContractScenario.Step, lastNotification: inout InboundNotification?, refunded: inout Int64) async -> [String: String] {
        let payRequest = PaymentRequest(merchantReference: reference, amount: amount, customer: CustomerCredential(customer), orderDescription: "contract \(scenario.id)",
                                        notifyURL: webhook.url(path: "/notify/\(wallet)"))
        func observe(_ result: PaymentResult) -> [String: String] {
            var fields: [String: String] = ["status": result.status.name, "threw": "false", "merchantReference": result.merchantReference]
            if let error = result.status.error ?? result.lastError {
                fields["errorCategory"] = error.category.rawValue
                fields["mayHaveCharged"] = String(error.mayHaveCharged)
            }
            if let money = result.amount { fields["amount"] = Self.text(money) }
            if let walletReference = result.walletReference { fields["walletReference"] = walletReference }
            return fields
        }
        func observe(_ result: RefundResult) -> [String: String] {
            var fields: [String: String] = ["status": result.status.name, "threw": "false"]
            if let error = result.status.error ?? result.lastError {
                fields["errorCategory"] = error.category.rawValue
                fields["mayHaveCharged"] = String(error.mayHaveCharged)
            }
            if let money = result.amount { fields["amount"] = Self.text(money) }
            return fields
        }
        func threw(_ error: WalletError) -> [String: String] {
            ["threw": "true", "errorCategory": error.category.rawValue, "mayHaveCharged": String(error.mayHaveCharged)]
        }
        func refundAmount(_ name: String?) -> Money {
            let minor: Int64
            switch name ?? "half" {
            case "full": minor = amount.minorUnits
            case "over": minor = amount.minorUnits - refunded + 1
            case "tenth": minor = max(1, amount.minorUnits / 10)
            default: minor = max(1, amount.minorUnits / 2)
            }
            return Money(minorUnits: minor, currency: amount.currency)
        }
        let refundReference = reference + "-" + (step.refund ?? "R1")
        do throws(WalletError) {
            switch step.do {
            case "pay", "pay-again":
                return observe(try await client.pay(payRequest))
            case "pay-other-amount":
                var other = payRequest
                other.amount = Money(minorUnits: amount.minorUnits + 100, currency: amount.currency)
                return observe(try await client.pay(other))
            case "inquire":
                return observe(try await client.inquire(PaymentQuery(merchantReference: reference)))
            case "settle":
                return observe(try await client.settle(merchantReference: reference, within: client.reconciliationRule.window * 3))
            case "cancel":
                return observe(try await client.cancel(PaymentQuery(merchantReference: reference)))
            case "refund":
                let money = refundAmount(step.amount)
                let result = try await client.refund(RefundRequest(merchantReference: reference, refundReference: refundReference, amount: money))
                if case .succeeded = result.status { refunded += money.minorUnits }
                if case .pending = result.status { refunded += money.minorUnits }
                return observe(result)
            case "refund-other-amount":
                let money = Money(minorUnits: refundAmount(step.amount).minorUnits + 1, currency: amount.currency)
                return observe(try await client.refund(RefundRequest(merchantReference: reference, refundReference: refundReference, amount: money)))
            case "inquire-refund":
                return observe(try await client.inquireRefund(RefundQuery(refundReference: refundReference, merchantReference: reference)))
            case "notify", "notify-again", "notify-tampered":
                if step.do == "notify" || lastNotification == nil {
                    lastNotification = await waitForNotification()
                }
                guard var inbound = lastNotification else { return ["notification": "none arrived"] }
                if step.do == "notify-tampered" { inbound.body = Self.tampered(inbound.body) }
                let received = try await client.receiveNotification(inbound)
                switch received.disposition {
                case .apply: return ["notification": "apply", "threw": "false", "status": received.notification.payment.status.name]
                case .duplicate: return ["notification": "duplicate", "threw": "false"]
                case .unconfirmed(let error): return ["notification": "unconfirmed", "threw": "false", "errorCategory": error.category.rawValue]
                }
            default:
                return ["threw": "true", "errorCategory": "unknownStep:\(step.do)"]
            }
        } catch {
            var fields = threw(error)
            if step.do.hasPrefix("notify") { fields["notification"] = "rejected" }
            return fields
        }
    }

    /// The first notification about this scenario's reference, waiting up to 10 s.
    private func waitForNotification() async -> InboundNotification? {
        for _ in 0..<1_000 {
            if let found = notifications.items.first(where: { String(decoding: $0.body, as: UTF8.self).contains(reference) }) { return found }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return nil
    }

    /// `body` with one digit changed (a tampered notification), or one byte flipped.
    static func tampered(_ body: [UInt8]) -> [UInt8] {
        var copy = body
        if let index = copy.lastIndex(where: { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "8") }) {
            copy[index] += 1
        } else if !copy.isEmpty {
            copy[copy.count / 2] ^= 0x01
        }
        return copy
    }
}
