import Foundation
import Logging
import WalletBridgeCore
import WalletBridgeHTTP
import WalletBridgeSandbox
import WalletBridgeTesting
import WalletBridgeTransport

/// Runs the contract scenarios against one wallet adapter, through `WalletClient` (its retries,
/// reconciliation and journal) and the real transport, against the wallet ``target``: by
/// default a fresh embedded sandbox per scenario, so faults and ledgers never leak between
/// scenarios; or a standalone sandbox, the wallet's own sandbox, or recorded replies.
///
/// A partner runs it from their own test target, with the factory they register in a
/// `WalletAdapterRegistry`:
/// ```swift
/// let harness = ContractHarness(wallet: "gcash", scenarios: "Specs/contract") { profile, transport, environment in
///     AlipayPlusAdapter(configuration: try AlipayPlusConfiguration(profile: profile), transport: transport, clock: environment.clock)
/// }
/// let report = try await harness.run()
/// #expect(report.failed.isEmpty, "\(report.table)")
/// ```
public struct ContractHarness: Sendable {
    /// Builds the adapter under test from the target's profile, over the harness's transport,
    /// with the harness's logger (scanned for secrets) and the wallet's clock (signed times
    /// are checked against it).
    public typealias AdapterFactory = WalletAdapterRegistry.Factory

    /// The wallet's name (its sandbox emulation and declaration file).
    public let wallet: String
    /// `Specs/contract`: holds `scenarios/` and `wallets/`.
    public let directory: String
    /// Where the wallet is (default: a fresh embedded sandbox per scenario).
    public var target: ContractTarget = .embeddedSandbox
    /// When set, each scenario's replies are written here (`WALLET/ID.json`) for a later
    /// ``ContractTarget/scripted(recordings:)`` run.
    public var recordTo: String?
    /// Only this scenario id, when set (`declaration`: only the check of the declaration).
    public var only: String?
    /// Re-run a failed scenario once: a pass the second time is reported as a flake.
    public var rerunFailures = true
    /// Compressed time for the embedded sandbox and the client (windows of 60 s pass in 1.2 s
    /// at 50). Other targets use their own pace.
    public var timeScale: Double = 50
    /// SNAP mode for `dana` (`rsa` or `token`).
    public var snapMode = "rsa"
    /// Partners' emulations of their own wallets, hosted by the embedded sandbox beside the
    /// built-in ones (`WalletSandbox.Configuration.emulations`): with one named ``wallet``,
    /// the suite, wallet-side faults included, runs for a wallet WalletBridge does not ship.
    public var emulations: [any SandboxWalletEmulation] = []
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
        results.append(checkDeclaration(declaration))
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

    /// The profile the target reaches the wallet with (no network needed to build it).
    func profile() throws -> PartnerProfile {
        switch target {
        case .live(let profile): return profile
        case .sandbox(let endpoint): return try WalletSandbox.clientProfile(wallet: wallet, baseURL: endpoint, snapMode: snapMode)
        case .embeddedSandbox, .scripted:
            if let hosted = emulations.first(where: { $0.wallet == wallet }) { return try hosted.clientProfile(baseURL: "http://127.0.0.1:9") }
            return try WalletSandbox.clientProfile(wallet: wallet, baseURL: "http://127.0.0.1:9", snapMode: snapMode)
        }
    }

    /// The declaration's capabilities and currencies must be the adapter's, in both directions.
    func checkDeclaration(_ declaration: ContractDeclaration) -> ContractCaseResult {
        let started = ContinuousClock.now
        let transport = MockTransport { _ in TransportResponse(status: 599, headerFields: [:], body: []) }
        var problems: [String] = []
        do {
            let adapter = try makeAdapter(try profile(), transport, WalletAdapterRegistry.Environment())
            for operation in WalletCapabilities.Operation.allCases {
                let declared = declaration.declares.contains(operation.rawValue)
                let implemented = adapter.capabilities.supports(operation)
                if declared != implemented {
                    problems.append(
                        "\(operation.rawValue): the declaration says \(declared ? "supported" : "not supported"), the adapter's capabilities say \(implemented ? "supported" : "not supported")"
                    )
                }
            }
            problems += Self.currencyProblems(declaration, capabilities: adapter.capabilities)
        } catch {
            problems.append("the adapter could not be built: \(error)")
        }
        return ContractCaseResult(
            id: "declaration", purpose: "the capabilities declared in wallets/\(wallet).json are the adapter's",
            outcome: problems.isEmpty ? .passed : .failed,
            problems: problems, transcript: [], duration: started.duration(to: .now), reproduce: reproduce("declaration"))
    }

    /// Each declared currency class names a currency the adapter takes, with that many minor
    /// digits; each currency the adapter takes with 0 or 3 minor digits is declared.
    static func currencyProblems(_ declaration: ContractDeclaration, capabilities: WalletCapabilities) -> [String] {
        var problems: [String] = []
        let declared = declaration.currencies ?? [:]
        for (kind, entry) in declared.sorted(by: { $0.key < $1.key }) {
            guard let digits = ContractDeclaration.currencyClasses[kind] else {
                problems.append(
                    "currencies.\(kind): not a currency class (\(ContractDeclaration.currencyClasses.keys.sorted().joined(separator: ", ")))")
                continue
            }
            guard let currency = capabilities.currencies.first(where: { $0.code == entry.code }) else {
                problems.append("currencies.\(kind): the declaration says \(entry.code), the adapter's capabilities do not take it")
                continue
            }
            if currency.minorUnitExponent != digits {
                problems.append("currencies.\(kind): \(entry.code) has \(currency.minorUnitExponent) minor digits, not \(digits)")
            }
        }
        for currency in capabilities.currencies where currency.minorUnitExponent == 0 || currency.minorUnitExponent == 3 {
            if !declared.values.contains(where: { $0.code == currency.code }) {
                problems.append(
                    "the adapter takes \(currency.code) (\(currency.minorUnitExponent) minor digits), the declaration's currencies do not say so")
            }
        }
        return problems
    }

    func reproduce(_ id: String) -> String {
        var command = "walletbridge contract --wallet \(wallet) --case \(id)"
        switch target {
        case .embeddedSandbox: break
        case .sandbox(let endpoint): command += " --endpoint \(endpoint)"
        case .live: command += " --live --config PROFILE"
        case .scripted(let recordings): command += " --scripted \(recordings)"
        }
        return command
    }

    // MARK: One scenario

    /// Why `scenario` cannot run against `side`'s kind of target, or nil.
    static func unreachable(_ scenario: ContractScenario, noFaults: String?, noNotifications: String?) -> String? {
        let magic = scenario.setup.endsIn.flatMap(Int.init).map { (51...56).contains($0) } ?? false
        if let noFaults,
            scenario.needs.contains("walletFaults") || scenario.setup.walletFault != nil || magic
                || scenario.steps.contains(where: { $0.inject != nil })
        {
            return noFaults
        }
        if let noNotifications, scenario.needs.contains("notifications") || scenario.steps.contains(where: { $0.do.hasPrefix("notify") }) {
            return noNotifications
        }
        return nil
    }

    func runCase(_ scenario: ContractScenario, declaration: ContractDeclaration) async -> ContractCaseResult {
        let started = ContinuousClock.now
        func result(
            _ outcome: ContractCaseResult.Outcome, _ problems: [String], _ transcript: [String] = [], notes: [String] = []
        ) -> ContractCaseResult {
            ContractCaseResult(
                id: scenario.id, purpose: scenario.purpose, outcome: outcome, problems: problems, transcript: transcript,
                duration: started.duration(to: .now), reproduce: reproduce(scenario.id), notes: notes)
        }
        let override = declaration.overrides?[scenario.id]
        if let reason = override?.skip { return result(.skipped, [reason]) }
        if let missing = scenario.needs.first(where: { !declaration.declares.contains($0) }) {
            return result(.skipped, ["\(wallet) does not declare \(missing)"])
        }
        if let kind = scenario.setup.currency, declaration.currencies?[kind] == nil {
            return result(.skipped, ["\(wallet) declares no \(kind) currency"])
        }
        if case .live(let profile) = target,
            let reason = Self.unreachable(
                scenario, noFaults: LiveWalletSide(profile: profile).noFaults, noNotifications: LiveWalletSide(profile: profile).noNotifications)
        {
            return result(.skipped, [reason])
        }
        do {
            let run = try await ScenarioRun.start(harness: self, scenario: scenario, declaration: declaration, side: try await side(for: scenario))
            var problems = await run.execute(override: override)
            problems += run.scriptProblems
            if let problem = await run.stop() { problems.append(problem) }
            return result(problems.isEmpty ? .passed : .failed, problems, run.transcript.lines, notes: run.notes)
        } catch {
            return result(.failed, ["set-up failed: \(error)"])
        }
    }

    /// The wallet for one scenario.
    func side(for scenario: ContractScenario) async throws -> any ContractWalletSide {
        switch target {
        case .embeddedSandbox:
            return try await EmbeddedWalletSide.start(wallet: wallet, snapMode: snapMode, timeScale: timeScale, emulations: emulations)
        case .sandbox(let endpoint):
            return try await EndpointWalletSide.start(baseURL: endpoint, wallet: wallet, snapMode: snapMode)
        case .live(let profile):
            return LiveWalletSide(profile: profile)
        case .scripted(let recordings):
            let recording = try ContractRecording.load(ContractRecording.path(directory: recordings, wallet: wallet, scenario: scenario.id))
            return ScriptedWalletSide(recording: recording, profile: try profile())
        }
    }

    /// Runs the suite against every ``ContractSelfTest/Flaw`` in turn (the flaw wrapped around
    /// this harness's adapter): each must be caught by at least one scenario.
    public func selfTest() async throws -> [ContractSelfTest.Finding] {
        var findings: [ContractSelfTest.Finding] = []
        for flaw in ContractSelfTest.Flaw.allCases {
            var broken = ContractHarness(wallet: wallet, scenarios: directory) { [makeAdapter] profile, transport, environment in
                var profile = profile
                if flaw == .acceptsStaleNotification {
                    // The adapter without its clock check: a replayed notification verifies.
                    profile.settings["notificationClockToleranceSeconds"] = nil
                }
                return ContractSelfTest.broken(
                    try makeAdapter(profile, transport, environment), flaw: flaw, logger: environment.logger,
                    secret: SandboxCredentials.merchantPrivateKeyPEM)
            }
            broken.rerunFailures = false
            broken.timeScale = timeScale
            broken.snapMode = snapMode
            broken.target = target
            broken.emulations = emulations
            let report = try await broken.run()
            let finding = ContractSelfTest.Finding(flaw: flaw, caughtBy: report.failed.map(\.id))
            progressLine?(finding)
            findings.append(finding)
        }
        return findings
    }

    /// Called as each flaw of a self-test is judged.
    public var progressLine: (@Sendable (ContractSelfTest.Finding) -> Void)?

    func adapter(profile: PartnerProfile, transport: any HTTPTransport, environment: WalletAdapterRegistry.Environment) throws -> any WalletAdapter {
        try makeAdapter(profile, transport, environment)
    }
}

/// One scenario in progress: its wallet side, client, webhook, transcript and captured logs.
final class ScenarioRun: @unchecked Sendable {
    let scenario: ContractScenario
    let wallet: String
    let side: any ContractWalletSide
    let curl: CurlTransport?
    let scripted: ScriptedTransport?
    let recorder: ExchangeRecorder?
    let recordPath: String?
    let startedAtMillis: Int64
    let client: WalletClient
    let webhook: WebhookReceiver?
    let notifications: Captured<InboundNotification>
    let logs: Captured<String>
    let transcript: Transcript
    let reference: String
    let amount: Money
    let customer: String
    let secrets: [String]
    private let noted = Captured<String>()

    private init(
        scenario: ContractScenario, wallet: String, side: any ContractWalletSide, curl: CurlTransport?, scripted: ScriptedTransport?,
        recorder: ExchangeRecorder?, recordPath: String?, startedAtMillis: Int64, client: WalletClient, webhook: WebhookReceiver?,
        notifications: Captured<InboundNotification>, logs: Captured<String>, transcript: Transcript, reference: String, amount: Money,
        customer: String, secrets: [String]
    ) {
        self.scenario = scenario
        self.wallet = wallet
        self.side = side
        self.curl = curl
        self.scripted = scripted
        self.recorder = recorder
        self.recordPath = recordPath
        self.startedAtMillis = startedAtMillis
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

    static func start(
        harness: ContractHarness, scenario: ContractScenario, declaration: ContractDeclaration, side: any ContractWalletSide
    ) async throws -> ScenarioRun {
        var curl: CurlTransport?
        var webhook: WebhookReceiver?
        do {
            let recording = (side as? ScriptedWalletSide)?.recording
            var profile = side.profile
            if let timeout = scenario.setup.requestTimeoutMs { profile.requestTimeout = .milliseconds(timeout) }
            let transcript = Transcript()
            let base: any HTTPTransport
            var scripted: ScriptedTransport?
            if let recording {
                let replay = ScriptedTransport(recording)
                scripted = replay
                base = replay
            } else {
                let real = try CurlTransport(
                    configuration: CurlTransportConfiguration(connectTimeout: profile.connectTimeout, requestTimeout: profile.requestTimeout))
                curl = real
                base = real
            }
            let recorder = (harness.recordTo != nil && recording == nil) ? ExchangeRecorder() : nil
            var wire: any HTTPTransport = RecordingTransport(base: base, transcript: transcript, recorder: recorder)
            if let name = scenario.setup.clientFault {
                guard let fault = FaultInjectingTransport.Fault(rawValue: name) else {
                    throw ContractError("\(scenario.id): no client fault \(name)")
                }
                wire = try OnceFaultTransport(base: wire, fault: fault, operation: scenario.setup.clientFaultOn ?? "pay")
            }
            let logs = Captured<String>()
            let logger = Logger(label: "contract", factory: { label in CapturingLogHandler(label: label, lines: logs) })
            let adapter = try harness.adapter(
                profile: profile, transport: wire, environment: WalletAdapterRegistry.Environment(logger: logger, clock: side.clock))
            var clientConfiguration = WalletClient.Configuration(clock: PolicyClock(timeScale: side.timeScale))
            clientConfiguration.settleWithin = adapter.reconciliationRule.window
            let client = WalletClient(adapter: adapter, journal: InMemoryPaymentJournal(), logger: logger, configuration: clientConfiguration)
            let notifications = Captured<InboundNotification>()
            if let recording {
                for notification in recording.inboundNotifications { notifications.append(notification) }
            } else if side.noNotifications == nil {
                webhook = try await WebhookReceiver.start { notification in
                    notifications.append(notification)
                    // Acknowledged by verification alone: the steps hand the raw bytes to the client.
                    return (try? client.verifyNotification(notification).acknowledgement)
                        ?? NotificationAcknowledgement(status: 400, headerFields: [:], body: [])
                }
            }
            let currency: Currency
            var text: String
            if let kind = scenario.setup.currency, let declared = declaration.currencies?[kind] {
                currency = try Currency(code: declared.code)
                text = declared.amount
            } else {
                currency = adapter.capabilities.walletCurrency
                text = scenario.setup.amount ?? declaration.amount ?? "10.00"
            }
            if let ending = scenario.setup.endsIn, ending.count == 2 { text = String(text.dropLast(2)) + ending }
            let amount = try Money(parsing: text, currency: currency)
            let role = scenario.setup.customer ?? "pays"
            let customer = declaration.customers?[role] ?? "\(harness.wallet)-\(role)"
            let tag = String(UInt32.random(in: 0...UInt32.max), radix: 36)
            let reference = recording?.reference ?? "CT-" + scenario.id.replacingOccurrences(of: ".", with: "-") + "-" + tag
            if let name = scenario.setup.walletFault {
                try await side.injectFault(name, operation: scenario.setup.walletFaultOn ?? "pay", count: 1)
            }
            let secrets = Self.secrets(of: side.profile)
            let recordPath = harness.recordTo.map { ContractRecording.path(directory: $0, wallet: harness.wallet, scenario: scenario.id) }
            return ScenarioRun(
                scenario: scenario, wallet: harness.wallet, side: side, curl: curl, scripted: scripted, recorder: recorder,
                recordPath: recorder == nil ? nil : recordPath, startedAtMillis: Int64((side.clock().timeIntervalSince1970 * 1000).rounded(.down)),
                client: client, webhook: webhook, notifications: notifications, logs: logs, transcript: transcript,
                reference: reference, amount: amount, customer: customer, secrets: secrets)
        } catch {
            await webhook?.shutdown()
            await curl?.shutdown()
            await side.stop()
            throw error
        }
    }

    /// What must never reach a log line or the transcript: the profile's own merchant key and
    /// client secret (for a PEM key, its longest lines), and the sandbox's test secrets.
    static func secrets(of profile: PartnerProfile) -> [String] {
        var texts = [SandboxCredentials.paytmMerchantKey, SandboxCredentials.danaClientSecret, SandboxCredentials.merchantPrivateKeyPEM]
        for source in [profile.merchantKey, profile.clientSecret] {
            if let text = try? source?.loadText() { texts.append(text) }
        }
        var secrets: [String] = []
        for text in texts {
            let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { $0.count > 40 }
            if lines.isEmpty {
                let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
                if trimmed.count >= 8 { secrets.append(trimmed) }
            } else {
                secrets += lines.prefix(3)
            }
        }
        return Array(Set(secrets)).sorted()
    }

    /// Stops the webhook, the transport and the wallet side; writes the recording when asked.
    /// - Returns: a problem when the recording could not be written.
    func stop() async -> String? {
        await webhook?.shutdown()
        await curl?.shutdown()
        await side.stop()
        guard let recorder, let recordPath else { return nil }
        let recording = ContractRecording(
            scenario: scenario.id, wallet: wallet, reference: reference, startedAtMillis: startedAtMillis,
            timeScale: side.timeScale, exchanges: recorder.exchanges,
            notifications: notifications.items.map(ContractRecording.notification))
        do {
            try recording.write(to: recordPath)
            return nil
        } catch {
            return "the recording could not be written to \(recordPath): \(error)"
        }
    }

    /// What this mode could not check, though nothing failed.
    var notes: [String] {
        var notes = noted.items
        let repeats = Dictionary(grouping: scripted?.repeated ?? [], by: { $0 })
        for (key, times) in repeats.sorted(by: { $0.key < $1.key }) {
            notes.append("scripted: \(key) was answered again with its last recorded reply (\(times.count)×)")
        }
        return notes
    }

    /// Requests a recording could not answer: the adapter's calls differ from the recorded run.
    var scriptProblems: [String] {
        guard let scripted else { return [] }
        return scripted.unscripted.map {
            "scripted: the client sent \($0), which the recording does not have (the adapter's calls changed: record again)"
        }
            + scripted.extraMutations.map {
                "scripted: the client sent \($0) more often than the recorded run (a charge, cancel or refund the wallet never saw)"
            }
            + scripted.unusedMutations.map {
                "scripted: the recording has a \($0) reply the client never asked for (a pay, cancel or refund was skipped)"
            }
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
                do {
                    try await side.injectFault(name, operation: step.injectOn ?? step.do, count: step.injectCount ?? 1)
                } catch {
                    problems.append("step \(index + 1): \(error)")
                    continue
                }
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
            if let reason = side.noLedger {
                noted.append("ledger not checked: \(reason)")
            } else {
                do {
                    problems += Self.ledgerProblems(
                        assertions, entries: try await side.ledger(), reference: reference, amount: amount, request: request)
                } catch {
                    problems.append("ledger: could not be read: \(error)")
                }
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

    /// The ledger's entries for this scenario's reference (and any resend under a longer one)
    /// against the scenario's ledger assertions.
    static func ledgerProblems(
        _ assertions: [String: ContractAssertion], entries: [SandboxLedgerEntry], reference: String, amount: Money,
        request: [String: String]
    ) -> [String] {
        let entry = entries.first { $0.merchantReference == reference }
        var observed: [String: String] = ["payments": String(entries.filter { $0.merchantReference.hasPrefix(reference) }.count)]
        if let entry {
            observed["state"] = entry.state
            observed["charges"] = String(entry.charges)
            observed["refunds"] = String(entry.refunds)
            observed["refundedMinor"] = String(entry.refundedMinor)
            observed["cancels"] = String(entry.cancels)
            observed["amount"] = text(Money(minorUnits: entry.amountMinor, currency: amount.currency))
        } else {
            observed["charges"] = "0"
            observed["refunds"] = "0"
        }
        return assertions.sorted(by: { $0.key < $1.key }).compactMap { field, assertion in
            assertion.check(field, observed[field], request: request).map { "ledger: \($0)" }
        }
    }

    private func perform(_ step: ContractScenario.Step, lastNotification: inout InboundNotification?, refunded: inout Int64) async -> [String: String]
    {
        let payRequest = PaymentRequest(
            merchantReference: reference, amount: amount, customer: CustomerCredential(customer), orderDescription: "contract \(scenario.id)",
            notifyURL: webhook?.url(path: "/notify/\(wallet)"))
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
            case "notify", "notify-again", "notify-tampered", "notify-stale", "notify-reserialised":
                if step.do == "notify" || lastNotification == nil {
                    lastNotification = await waitForNotification()
                }
                guard var inbound = lastNotification else { return ["notification": "none arrived"] }
                switch step.do {
                case "notify-tampered":
                    inbound.body = Self.tampered(inbound.body)
                case "notify-stale":
                    // The same notification, genuinely signed, an hour before the wallet's now.
                    guard let stale = WalletSandbox.resigned(inbound, wallet: wallet, at: side.clock().addingTimeInterval(-3600)) else {
                        return ["notification": "cannot be signed again for \(wallet)"]
                    }
                    inbound = stale
                case "notify-reserialised":
                    inbound.body = Self.reserialised(inbound.body)
                default:
                    break
                }
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

    /// `body` with the same content in other bytes: JSON pretty-printed with sorted keys, or
    /// a form's fields in reverse order (what a framework that parses and re-encodes does).
    static func reserialised(_ body: [UInt8]) -> [UInt8] {
        let first = body.first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }
        if first == UInt8(ascii: "{"), let object = try? JSONSerialization.jsonObject(with: Data(body)),
            let data = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
        {
            return Array(data)
        }
        let fields = body.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: false)
        return Array(fields.reversed().joined(separator: [UInt8(ascii: "&")]))
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
