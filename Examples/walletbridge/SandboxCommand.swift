import ArgumentParser
import Foundation
import Logging
import WalletBridgeSandbox

/// `walletbridge sandbox`: runs the sandbox standalone, writes the client profile that talks
/// to it, or lists its test customers.
struct SandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sandbox",
        abstract: "Run the local wallet sandbox (loopback only) until interrupted.",
        discussion: """
            Admin endpoints: GET /sandbox/health, GET /sandbox/customers, GET /sandbox/notifications, \
            GET /sandbox/payments, GET /sandbox/ledger (ground truth: charges, refunds, cancels per reference), \
            GET /sandbox/fault-plan, POST /sandbox/faults {"fault": NAME, "path": PATH, "count": N} with NAME one of \
            tamper-response-signature, omit-response-signature, result-unknown, delay-ms:N, http-status:N, \
            replay-other-payment, replay-other-payment-without-references, foreign-reference, foreign-amount, \
            duplicate-key, signed-server-error, unsigned-429, unsigned-429-processed, in-process, http-status-after-commit:N, \
            slow-body-ms:N, expire-token (see Specs/Sandbox.md); \
            DELETE /sandbox/faults.
            """
    )

    @Option(help: "Port to listen on (0 picks a free one).")
    var port: Int = 8088

    @Option(help: "Write walletbridge.json and the test-only key files for this sandbox into DIR.")
    var writeConfig: String?

    @Option(
        help:
            "With --write-config: your webhook's base URL; each wallet's profile gets notify_url BASE/notify/WALLET (without it the profiles name none, and the sandbox sends no notifications)."
    )
    var notifyBase: String?

    @Option(
        help:
            "Deliver notifications to this base URL (repeatable: each attempt goes to one drawn from --seed) instead of the payment's notify URL host; the notify URL's path is kept."
    )
    var webhook: [String] = []

    @Option(help: "With --webhook: the share of notifications (0 to 1) also delivered at once to another webhook.")
    var duplicateNotifications: Double = 0

    @Option(help: "Persist the ledger in this file (default: in memory).")
    var stateFile: String?

    @Option(help: "Wallet-side faults drawn from --seed: none, flaky or chaos (see Specs/Sandbox.md). Magic amounts work with any profile.")
    var faults: String = "none"

    @Option(help: "Seed of the fault draws: the same seed replays the same faults on the same references.")
    var seed: UInt64 = 1

    @Option(
        help: "Run the sandbox's time N times faster (signed timestamps, token and order lifetimes, pauses); pair with the client's --time-scale.")
    var timeScale: Double = 1

    @Flag(
        help:
            "Serve HTTPS instead of HTTP (an OpenSSL TLS front). Without --tls-cert: the built-in TEST ONLY certificate for localhost and 127.0.0.1, written with its test CA into the --write-config directory (or a temporary one); the CA's path is printed, and written profiles name it as ca_bundle."
    )
    var tls = false

    @Option(help: "With --tls: the server certificate (PEM, then any intermediates) instead of the built-in test one.")
    var tlsCert: String?

    @Option(help: "With --tls-cert: its private key (PEM).")
    var tlsKey: String?

    @Option(help: "With --tls: require a client certificate signed by a CA in this PEM file (mutual TLS).")
    var tlsClientCA: String?

    @Flag(help: "List the test customers and exit.")
    var listCustomers = false

    @Flag(help: "Log requests to stderr.")
    var verbose = false

    mutating func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535 (0 picks a free one), not \(port)") }
        guard timeScale >= 1, timeScale.isFinite else { throw ValidationError("--time-scale must be a number of at least 1") }
        if notifyBase != nil, writeConfig == nil { throw ValidationError("--notify-base is for --write-config") }
        if !tls, tlsCert != nil || tlsKey != nil || tlsClientCA != nil {
            throw ValidationError("--tls-cert, --tls-key and --tls-client-ca are for --tls")
        }
        if (tlsCert == nil) != (tlsKey == nil) { throw ValidationError("--tls-cert and --tls-key go together") }
        if let notifyBase, !(notifyBase.hasPrefix("http://") || notifyBase.hasPrefix("https://")) {
            throw ValidationError("--notify-base must be an http:// or https:// URL, not \(notifyBase)")
        }
        if let bad = webhook.first(where: { !($0.hasPrefix("http://") || $0.hasPrefix("https://")) }) {
            throw ValidationError("--webhook must be an http:// or https:// base URL, not \(bad)")
        }
        guard (0...1).contains(duplicateNotifications) else { throw ValidationError("--duplicate-notifications must be between 0 and 1") }
    }

    func run() async throws {
        if listCustomers {
            say("Sandbox test customers (use the id as --customer):")
            for customer in SandboxCustomer.all {
                say(
                    "  \(customer.id.padding(toLength: 20, withPad: " ", startingAt: 0)) \(customer.wallet.padding(toLength: 6, withPad: " ", startingAt: 0)) \(customer.summary)"
                )
            }
            return
        }
        var configuration = WalletSandbox.Configuration()
        configuration.port = port
        configuration.stateFile = stateFile
        guard let plan = FaultPlan.profile(faults, seed: seed) else {
            printError("error: --faults must be one of \(FaultPlan.profileNames.joined(separator: ", ")), not \(faults)")
            throw ExitCode(2)
        }
        configuration.faultPlan = plan
        configuration.timeScale = timeScale
        configuration.webhookTargets = WebhookTargets(webhook, duplicateRate: duplicateNotifications)
        if verbose {
            configuration.logger = Logger(label: "walletbridge.sandbox", factory: { label in StreamLogHandler.standardError(label: label) })
        }
        let sandbox: WalletSandbox
        do {
            configuration.tls = try sandboxTLS()
            sandbox = try await WalletSandbox.start(configuration)
        } catch {
            printError("error: \(error)")
            throw ExitCode(2)
        }
        say("WalletBridge sandbox listening on \(sandbox.baseURL)" + (faults == "none" ? "" : " (faults \(faults), seed \(seed))"))
        if let ca = sandbox.tls?.caBundlePath {
            say("TLS: TEST ONLY certificate; clients trust the test CA \(ca) (e.g. curl --cacert \(ca) \(sandbox.baseURL)/sandbox/health)")
        }
        if let writeConfig {
            let path = try sandbox.writeClientConfig(to: writeConfig, notifyBase: notifyBase)
            say("client profile written to \(path); try: walletbridge pay --config \(path) --wallet gcash --amount 10.00 --currency PHP")
            if let notifyBase {
                say("notifications go to \(notifyBase)/notify/WALLET")
            } else {
                say("notifications are off: the profiles name no notify_url (add --notify-base URL to receive them)")
            }
        }
        await SandboxCommand.waitForInterrupt()
        say("stopping")
        await sandbox.shutdown()
    }

    /// `--tls`: the given certificate and key, or the built-in TEST ONLY identity written into
    /// the `--write-config` directory (or a temporary one); nil without `--tls`.
    func sandboxTLS() throws -> SandboxTLS? {
        guard tls else { return nil }
        var settings: SandboxTLS
        if let tlsCert, let tlsKey {
            settings = SandboxTLS(certificatePath: tlsCert, privateKeyPath: tlsKey)
        } else {
            let directory = writeConfig ?? FileManager.default.temporaryDirectory.appendingPathComponent("walletbridge-sandbox-tls").path
            settings = try SandboxTLS.testIdentity(writingTo: directory)
        }
        settings.clientCAPath = tlsClientCA
        return settings
    }

    /// Writes one line to stdout at once (unbuffered: a process manager that reads the pipe sees
    /// "listening" when it happens, not when a buffer fills).
    func say(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    /// Returns on SIGINT or SIGTERM.
    static func waitForInterrupt() async {
        signal(SIGINT, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        let (stream, continuation) = AsyncStream<Void>.makeStream()
        let sources = [SIGINT, SIGTERM].map { number -> any DispatchSourceSignal in
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { continuation.yield() }
            source.resume()
            return source
        }
        for await _ in stream { break }
        sources.forEach { $0.cancel() }
    }
}
