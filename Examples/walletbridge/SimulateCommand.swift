import ArgumentParser
import Foundation
import Logging
import WalletBridgeCore
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

    @Option(help: "Record WalletBridge's payments in this SQLite journal (a killed run is settled by `walletbridge recover`).")
    var journal: String?

    @Option(help: "A standalone sandbox's URL (`walletbridge sandbox --faults … --seed …`); its own plan injects the wallet-side faults.")
    var endpoint: String?

    @Option(help: "Run the sandbox's and the client's clocks N times faster.")
    var timeScale: Double = 100

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
        guard FaultPlan.profileNames.contains(faults) else { throw ValidationError("--faults must be one of \(FaultPlan.profileNames.joined(separator: ", "))") }
        guard timeScale >= 1, timeScale.isFinite else { throw ValidationError("--time-scale must be at least 1") }
        if let prometheusPort, !(0...65535).contains(prometheusPort) { throw ValidationError("--prometheus-port must be 0 to 65535") }
    }

    func run() async throws {
        let seed = self.seed ?? UInt64.random(in: 1...999_999)
        let metricsExport = (metrics || prometheusPort != nil) ? try await SimulationMetrics.start(port: prometheusPort) : nil
        if let port = metricsExport?.port { printError("metrics at http://127.0.0.1:\(port)/metrics") }
        let runner = SimulationRunner(command: self, seed: seed, metrics: metricsExport)
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
            printError("the promise was broken with seed \(seed): duplicates \(main.duplicates.prefix(20)), lost \(main.lost.prefix(20)), open \(main.unresolved.prefix(20))")
            printError("replay: walletbridge simulate --wallet \(wallet) --payments \(payments) --concurrency \(concurrency) --faults \(faults) --seed \(seed)")
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

    init(command: SimulateCommand, seed: UInt64, metrics: SimulationMetrics?) {
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
            prefix += (naive ? "N" : "W") + String(UInt32.random(in: 0...UInt32.max), radix: 36) + "-"
        } else {
            var configuration = WalletSandbox.Configuration()
            guard let plan = FaultPlan.profile(faults, seed: seed) else { throw SandboxError.profile(faults) }
            configuration.faultPlan = plan
            configuration.timeScale = timeScale
            configuration.notificationRetryInterval = .seconds(2)
            let started = try await WalletSandbox.start(configuration)
            sandbox = started
            baseURL = started.baseURL
        }
        let profile = try WalletSandbox.clientProfile(wallet: wallet, baseURL: baseURL, snapMode: snapMode)
        let curl = try CurlTransport(configuration: CurlTransportConfiguration(connectTimeout: profile.connectTimeout, requestTimeout: profile.requestTimeout,
                                                                                maxIdleConnections: max(16, concurrency * 2)))
        guard var clientFaults = FaultInjectingTransport.Configuration.profile(faults, seed: seed) else { throw SandboxError.profile(faults) }
        clientFaults.delay = clientFaults.delay / timeScale
        let transport = FaultInjectingTransport(wrapping: curl, configuration: clientFaults)
        let clock = PolicyClock(timeScale: timeScale)
        let adapter = try AdapterFactory.adapter(for: profile, transport: transport, clock: clock.now)
        let list = try (0..<payments).map { try SimulatedPayment.make($0, wallet: wallet, seed: seed, prefix: prefix) }
        let progress = SimulationProgress(total: payments, label: naive ? "naive      " : "WalletBridge")
        defer { _ = progress }
        var outcomes: [SimulatedOutcome]
        if naive {
            let (interval, window) = Self.polling(adapter.reconciliationRule)
            outcomes = await SimulationDriver.run(list, concurrency: concurrency, progress: progress,
                                                  SimulationDriver.naive(adapter, interval: interval, window: window, clock: clock))
        } else {
            let journal: any PaymentJournal = try journalPath.map { try SQLitePaymentJournal(path: $0) } ?? InMemoryPaymentJournal()
            var configuration = WalletClient.Configuration(clock: clock)
            configuration.metrics = metrics?.factory
            let client = WalletClient(adapter: adapter, journal: journal, configuration: configuration)
            // Notifications reach the client's webhook, straight into its journal.
            let webhook = try await WebhookReceiver.start { notification in
                do throws(WalletError) {
                    return try await client.receiveNotification(notification).acknowledgement
                } catch {
                    return NotificationAcknowledgement(status: 400, headers: [:], body: [])
                }
            }
            let notifyURL = webhook.url(path: "/notify/\(wallet)")
            let window = client.reconciliationRule.window
            outcomes = await SimulationDriver.run(list.map { var payment = $0; payment.notifyURL = notifyURL; return payment }, concurrency: concurrency,
                                                  progress: progress, SimulationDriver.walletBridge(client, settleWithin: window))
            outcomes = await SimulationDriver.reconcile(client, outcomes, concurrency: concurrency, within: window + .seconds(30))
            await webhook.shutdown()
        }
        let ledger: [SandboxLedgerEntry]
        if let sandbox {
            ledger = sandbox.ledgerSnapshot(wallet: wallet)
        } else {
            ledger = try await Self.fetchLedger(baseURL: baseURL, wallet: wallet, transport: curl)
        }
        await curl.shutdown()
        await sandbox?.shutdown()
        return SimulationReport(outcomes: outcomes, ledger: ledger, seed: seed)
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
        let response = try await transport.send(HTTPRequest(method: "GET", url: "\(baseURL)/sandbox/ledger?wallet=\(wallet)"))
        guard response.status == 200 else { throw SandboxError.ledger("HTTP \(response.status)") }
        return try JSONDecoder().decode([SandboxLedgerEntry].self, from: Data(response.body))
    }
}

extension SandboxError {
    static func profile(_ name: String) -> any Error { ValidationError("no fault profile \(name) (none, flaky, chaos)") }
    static func ledger(_ why: String) -> any Error { ValidationError("the sandbox's ledger could not be read: \(why)") }
}
