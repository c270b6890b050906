import ArgumentParser
import Foundation
import Logging
import WalletBridgeAlipayPlus
import WalletBridgeCore
import WalletBridgeHTTP
import WalletBridgePaytm
import WalletBridgePostgres
import WalletBridgeSNAP
import WalletBridgeSQLite
import WalletBridgeSandbox
import WalletBridgeTesting
import WalletBridgeTransport

/// `walletbridge simulate`: N payments through `WalletClient` under seeded faults on both sides
/// of the wire, every one judged against the sandbox's ledger; `--baseline` runs the same seed
/// through a naive client in the same run.
struct SimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Pay N times under seeded faults and judge every payment against the sandbox's ledger.",
        discussion: """
            Faults come from one seed on both sides of the wire: the sandbox's fault plan (--faults none, flaky or \
            chaos; see Specs/Sandbox.md) and the client's FaultInjectingTransport with the profile of the same name. \
            The same seed replays the same faults on the same references. Customers are drawn from the seed: most \
            can pay, some cannot (low balance, declines). At the end the client reconciles what is open, then every \
            payment is compared with the ledger. Exit status 1 when a payment was charged twice, lost (the client and \
            the ledger disagree about money), or left open; the seed and the references to replay are printed.
            """
    )

    @Option(help: "Wallet: gcash, paytm or dana.")
    var wallet: String = "gcash"

    @Option(help: "Number of payments.")
    var payments: Int = 200

    @Option(help: "Payments in flight at once.")
    var concurrency: Int = 16

    @Option(help: "Fault profile on both sides of the wire: none, flaky or chaos.")
    var faults: String = "chaos"

    @Option(help: "Seed of every draw (customers, amounts, faults); random when omitted, and printed.")
    var seed: UInt64?

    @Flag(help: "Also run the same seed through a naive client (one attempt, no retry, no reconciliation).")
    var baseline = false

    @Flag(help: "Print one JSON object on stdout.")
    var json = false

    @Option(
        help:
            "Record WalletBridge's payments in this SQLite journal (a path; a killed run is settled by `walletbridge recover`), or in PostgreSQL (postgres://user@host:port/db, schema walletbridge)."
    )
    var journal: String?

    @Option(help: "A standalone sandbox's URL (`walletbridge sandbox --faults … --seed …`); its own plan injects the wallet-side faults.")
    var endpoint: String?

    @Option(
        help: "With --endpoint: a tag in every reference, so that a run does not meet an earlier run's payments (random and printed when omitted).")
    var runTag: String?

    @Option(help: "Run the sandbox's and the client's clocks N times faster (real latency counts N times against the wallets' windows).")
    var timeScale: Double = 20

    @Option(help: "dana: rsa (DANA's RSA-signed transactions) or token (B2B token plus HMAC-SHA512).")
    var snapMode: String = "rsa"

    @Flag(help: "Print the client's metrics (Prometheus text format) at the end.")
    var metrics = false

    @Option(help: "Serve the client's metrics at http://127.0.0.1:P/metrics while the simulation runs.")
    var prometheusPort: Int?

    func validate() throws {
        guard ["gcash", "paytm", "dana"].contains(wallet) else { throw ValidationError("--wallet must be gcash, paytm or dana") }
        guard payments > 0 else { throw ValidationError("--payments must be positive") }
        guard concurrency > 0 else { throw ValidationError("--concurrency must be positive") }
        guard FaultPlan.profileNames.contains(faults) else {
            throw ValidationError("--faults must be one of \(FaultPlan.profileNames.joined(separator: ", "))")
        }
        guard timeScale >= 1, timeScale.isFinite else { throw ValidationError("--time-scale must be at least 1") }
        if let prometheusPort, !(0...65535).contains(prometheusPort) { throw ValidationError("--prometheus-port must be 0 to 65535") }
    }

    func run() async throws {
        let seed = self.seed ?? UInt64.random(in: 1...999_999)
        let metricsExport = (metrics || prometheusPort != nil) ? try await SimulationMetrics.start(port: prometheusPort) : nil
        if let port = metricsExport?.port { printError("metrics at http://127.0.0.1:\(port)/metrics") }
        let tag = runTag ?? String(UInt32.random(in: 0...UInt32.max), radix: 36)
        if endpoint != nil { printError("run tag \(tag) (replay against a fresh sandbox with --seed \(seed) --run-tag \(tag))") }
        let runner = SimulationRunner(command: self, seed: seed, runTag: tag, metrics: metricsExport)
        let main: SimulationReport
        var naive: SimulationReport?
        do {
            main = try await runner.run(naive: false)
            if baseline { naive = try await runner.run(naive: true) }
        } catch {
            await metricsExport?.shutdown()
            printError("error: \(error)")
            throw ExitCode(2)
        }
        if json {
            var object = main.json
            object["wallet"] = wallet
            object["faults"] = faults
            if endpoint != nil { object["run_tag"] = tag }
            if let naive { object["baseline"] = naive.json }
            if main.brokePromise {
                object["duplicate_references"] = main.duplicates
                object["lost_references"] = main.lost
                object["unresolved_references"] = main.unresolved
            }
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print("walletbridge simulate --wallet \(wallet) --payments \(payments) --concurrency \(concurrency) --faults \(faults) --seed \(seed)")
            main.lines(title: "WalletBridge (retries, reconciliation, journal)").forEach { print($0) }
            naive?.lines(title: "naive client (one attempt, no retry, no reconciliation)").forEach { print($0) }
        }
        if let metricsExport {
            if metrics { print(metricsExport.text(), terminator: "") }
            await metricsExport.shutdown()
        }
        if main.brokePromise {
            printError(
                "the promise was broken with seed \(seed): duplicates \(main.duplicates.prefix(20)), lost \(main.lost.prefix(20)), open \(main.unresolved.prefix(20))"
            )
            let tagged = endpoint == nil ? "" : " --endpoint URL --run-tag \(tag)"
            printError(
                "replay: walletbridge simulate --wallet \(wallet) --payments \(payments) --concurrency \(concurrency) --faults \(faults) --seed \(seed)\(tagged)"
            )
            throw ExitCode(1)
        }
    }
}

/// Runs one client (WalletBridge's or the naive one) over the run's payments.
struct SimulationRunner: Sendable {
    let wallet: String
    let payments: Int
    let concurrency: Int
    let faults: String
    let seed: UInt64
    let timeScale: Double
    let snapMode: String
    let endpoint: String?
    let journalPath: String?
    let metrics: SimulationMetrics?

    let runTag: String

    init(command: SimulateCommand, seed: UInt64, runTag: String, metrics: SimulationMetrics?) {
        self.runTag = runTag
        wallet = command.wallet
        payments = command.payments
        concurrency = command.concurrency
        faults = command.faults
        self.seed = seed
        timeScale = command.timeScale
        snapMode = command.snapMode
        endpoint = command.endpoint
        journalPath = command.journal
        self.metrics = metrics
    }

    func run(naive: Bool) async throws -> SimulationReport {
        // In process, each client gets its own sandbox with the same plan: the same references
        // meet the same faults. Against a standalone sandbox, references get a run tag instead.
        var sandbox: WalletSandbox?
        let baseURL: String
        var prefix = "SIM\(seed)-"
        if let endpoint {
            baseURL = endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint
            prefix += (naive ? "N" : "W") + runTag + "-"
        } else {
            var configuration = WalletSandbox.Configuration()
            guard let plan = FaultPlan.profile(faults, seed: seed) else { throw ValidationError("no fault profile \(faults) (none, flaky, chaos)") }
            configuration.faultPlan = plan
            configuration.timeScale = timeScale
            configuration.notificationRetryInterval = .seconds(2)
            let started = try await WalletSandbox.start(configuration)
            sandbox = started
            baseURL = started.baseURL
        }
        let clock = PolicyClock(timeScale: timeScale)
        let (profile, curl, transport, clientFaults, adapter) = try client(baseURL: baseURL, clock: clock)
        let list = try (0..<payments).map { try SimulatedPayment.make($0, wallet: wallet, seed: seed, prefix: prefix) }
        let progress = SimulationProgress(total: payments, label: naive ? "naive      " : "WalletBridge")
        let outcomes: [SimulatedOutcome]
        if naive {
            outcomes = await runNaive(adapter, list, clock: clock, progress: progress)
        } else {
            outcomes = try await runWalletBridge(adapter, list, clock: clock, progress: progress)
        }
        let ledger: [SandboxLedgerEntry]
        var injected: [String: Int] = [:]
        for (fault, count) in transport.statistics.injected where count > 0 { injected["client:\(fault.rawValue)"] = count }
        var notifications: (sent: Int, acknowledged: Int)?
        if let sandbox {
            ledger = sandbox.ledgerSnapshot(wallet: wallet)
            for (kind, count) in sandbox.injectedFaults where count > 0 { injected["wallet:\(kind.rawValue)"] = count }
            let deliveries = sandbox.notificationDeliveries
            notifications = (deliveries.filter { $0.attempts > 0 }.count, deliveries.filter(\.acknowledged).count)
        } else {
            ledger = try await Self.fetchLedger(baseURL: baseURL, wallet: wallet, transport: curl)
        }
        await curl.shutdown()
        await sandbox?.shutdown()
        var report = SimulationReport(outcomes: outcomes, ledger: ledger, seed: seed)
        report.faultsInjected = injected
        if !naive { report.notifications = notifications }
        attribute(&report, profile: profile, clientFaults: clientFaults)
        return report
    }

    /// The client's side: the profile, the transport with its client-side faults, the adapter.
    func client(
        baseURL: String, clock: PolicyClock
    ) throws
        -> (PartnerProfile, CurlTransport, FaultInjectingTransport, FaultInjectingTransport.Configuration, any WalletAdapter)
    {
        let profile = try WalletSandbox.clientProfile(wallet: wallet, baseURL: baseURL, snapMode: snapMode)
        let curl = try CurlTransport(
            configuration: CurlTransportConfiguration(
                connectTimeout: profile.connectTimeout, requestTimeout: profile.requestTimeout,
                maxIdleConnections: max(16, concurrency * 2)))
        guard var clientFaults = FaultInjectingTransport.Configuration.profile(faults, seed: seed) else {
            throw ValidationError("no fault profile \(faults) (none, flaky, chaos)")
        }
        clientFaults.delay = clientFaults.delay / timeScale
        let transport = FaultInjectingTransport(wrapping: curl, configuration: clientFaults)
        let adapter = try AdapterFactory.adapter(for: profile, transport: transport, clock: clock.now)
        return (profile, curl, transport, clientFaults, adapter)
    }

    /// Which fault hit the pay (or its inquiries) of each payer that did not succeed: a pure
    /// function of the seed, so no run-time bookkeeping is needed.
    func attribute(_ report: inout SimulationReport, profile: PartnerProfile, clientFaults: FaultInjectingTransport.Configuration) {
        let plan = FaultPlan.profile(faults, seed: seed)
        let payPath = FaultInjectingTransport.path(of: Self.payURL(profile))
        let inquiryPath = FaultInjectingTransport.path(of: Self.inquiryURL(profile))
        for (reference, _, _) in report.payersNotSucceeded {
            let key: String
            if let fault = clientFaults.fault(for: RequestContext(operation: "pay", key: reference), path: payPath, attempt: 1) {
                key = "client:\(fault.rawValue)"
            } else if endpoint == nil, let kind = plan?.requestFault(wallet: wallet, operation: "pay", reference: reference, attempt: 1),
                applies(kind, to: "pay")
            {
                key = "wallet:\(kind.rawValue)"
            } else {
                // The pay went through: the first fault on its inquiries, if any.
                key =
                    (1...12).lazy.compactMap { attempt -> String? in
                        if let fault = clientFaults.fault(
                            for: RequestContext(operation: "inquire", key: reference), path: inquiryPath, attempt: attempt)
                        {
                            return "inquiry client:\(fault.rawValue)"
                        }
                        if self.endpoint == nil,
                            let kind = plan?.requestFault(wallet: wallet, operation: "inquire", reference: reference, attempt: attempt),
                            applies(kind, to: "inquire")
                        {
                            return "inquiry wallet:\(kind.rawValue)"
                        }
                        return nil
                    }.first ?? "none"
            }
            report.notSucceededByFault[key, default: 0] += 1
        }
    }

    /// Whether a drawn wallet-side fault does anything to `operation` of this run's wallet (an
    /// in-process answer exists for one operation per wallet; token expiry needs a token).
    func applies(_ kind: FaultPlan.Kind, to operation: String) -> Bool {
        switch kind {
        case .inProcess: return operation == (wallet == "paytm" ? "inquire" : "pay")
        case .tokenExpiry: return wallet == "dana" && snapMode == "token"
        default: return true
        }
    }

    /// The naive client over `list`.
    func runNaive(
        _ adapter: any WalletAdapter, _ list: [SimulatedPayment], clock: PolicyClock, progress: SimulationProgress
    ) async -> [SimulatedOutcome] {
        let (interval, window) = Self.polling(adapter.reconciliationRule)
        return await SimulationDriver.run(
            list, concurrency: concurrency, progress: progress,
            SimulationDriver.naive(adapter, interval: interval, window: window, clock: clock))
    }

    /// WalletBridge's client over `list`, then the end-of-run reconciliation.
    func runWalletBridge(
        _ adapter: any WalletAdapter, _ list: [SimulatedPayment], clock: PolicyClock, progress: SimulationProgress
    ) async throws -> [SimulatedOutcome] {
        let journal: any PaymentJournal
        // A PostgreSQL journal's connection pool runs beside the simulation, until it ends.
        var postgresClient: Task<Void, Never>?
        defer { postgresClient?.cancel() }
        if let journalPath, journalPath.hasPrefix("postgres://") || journalPath.hasPrefix("postgresql://") {
            let storage = try PostgresStorage(url: journalPath, schema: "walletbridge", maximumConnections: max(4, min(concurrency, 64)))
            postgresClient = Task { try? await storage.run() }
            journal = try await PostgresPaymentJournal(storage: storage)
        } else if let journalPath {
            journal = try SQLitePaymentJournal(path: journalPath)
        } else {
            journal = InMemoryPaymentJournal()
        }
        // A caller's pay may settle inline for as long as the wallet's window: a pay that
        // never arrived is resent only inline (recovery never pays again).
        var configuration = WalletClient.Configuration(settleWithin: adapter.reconciliationRule.window, clock: clock)
        configuration.metrics = metrics?.factory
        let client = WalletClient(adapter: adapter, journal: journal, configuration: configuration)
        // Notifications reach the client's webhook, straight into its journal.
        let webhook = try await WebhookReceiver.start { notification in await Self.acknowledge(notification, client: client) }
        let notifyURL = webhook.url(path: "/notify/\(wallet)")
        let window = client.reconciliationRule.window
        let payments = list.map { payment -> SimulatedPayment in
            var payment = payment
            payment.notifyURL = notifyURL
            return payment
        }
        var outcomes = await SimulationDriver.run(
            payments, concurrency: concurrency, progress: progress, SimulationDriver.walletBridge(client, settleWithin: window))
        outcomes = await SimulationDriver.reconcile(client, outcomes, concurrency: concurrency, within: window + .seconds(30))
        await webhook.shutdown()
        return outcomes
    }

    /// Hands a notification to the client's journal; a rejected one gets HTTP 400.
    static func acknowledge(_ notification: InboundNotification, client: WalletClient) async -> NotificationAcknowledgement {
        let received: ReceivedNotification
        do {
            received = try await client.receiveNotification(notification)
        } catch {
            return NotificationAcknowledgement(status: 400, headerFields: [:], body: [])
        }
        return received.acknowledgement
    }

    /// The URL a pay is sent to, for predicting the client-side fault on it.
    static func payURL(_ profile: PartnerProfile) -> String {
        switch profile.scheme {
        case "paytm": return profile.baseURL + ((try? PaytmConfiguration(profile: profile).paths.initiateTransaction) ?? "")
        case "snap": return profile.baseURL + ((try? SNAPConfiguration(profile: profile).paths.payment) ?? "")
        default: return profile.baseURL + ((try? AlipayPlusConfiguration(profile: profile).paths.pay) ?? "")
        }
    }

    /// The URL a payment inquiry is sent to.
    static func inquiryURL(_ profile: PartnerProfile) -> String {
        switch profile.scheme {
        case "paytm": return profile.baseURL + ((try? PaytmConfiguration(profile: profile).paths.transactionStatus) ?? "")
        case "snap": return profile.baseURL + ((try? SNAPConfiguration(profile: profile).paths.status) ?? "")
        default: return profile.baseURL + ((try? AlipayPlusConfiguration(profile: profile).paths.inquiryPayment) ?? "")
        }
    }

    /// How often and how long a naive client polls a pending payment: the wallet's own numbers.
    static func polling(_ rule: ReconciliationRule) -> (interval: Duration, window: Duration) {
        switch rule {
        case .inquireThenCancel(let interval, let window): return (interval, window)
        case .queryUntilExpiry(let validity, let initial, _), .queryResendThenCancel(let validity, let initial, _): return (initial, validity)
        }
    }

    /// `GET /sandbox/ledger?wallet=W` of a standalone sandbox.
    static func fetchLedger(baseURL: String, wallet: String, transport: CurlTransport) async throws -> [SandboxLedgerEntry] {
        let response = try await transport.send(TransportRequest(method: .get, url: "\(baseURL)/sandbox/ledger?wallet=\(wallet)"))
        guard response.status == 200 else { throw ValidationError("the sandbox's ledger could not be read: HTTP \(response.status)") }
        return try JSONDecoder().decode([SandboxLedgerEntry].self, from: Data(response.body))
    }
}
